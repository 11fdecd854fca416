$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey-management-database 0.17.0: nothing is installed.'
