#!/usr/bin/env python3
"""TEST CHECKER for ccm-upgrade's script rewrites, with a real PowerShell grammar (tree-sitter-powershell, PyPI).
Never shipped.

Usage: check_rewrite.py ORIGINAL_DIR REWRITTEN_DIR
Compares every .ps1 file under REWRITTEN_DIR that differs from the same path under ORIGINAL_DIR. The rule
(the grammar has gaps: bare-word paths and some real scripts already give ERROR nodes):
  - every region the rewrite inserted or replaced parses clean: no ERROR or MISSING node overlaps it;
  - the rewritten script has no more ERROR or MISSING nodes than its original.
Regions are found by diffing the two files (not taken from the tool), so the check does not trust the rewriter.
Prints one line per file ("ok PATH ..." or "FAIL PATH: reason") and "checked N" at the end; exit 1 on any FAIL.
"""
import difflib
import os
import sys

import tree_sitter
import tree_sitter_powershell

LANGUAGE = tree_sitter.Language(tree_sitter_powershell.language())
PARSER = tree_sitter.Parser(LANGUAGE)


def problems(tree):
    """(start, end, kind) of every ERROR and MISSING node."""
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append((node.start_byte, node.end_byte, "MISSING" if node.is_missing else "ERROR"))
        stack.extend(node.children)
    return found


def strip_bom(data):
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def changed_regions(old, new):
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(j1, j2) for tag, _i1, _i2, j1, j2 in matcher.get_opcodes() if tag in ("replace", "insert") and j2 > j1]


def check(original_path, rewritten_path):
    with open(original_path, "rb") as handle:
        old = strip_bom(handle.read())
    with open(rewritten_path, "rb") as handle:
        new = strip_bom(handle.read())
    old_problems = problems(PARSER.parse(old))
    new_problems = problems(PARSER.parse(new))
    regions = changed_regions(old, new)
    for start, end in regions:
        for p_start, p_end, kind in new_problems:
            # A zero-width MISSING node at a region's edge counts too.
            if p_start < end and (p_end > start or (p_start == p_end and start <= p_start <= end)):
                snippet = new[start:end].decode("utf-8", "replace")
                return "%s node at bytes %d-%d in rewritten region %d-%d (%r)" % (kind, p_start, p_end, start, end, snippet[:120])
    if len(new_problems) > len(old_problems):
        return "%d ERROR/MISSING nodes after the rewrite, %d before" % (len(new_problems), len(old_problems))
    return None


def main():
    original_dir, rewritten_dir = sys.argv[1], sys.argv[2]
    failures = 0
    checked = 0
    for folder, _dirs, files in os.walk(rewritten_dir):
        for name in sorted(files):
            if not name.lower().endswith(".ps1"):
                continue
            rewritten = os.path.join(folder, name)
            relative = os.path.relpath(rewritten, rewritten_dir)
            original = os.path.join(original_dir, relative)
            if not os.path.isfile(original):
                continue
            with open(original, "rb") as a, open(rewritten, "rb") as b:
                if a.read() == b.read():
                    continue
            checked += 1
            reason = check(original, rewritten)
            if reason:
                failures += 1
                print("FAIL %s: %s" % (relative, reason))
            else:
                print("ok %s" % relative)
    print("checked %d" % checked)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
