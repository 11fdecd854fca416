$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey-management-web 0.17.0: nothing is installed.'
