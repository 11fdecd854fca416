#!/usr/bin/env python3
"""Hashing at the machine's limit (issue 13, section 5), ratios printed in one run.

SHA-512 and SHA-256 of one generated file (default 1 GiB, kept in the page cache) by `ccm-upgrade checksum`
against `openssl dgst` (the fastest implementation on the machine) and coreutils' `sha512sum`/`sha256sum`;
also the tool with CCM_UPGRADE_HASHING=swift-crypto, its fallback, for context. The contenders alternate and
each keeps its best of --runs (two shared vCPUs change speed from minute to minute). Every digest printed by
the four is compared: a contender that disagrees fails the run.

Usage: bench/hash/run.py [--tool .build/release/ccm-upgrade] [--size-mib 1024] [--runs 3] [--file PATH]
Target: the tool's throughput >= 0.9x openssl dgst, for both algorithms.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(command, env=None):
    """Wall time of `command` and the first word of its output (the digest)."""
    started = time.monotonic()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=True)
    elapsed = time.monotonic() - started
    words = result.stdout.decode().split()
    # openssl dgst -r prints "<hex> *<file>"; the others "<hex>  <file>".
    return elapsed, words[0] if words else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", default=os.path.join(ROOT, ".build", "release", "ccm-upgrade"))
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", help="hash this file instead of generating one")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="ccm-bench-hash-")
    path = args.file or os.path.join(folder, "payload.bin")
    try:
        if not args.file:
            with open(path, "wb") as handle:
                for _ in range(args.size_mib):
                    handle.write(os.urandom(1 << 20))
        size = os.path.getsize(path)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)  # into the page cache
        fallback = dict(os.environ, CCM_UPGRADE_HASHING="swift-crypto")
        failed = False
        print("file: %s (%.0f MiB), best of %d runs each" % (path, size / (1 << 20), args.runs))
        for algorithm in ("sha512", "sha256"):
            contenders = {
                "ccm-upgrade": ([args.tool, "checksum", "--type", algorithm, path], None),
                "openssl dgst": (["openssl", "dgst", "-" + algorithm, "-r", path], None),
                algorithm + "sum": [[algorithm + "sum", path], None],
                "ccm-upgrade (swift-crypto)": ([args.tool, "checksum", "--type", algorithm, path], fallback),
            }
            best = {name: float("inf") for name in contenders}
            digests = {}
            for _ in range(args.runs):
                for name, (command, env) in contenders.items():
                    elapsed, digest = run(command, env)
                    best[name] = min(best[name], elapsed)
                    digests.setdefault(name, digest)
            if len(set(digests.values())) != 1:
                print("  %s: the digests differ: %s" % (algorithm, digests))
                failed = True
            openssl = best["openssl dgst"]
            print("%s:" % algorithm.upper())
            for name, seconds in best.items():
                print("  %-28s %6.2f s  %6.2f GB/s  %5.2fx openssl dgst" % (name, seconds, size / seconds / 1e9, openssl / seconds))
            ratio = openssl / best["ccm-upgrade"]
            print("  ratio tool/openssl: %.2fx (target >= 0.9x: %s); vs %ssum: %.2fx"
                  % (ratio, "met" if ratio >= 0.9 else "NOT met", algorithm, best[algorithm + "sum"] / best["ccm-upgrade"]))
        return 1 if failed else 0
    finally:
        if not args.file and os.path.exists(path):
            os.remove(path)
        os.rmdir(folder)


if __name__ == "__main__":
    sys.exit(main())
