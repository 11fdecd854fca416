$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey 2.7.0: nothing is installed.'
