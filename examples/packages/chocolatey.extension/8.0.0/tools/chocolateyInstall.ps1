$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey.extension 8.0.0: nothing is installed.'
