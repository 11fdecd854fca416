#!/usr/bin/env bash
# Fuzzes the readers of untrusted bytes with libFuzzer: scripts/fuzz.sh [--seconds N] [--runs N] [TARGET...]
#
# Builds the ccm-upgrade-fuzz executable with -sanitize=fuzzer,address into .build-fuzz (apart from the
# normal .build, which compiles the same target plain), then runs each TARGET (default: all of them) for N
# seconds (default 60) or N executions, and prints one line per target: executions, crashes, corpus size.
# Exits 1 when any target crashed; the crashing input is kept in .build-fuzz/crashes/TARGET/ (replay it with
# `.build-fuzz/release/ccm-upgrade-fuzz TARGET FILE`, then make it a regression test in the normal suite).
#
# Seeds: Fuzz/seeds/TARGET (hand-written, ours) plus, built at run time from the shared corpus (third-party
# files that stay there, see its README): nuspecs, feed recordings, package scripts and the versions in them,
# packages and zips.
# What libFuzzer learns is kept in .build-fuzz/corpus/TARGET, so later runs start where earlier ones stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=""
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option '$1' (expected --seconds N, --runs N, or target names)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "fuzz: --seconds needs a whole number above 0, not '$seconds'" >&2; exit 2; }
[[ -z "$runs" || "$runs" =~ ^[0-9]+$ ]] || { echo "fuzz: --runs needs a whole number, not '$runs'" >&2; exit 2; }

scratch=.build-fuzz
echo "fuzz: building ccm-upgrade-fuzz with -sanitize=fuzzer,address into $scratch" >&2
# CCM_UPGRADE_FUZZ=1 makes Package.swift add the sanitizer flags (see its last lines). The linker's warnings
# about AddressSanitizer's local symbols are noise.
# Release: optimized code runs about 10 times the executions of a debug build (34k/s vs 3k/s on the version
# target) and keeps Swift's overflow and bounds traps.
CCM_UPGRADE_FUZZ=1 swift build -c release --scratch-path "$scratch" --product ccm-upgrade-fuzz 2>&1 \
  | grep -E 'error|warning: .*(Fuzz|Sources)/' | sort -u || true
fuzzer="$scratch/release/ccm-upgrade-fuzz"
[[ -x "$fuzzer" ]] || { echo "fuzz: the build failed (run the swift build line above by hand to see why)" >&2; exit 1; }

known=$("$fuzzer" --list)
[[ ${#targets[@]} -gt 0 ]] || mapfile -t targets <<<"$known"
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$known" || { echo "fuzz: no target '$target' (known: $(echo $known))" >&2; exit 2; }
done

# The shared corpus, found as scripts/test.sh finds it.
if [[ -z "${CCM_UPGRADE_CORPUS:-}" ]]; then
  for candidate in ../shared/corpus /work/shared/corpus; do
    if [[ -d "$candidate/nupkg/real" ]]; then export CCM_UPGRADE_CORPUS="$(cd "$candidate" && pwd)"; break; fi
  done
fi
corpus="${CCM_UPGRADE_CORPUS:-}"
[[ -d "$corpus" ]] || echo "fuzz: no shared corpus found (set CCM_UPGRADE_CORPUS); seeding from Fuzz/seeds only" >&2

# Copies the files `find` lists into seeds/TARGET, named by content hash so repeated runs do not duplicate.
seed_from() {
  local dir="$scratch/seeds/$1"; shift
  mkdir -p "$dir"
  [[ -d "$corpus" ]] || return 0
  find "$corpus" "$@" -type f -size -256k -print0 | while IFS= read -r -d '' file; do
    cp "$file" "$dir/$(sha1sum "$file" | cut -c1-16)"
  done
}
# The version seeds are the version and range strings real nuspecs carry.
seed_versions() {
  local dir="$scratch/seeds/version"
  mkdir -p "$dir"
  [[ -d "$corpus" ]] || return 0
  find "$corpus" -name '*.nuspec' -print0 | xargs -0 grep -ohE '<version>[^<]*</version>|version="[^"]*"' \
    | sed -E 's/<\/?version>//g; s/^version="//; s/"$//' | sort -u | head -500 | while IFS= read -r text; do
      printf '%s' "$text" >"$dir/$(printf '%s' "$text" | sha1sum | cut -c1-16)"
    done
}

summary=()
failed=0
for target in "${targets[@]}"; do
  case "$target" in
    nuspec) seed_from nuspec \( -name '*.nuspec' -o -name '*.nuspec.template' \) ;;
    version) seed_versions ;;
    v2feed) seed_from v2feed -path '*/feeds/v2/*' ;;
    v3feed) seed_from v3feed -path '*/feeds/v3/*' ;;
    script) seed_from script -name '*.ps1' ;;
    resources) seed_from resources -name '*.ps1' ;;
    inventory) seed_from inventory -false; cp examples/estate/inventory.yaml "$scratch/seeds/inventory/example.yaml" ;;
    parameters) seed_from parameters -false; cp examples/estate/parameters.yaml "$scratch/seeds/parameters/example.yaml" ;;
    zipdir) seed_from zipdir -path '*/nupkg/*' \( -name '*.nupkg' -o -name '*.zip' \) ;;
    *) seed_from "$target" -false ;;
  esac
  work="$scratch/corpus/$target"
  crashes="$scratch/crashes/$target"
  mkdir -p "$work" "$crashes"
  seeds=("$scratch/seeds/$target")
  [[ -d "Fuzz/seeds/$target" ]] && seeds+=("Fuzz/seeds/$target")
  log="$scratch/logs/$target.log"
  mkdir -p "$(dirname "$log")"
  before=$(find "$crashes" -type f | wc -l)
  limit=(-max_total_time="$seconds")
  [[ -n "$runs" ]] && limit=(-runs="$runs")
  echo "fuzz: $target for ${runs:+$runs runs}${runs:-$seconds s} (log: $log)" >&2
  # 25 s per input and 2 GiB are libFuzzer's timeout and memory limits; exceeding either counts as a crash.
  # No leak check: the Swift runtime's and Foundation's process-lifetime caches read as leaks at exit (a
  # first run flagged 544 bytes in one allocation from an empty input); growth is caught by the memory limit.
  status=0
  ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  "$fuzzer" "$target" "${limit[@]}" -timeout=25 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" "${seeds[@]}" >"$log" 2>&1 </dev/null || status=$?
  executions=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || echo "?")
  found=$(( $(find "$crashes" -type f | wc -l) - before ))
  [[ $status -eq 0 && $found -eq 0 ]] || failed=1
  if [[ $status -ne 0 && $found -eq 0 ]]; then found="? (exit $status, see $log)"; fi
  summary+=("$(printf '%-11s executions %12s   crashes %s   corpus %s' "$target" "$executions" "$found" "$(find "$work" -type f | wc -l)")")
done
echo "fuzz: results"
printf '  %s\n' "${summary[@]}"
exit $failed
