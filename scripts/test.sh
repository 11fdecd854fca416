#!/usr/bin/env bash
# Installs what is missing (build libraries and the real peers the tests start) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# The tests read real third-party packages and feed recordings from the shared corpus (see README).
if [[ -z "${CCM_UPGRADE_CORPUS:-}" ]]; then
  for candidate in ../shared/corpus /work/shared/corpus; do
    if [[ -d "$candidate/nupkg/real" ]]; then export CCM_UPGRADE_CORPUS="$(cd "$candidate" && pwd)"; break; fi
  done
fi
[[ -d "${CCM_UPGRADE_CORPUS:-}/nupkg/real" ]] || { echo "test: the shared corpus was not found; set CCM_UPGRADE_CORPUS" >&2; exit 1; }
echo "test: corpus at $CCM_UPGRADE_CORPUS" >&2
bash scripts/check-format.sh
# Warnings fail the test build (SwiftPM builds dependencies with their warnings suppressed, so the flag only
# bites on our own targets).
swift build --build-tests -Xswiftc -warnings-as-errors || {
  echo "test: the build failed; with -warnings-as-errors a warning is an error: fix it (or use '_ =' for a result you mean to drop)" >&2
  exit 1
}
swift test --skip-build
# The build that ships (scripts/build-release.sh: static Swift libraries, no exported symbols) must pass the same
# command-line tests as the debug build the suite runs first: every suite that runs the executable (the test
# targets below, and the three command suites of RepositoryTests). The other suites call the libraries in-process
# and would only repeat the first pass (keeping CI well under its 30 minutes).
bash scripts/build-release.sh 2>&1 | tail -1
echo "test: the command-line suites again, against the release build" >&2
CCM_UPGRADE_TEST_EXECUTABLE="$PWD/.build/release/ccm-upgrade" swift test --skip-build \
  --filter '^(CLITests|DeploymentTests|LicensingTests)\.|^RepositoryTests\.(CommunitySourceTests|InternalizeCommandTests|InternalizeForCCMTests)/'

# A short fuzz run of every target (issue 12: "a short run in CI"): its own instrumented build (~4 minutes) plus
# CCM_UPGRADE_FUZZ_SECONDS per target (default 15; 0 skips it). Longer runs: bash scripts/fuzz.sh --seconds 600.
fuzz_seconds="${CCM_UPGRADE_FUZZ_SECONDS:-15}"
if [[ "$fuzz_seconds" != "0" ]]; then
  bash scripts/fuzz.sh --seconds "$fuzz_seconds"
fi
