$ErrorActionPreference = "Stop"
choco upgrade chocolatey-management-service chocolatey-management-web -y
choco upgrade chocolatey-agent --version 4.0.0 -y --params "/Password:secret"
exit $LASTEXITCODE
