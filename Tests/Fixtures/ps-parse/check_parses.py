#!/usr/bin/env python3
"""TEST CHECKER, never shipped: parses PowerShell scripts with a real grammar (tree-sitter-powershell, PyPI;
set up by scripts/peers/tree-sitter-setup.sh) and reports every ERROR or MISSING node.

Usage: check_parses.py SCRIPT...   Prints "ok PATH" or "FAIL PATH: <kind> at line L col C: <text>" per script;
exit 1 when any script has a problem.
"""
import sys

import tree_sitter
import tree_sitter_powershell

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def first_problem(tree):
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        stack.extend(node.children)
    return None


failed = False
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        data = handle.read()
    node = first_problem(PARSER.parse(data))
    if node is None:
        print("ok %s" % path)
    else:
        failed = True
        row, column = node.start_point
        text = data[node.start_byte:node.end_byte].decode("utf-8", "replace")[:80]
        print("FAIL %s: %s at line %d col %d: %r" % (path, "MISSING" if node.is_missing else "ERROR", row + 1, column + 1, text))
sys.exit(1 if failed else 0)
