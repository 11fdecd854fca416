#!/usr/bin/env python3
"""Download at the machine's limit (issue 13, section 5), ratios printed in one run.

A static NuGet v3 feed folder (service index + flat container holding one generated package, default 1 GiB)
served by a real nginx on 127.0.0.1 (installed with apt-get when missing); then, alternating, each keeping
its best of --runs:
  - `ccm-upgrade download` (service index, version list, the package written to a folder, fsync'd; while
    it arrives, its SHA-512 computed, its bytes written straight to the disk and its entries vetted — every
    CRC-32 — then the vet confirmed against the central directory),
  - `curl -o FILE` (no hash: the transfer alone),
  - `curl | sha512sum` (the same guarantee as the tool: every byte hashed).
The digest the tool records is compared with sha512sum's.

Usage: bench/download/run.py [--tool .build/release/ccm-upgrade] [--size-mib 1024] [--runs 3]
Targets: >= 0.8x curl's throughput and >= 1.0x that of `curl | sha512sum`.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "feeds"))
from bench import make_package, timed  # noqa: E402  (the generated package of the feed benchmark)

PACKAGE_ID, VERSION = "Bench.Big", "1.0.0"

NGINX_CONF = """worker_processes 1;
daemon off;
{user}
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    types {{ application/json json; application/octet-stream nupkg; }}
    default_type application/octet-stream;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {feed};
    }}
}}
"""


def ensure_nginx():
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("setup: installing nginx (apt-get install nginx-light)", file=sys.stderr)
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx-light"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_feed(feed, port, size_mib):
    """A static v3 feed: index.json, flat/<id>/index.json, flat/<id>/<version>/<id>.<version>.nupkg."""
    lower = PACKAGE_ID.lower()
    folder = os.path.join(feed, "flat", lower, VERSION)
    os.makedirs(folder)
    with open(os.path.join(feed, "index.json"), "w") as handle:
        json.dump({"version": "3.0.0", "resources": [
            {"@id": "http://127.0.0.1:%d/flat/" % port, "@type": "PackageBaseAddress/3.0.0"}]}, handle)
    with open(os.path.join(feed, "flat", lower, "index.json"), "w") as handle:
        json.dump({"versions": [VERSION]}, handle)
    path = os.path.join(folder, "%s.%s.nupkg" % (lower, VERSION))
    make_package(path, PACKAGE_ID, VERSION, payload_mib=size_mib)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", default=os.path.join(ROOT, ".build", "release", "ccm-upgrade"))
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_nginx()

    work = tempfile.mkdtemp(prefix="ccm-bench-download-")
    nginx = None
    try:
        port = free_port()
        feed = os.path.join(work, "feed")
        package = make_feed(feed, port, args.size_mib)
        size = os.path.getsize(package)
        with open(os.path.join(work, "nginx.conf"), "w") as handle:
            # As root, nginx's workers would run as nobody, who cannot read a 0700 temporary folder.
            handle.write(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "", work=work, port=port, feed=feed))
        nginx = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = "http://127.0.0.1:%d/flat/%s/%s/%s.%s.nupkg" % (port, PACKAGE_ID.lower(), VERSION, PACKAGE_ID.lower(), VERSION)
        for _ in range(100):
            if subprocess.run(["curl", "-sSf", "-o", "/dev/null", "http://127.0.0.1:%d/index.json" % port]).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("nginx did not start: " + nginx.stderr.read().decode())
        subprocess.run(["cat", package], stdout=subprocess.DEVNULL, check=True)  # into the page cache

        out = os.path.join(work, "out")
        contenders = {
            "ccm-upgrade download": [args.tool, "download", PACKAGE_ID, "--version", VERSION,
                                     "--source", "http://127.0.0.1:%d/index.json" % port, "--output-directory", out],
            "curl -o": ["curl", "-sSf", "-o", os.path.join(out, "curl.nupkg"), url],
            "curl | sha512sum": ["bash", "-c", "set -o pipefail; curl -sSf '%s' | sha512sum" % url],
        }
        best = {name: float("inf") for name in contenders}
        rss = {}
        for _ in range(args.runs):
            for name, command in contenders.items():
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                elapsed, peak = timed(command)
                best[name] = min(best[name], elapsed)
                rss[name] = max(rss.get(name, 0), peak)
        downloaded = os.path.join(out, "%s.%s.nupkg" % (PACKAGE_ID, VERSION))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        subprocess.run(contenders["ccm-upgrade download"], stdout=subprocess.DEVNULL, check=True)
        same = subprocess.run(["cmp", "-s", package, downloaded]).returncode == 0

        print("package: %.0f MiB from nginx %s, best of %d runs each" % (size / (1 << 20), url, args.runs))
        for name, seconds in best.items():
            print("  %-22s %6.2f s  %6.2f GB/s  peak RSS %5.1f MiB" % (name, seconds, size / seconds / 1e9, rss[name]))
        tool = best["ccm-upgrade download"]
        versus_curl = best["curl -o"] / tool
        versus_pipeline = best["curl | sha512sum"] / tool
        print("  tool vs curl:             %.2fx (target >= 0.8x: %s)" % (versus_curl, "met" if versus_curl >= 0.8 else "NOT met"))
        print("  tool vs curl | sha512sum: %.2fx (target >= 1.0x: %s)" % (versus_pipeline, "met" if versus_pipeline >= 1.0 else "NOT met"))
        print("  downloaded file identical to the served one: %s" % same)
        return 0 if same else 1
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
