#!/bin/sh
# Sets up a real PowerShell grammar for ccm-upgrade's rewrite checks: tree-sitter and tree-sitter-powershell
# (both PyPI) in a venv under $CCM_PEERS_DIR (default: <checkout>/.build-peers, git-ignored). The tests run
# Tests/Fixtures/ps-grammar/check_rewrite.py with this venv's python.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
peers=${CCM_PEERS_DIR:-$here/.build-peers}
dir=$peers/tree-sitter
mkdir -p "$dir"
cd "$dir"
if [ ! -x venv/bin/python ]; then
    python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check "tree-sitter>=0.25,<0.27" "tree-sitter-powershell>=0.25,<0.27"
venv/bin/python -c "import tree_sitter, tree_sitter_powershell" && echo "tree-sitter-powershell ready in $dir"
