$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for dotnet-aspnetcoremodule-v2 20.0.26140: nothing is installed.'
