$ErrorActionPreference = 'Stop'
Write-Host 'Example stand-in for chocolatey-agent 4.0.0: nothing is installed.'
