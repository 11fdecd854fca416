#!/usr/bin/env bash
# Installs what is missing (build libraries and the real peers the tests start) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
swift build --build-tests
swift test --skip-build
