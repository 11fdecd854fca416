$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey-management-database 0.16.0: nothing is installed.'
