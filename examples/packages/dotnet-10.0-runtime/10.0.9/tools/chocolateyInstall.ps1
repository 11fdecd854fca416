$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for dotnet-10.0-runtime 10.0.9: nothing is installed.'
