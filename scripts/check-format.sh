#!/usr/bin/env bash
# Checks Sources, Tests, Plugins and Fuzz against the rules in .swift-format (swift-format ships with the toolchain).
#
# Only rule findings fail the check. The pretty-printer's layout findings (line breaks, continuation indents,
# line length, trailing commas) are not enforced: the house layout is laid out by hand, wider than
# swift-format would (one-line guards, aligned continuation lines), and reformatting 19k lines to please it
# would rewrite history for no reader's benefit. Run `swift format format -i FILE` on new files if you like.
set -euo pipefail
cd "$(dirname "$0")/.."
layout='\[(Indentation|AddLines|RemoveLine|LineLength|Spacing|TrailingComma|EndOfLineComment)\]'
findings=$(swift format lint --recursive --parallel Sources Tests Plugins Fuzz 2>&1 | grep -Ev "$layout" || true)
if [[ -n "$findings" ]]; then
  echo "$findings" >&2
  echo "format: $(wc -l <<<"$findings") finding(s) against .swift-format's rules (above, file:line: [Rule]); fix them," \
    "or add '// swift-format-ignore: Rule' above a line that must stay" >&2
  exit 1
fi
echo "format: Sources, Tests, Plugins and Fuzz follow .swift-format's rules" >&2
