#!/usr/bin/env python3
"""Fault convergence run for ccm-upgrade (issue 12, section 2): `ccm-upgrade internalize` of N packages
(default 200) from one TEST FAKE feed to another, both injecting random faults on ~20 % of requests (resets,
resets mid-body, 500, 503, 429 with Retry-After 1, stalls, truncation, corrupted bytes; on the target also
packages stored before the connection is reset), both publishing no hash (like minchoc). Every default of
the tool is kept (retries, backoff, stall timeout, jobs). Goal: exit 0 in one run, every package on the
target byte for byte the source's, none reported "already present".

Usage: bench/faults/run.py [--tool .build/debug/ccm-upgrade] [--count 200] [--rate 0.2] [--seed 1]
                           [--stall-seconds 5] [--out /tmp/ccm-bench-faults]
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE = os.path.join(ROOT, "Tests", "Fixtures", "fake-feed", "fake_feed.py")
KEY = "bench-key"
NUSPEC = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
  <metadata><id>{id}</id><version>1.0.0</version><authors>bench</authors><description>fault run</description></metadata>
</package>
"""


class Fake:
    def __init__(self, packages, extra):
        os.makedirs(packages, exist_ok=True)
        self.log = packages + ".log"
        self.process = subprocess.Popen([sys.executable, FAKE, "--packages", packages, "--api-key", KEY, "--log", self.log, *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.port = int(self.process.stdout.readline().decode().split()[1])
        self.v2 = "http://127.0.0.1:%d/feed/api/v2/" % self.port

    def requests(self):
        with open(self.log) as handle:
            return sum(1 for _ in handle)

    def stop(self):
        self.process.kill()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", default=os.path.join(ROOT, ".build", "debug", "ccm-upgrade"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stall-seconds", type=float, default=5)
    parser.add_argument("--out", default="/tmp/ccm-bench-faults")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    source_dir = os.path.join(args.out, "source")
    os.makedirs(source_dir)
    ids = ["Fault.Bench%03d" % i for i in range(args.count)]
    for package_id in ids:
        with zipfile.ZipFile(os.path.join(source_dir, package_id + ".1.0.0.nupkg"), "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(package_id + ".nuspec", NUSPEC.format(id=package_id))
            archive.writestr("tools/noise.bin", os.urandom(16 << 10))
    with open(os.path.join(args.out, "list.txt"), "w") as handle:
        handle.write("".join(i + " 1.0.0\n" for i in ids))
    faults = ["--fault-rate", str(args.rate), "--seed", str(args.seed), "--stall-seconds", str(args.stall_seconds), "--no-hash"]
    source = Fake(source_dir, faults)
    target = Fake(os.path.join(args.out, "target"), faults + ["--duplicate-status", "400", "--seed", str(args.seed + 1)])
    try:
        env = dict(os.environ, CCM_UPGRADE_API_KEY=KEY)
        started = time.monotonic()
        result = subprocess.run([args.tool, "internalize", "--package-list", os.path.join(args.out, "list.txt"), "--from", source.v2,
                                 "--to", target.v2, "--work-directory", os.path.join(args.out, "work"), "--format", "json"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        elapsed = time.monotonic() - started
        summary = json.loads(result.stdout.decode() or "{}")
        identical = sum(1 for package_id in ids
                        if os.path.exists(os.path.join(args.out, "target", package_id + ".1.0.0.nupkg"))
                        and filecmp.cmp(os.path.join(source_dir, package_id + ".1.0.0.nupkg"),
                                        os.path.join(args.out, "target", package_id + ".1.0.0.nupkg"), shallow=False))
        retries = result.stderr.decode().count("trying again")
        print(json.dumps({"exit": result.returncode, "seconds": round(elapsed, 1), "counts": summary.get("counts"),
                          "identicalOnTarget": identical, "requests": {"source": source.requests(), "target": target.requests()},
                          "packageRetries": retries}, indent=2))
        return 0 if result.returncode == 0 and identical == args.count else 1
    finally:
        source.stop()
        target.stop()


if __name__ == "__main__":
    sys.exit(main())
