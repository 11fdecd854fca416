#!/usr/bin/env bash
# Installs what ccm-upgrade needs on Debian 12 (run as root, or with sudo available).
#   scripts/setup.sh          build dependencies: libarchive, libxml2, libcurl and libcrypto headers, pkg-config
#   scripts/setup.sh --test   also the real peers the tests start: nuget 2.8.7 (Mono), Python venv for minchoc
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libarchive-dev libxml2-dev libcurl4-openssl-dev libssl-dev)
if [[ "${1:-}" == "--test" ]]; then
  # openssh-server: the real sshd of the RemoteHosts tests (one per CCM host, TestSSHServer); openssh-client: ssh.
  # zip: Info-ZIP's `zip -fz`, a real zip64 writer for the central-directory reader's tests (ZipDirectoryTests).
  packages+=(nuget mono-runtime python3 python3-venv python3-pip ca-certificates curl openssh-server openssh-client zip)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  # Real v2 server for the feed tests (PyPI minchoc in a venv under .build-peers/).
  for peer in scripts/peers/*-setup.sh; do
    [[ -e "$peer" ]] && bash "$peer"
  done
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.x toolchain required)" >&2; exit 1; }
