#!/usr/bin/env bash
# The main job on the embedded default: build the example folder feed from examples/packages (stand-ins
# with the real CCM package ids), then plan the upgrade of the example estate (examples/estate) to the
# newest CCM version the feed and the built-in matrix allow, and dry-run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-release.sh 2>&1 | tail -1   # static Swift libraries, no exported symbols: faster start-up
tool=.build/release/ccm-upgrade
rm -rf .demo && mkdir -p .demo/feed
find examples/packages -name '*.nuspec' | sort | xargs "$tool" pack --output-directory .demo/feed >/dev/null
echo "== example folder feed .demo/feed: $(ls .demo/feed | wc -l) packages"
"$tool" inspect .demo/feed --metadata-only --format json | python3 -c 'import json,sys; [print("  ", p["id"], p["version"]) for p in json.load(sys.stdin)["packages"]]'
echo
echo "== ccm-upgrade matrix check: the example estate against its own CCM 0.16.0 (before the upgrade)"
"$tool" matrix check --ccm 0.16.0 --agent 3.0.0 --extension 7.0.0 --chocolatey 2.4.3 || echo "   (exit $?: incompatible, as expected before the upgrade)"
echo
echo "== ccm-upgrade plan --to latest --inventory examples/estate/inventory.yaml --source .demo/feed --output .demo/plan.json"
"$tool" plan --to latest --inventory examples/estate/inventory.yaml --source .demo/feed --output .demo/plan.json
echo
echo "== ccm-upgrade run .demo/plan.json --host ccm01 --dry-run"
"$tool" run .demo/plan.json --host ccm01 --dry-run
