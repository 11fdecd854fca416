#!/bin/sh
# Starts the minchoc peer prepared by minchoc-setup.sh on 127.0.0.1:${1:-8081} (foreground; Ctrl-C stops it).
# Read source: http://127.0.0.1:PORT/api/v2/   push source (host only): http://127.0.0.1:PORT/
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=${CCM_PEERS_DIR:-$here/.build-peers}/minchoc
[ -x "$dir/venv/bin/python" ] || { echo "minchoc is not set up: run scripts/peers/minchoc-setup.sh" >&2; exit 2; }
cd "$dir"
exec venv/bin/python manage.py runserver "127.0.0.1:${1:-8081}" --noreload
