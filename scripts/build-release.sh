#!/usr/bin/env bash
# The release build that the demo, the benchmarks and installs use: .build/release/ccm-upgrade.
#   --static-swift-stdlib       the Swift runtime and Foundation linked in: ~7 ms less start-up per call than
#                               loading them as shared libraries.
#   -Xlinker --no-export-dynamic
#                               Swift's static link exports every Swift symbol (10,500) as a dynamic symbol;
#                               nothing looks them up, but the runtime's start-up `dladdr` walks them and the
#                               dynamic loader hashes against them: ~1 ms of every start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ccm-upgrade --static-swift-stdlib -Xlinker --no-export-dynamic "$@"
