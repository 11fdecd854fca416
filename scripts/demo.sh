#!/usr/bin/env bash
# The main job on the embedded default: build the example folder feed from examples/packages (stand-ins
# with the real CCM package ids) and run ccm-upgrade on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release 2>&1 | tail -1
tool=.build/release/ccm-upgrade
rm -rf .demo && mkdir -p .demo/feed
find examples/packages -name '*.nuspec' | sort | xargs "$tool" pack --output-directory .demo/feed >/dev/null
echo "== ccm-upgrade inspect .demo/feed (example folder feed, $(ls .demo/feed | wc -l) packages)"
"$tool" inspect .demo/feed --no-files
echo "== ccm-upgrade matrix check --ccm 0.17.0 --agent 4.0.0 --extension 8.0.0 --chocolatey 2.7.0"
"$tool" matrix check --ccm 0.17.0 --agent 4.0.0 --extension 8.0.0 --chocolatey 2.7.0
