#!/usr/bin/env bash
# Issue 13 §5 benchmark: internalizing one package whose script fetches three installers (1 GiB in all) from a
# local nginx (Debian's nginx-light; Python's http.server when nginx cannot be had), against the pipeline a user
# would script for the same result: curl each installer, sha256sum -c, zip -0 (stored, as the tool stores
# installers). Both start from an empty work folder; the tool's run also vets and pushes the package to a folder
# feed. Prints the wall times, their ratio (target <= 1.2x) and the tool's peak RSS from /usr/bin/time -v
# (target <= 64 MiB). One run each, alternated ROUNDS times (default 2), best of each. Not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-release.sh >/dev/null 2>&1 || bash scripts/build-release.sh
tool=$PWD/.build/release/ccm-upgrade
work=$(realpath -m "${BENCH_WORK:-bench/out/embed}")
rounds=${ROUNDS:-2}
mkdir -p "$work/www" "$work/package/tools"

# Installers: random bytes (incompressible, as real installers are), 512 + 384 + 128 MiB.
sizes=(512 384 128)
names=(setup-a.exe setup-b.msi setup-c.zip)
for i in 0 1 2; do
  file=$work/www/${names[$i]}
  if [[ ! -f $file ]] || [[ $(stat -c %s "$file") -ne $((sizes[$i] << 20)) ]]; then
    head -c $((sizes[$i] << 20)) /dev/urandom > "$file"
  fi
done

# The server: nginx when it can be installed (apt), else Python.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! command -v nginx >/dev/null && [[ $(id -u) -eq 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 || true
fi
if command -v nginx >/dev/null; then
  cat > "$work/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
  mkdir -p "$work/nginx-tmp"
  nginx -c "$work/nginx.conf" -p "$work" & server=$!
  server_name="nginx $(nginx -v 2>&1 | sed 's/.*\///')"
else
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 & server=$!
  server_name="python http.server"
fi
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/${names[2]}" -r 0-0 && break; sleep 0.1; done

# The package: three download-helper calls with sha256 checksums.
sums=()
for name in "${names[@]}"; do sums+=("$(sha256sum "$work/www/$name" | cut -d' ' -f1)"); done
cat > "$work/package/bench-embed.nuspec" <<XML
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
  <metadata><id>bench-embed</id><version>1.0.0</version><authors>bench</authors><description>three installers, 1 GiB</description></metadata>
</package>
XML
{
  echo "\$ErrorActionPreference = 'Stop'"
  for i in 0 1 2; do
    echo "Install-ChocolateyPackage -PackageName 'bench-embed' -FileType 'exe' -SilentArgs '/S' -Url 'http://127.0.0.1:$port/${names[$i]}' -Checksum '${sums[$i]}' -ChecksumType 'sha256'"
  done
} > "$work/package/tools/chocolateyInstall.ps1"
rm -rf "$work/source" && mkdir -p "$work/source"
"$tool" pack "$work/package/bench-embed.nuspec" --output-directory "$work/source" >/dev/null
printf '%s  %s\n' "${sums[0]}" "${names[0]}" "${sums[1]}" "${names[1]}" "${sums[2]}" "${names[2]}" > "$work/sums.txt"

pipeline() {
  rm -rf "$work/pipe" && mkdir -p "$work/pipe/tools" && cd "$work/pipe/tools"
  for name in "${names[@]}"; do curl -sSf -o "$name" "http://127.0.0.1:$port/$name"; done
  sha256sum --quiet -c "$work/sums.txt"
  cd "$work/pipe" && zip -q -0 -r bench-embed.zip tools
}
export -f pipeline; export work port; export names_list="${names[*]}"

best_tool=1e9; best_pipe=1e9; rss=0
for round in $(seq "$rounds"); do
  rm -rf "$work/run" && mkdir -p "$work/run"
  /usr/bin/time -v -o "$work/time-tool.txt" "$tool" internalize bench-embed --from "$work/source" --to "$work/run/feed" \
    --work-directory "$work/run/work" --jobs 3 > "$work/tool-output.txt" 2>&1 || { cat "$work/tool-output.txt"; exit 1; }
  t=$(awk -F': ' '/Elapsed \(wall clock\)/ { split($2, p, ":"); s = 0; for (i = 1; i <= length(p); i++) s = s * 60 + p[i]; print s }' "$work/time-tool.txt")
  r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time-tool.txt")
  best_tool=$(python3 -c "print(min($best_tool, $t))"); rss=$(( r > rss ? r : rss ))
  /usr/bin/time -v -o "$work/time-pipe.txt" bash -c "names=($names_list); $(declare -f pipeline); pipeline"
  t=$(awk -F': ' '/Elapsed \(wall clock\)/ { split($2, p, ":"); s = 0; for (i = 1; i <= length(p); i++) s = s * 60 + p[i]; print s }' "$work/time-pipe.txt")
  best_pipe=$(python3 -c "print(min($best_pipe, $t))")
done
grep -q "pushed" "$work/tool-output.txt" || { cat "$work/tool-output.txt"; exit 1; }
echo "server: $server_name; 3 installers, 1 GiB; best of $rounds"
echo "internalize (download, verify, embed, vet, push to a folder): ${best_tool}s, peak RSS $((rss / 1024)) MiB (target <= 64 MiB)"
echo "curl x3 + sha256sum -c + zip -0:                             ${best_pipe}s"
echo "ratio: $(python3 -c "print(f'{$best_tool / $best_pipe:.2f}')")x the pipeline's time (target <= 1.2x)"
