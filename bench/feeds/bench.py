#!/usr/bin/env python3
"""Feed benchmarks for ccm-upgrade (issue 4, section 6), over loopback, ratios printed in one run.

1. Download and push of a generated large package (default 1 GiB) through the test fake feed server,
   `ccm-upgrade download` / `push` against `curl` doing the same transfer; the tool's peak RSS.
2. Internalize N small packages (default 500) between two feeds: `ccm-upgrade internalize` against a
   sequential curl loop (download + push per package, like the docs' PowerShell loop) over HTTP, and
   folder to folder against the nuget 2.8.7 CLI (`nuget install` + `nuget push` per package; measured on a
   subset and extrapolated, since Mono needs about a second per call).

Both feeds are the project's TEST FAKE (Tests/Fixtures/fake-feed/fake_feed.py), the same server for the
tool and for curl, so the server's own cost is in both sides of each ratio.

Usage: bench/feeds/bench.py [--tool .build/release/ccm-upgrade] [--size-mib 1024] [--count 500]
                            [--nuget-count 20] [--jobs 8] [--out bench/out/feeds]
Targets (issue 4): >= 0.8x curl throughput per transfer; peak RSS <= 64 MiB for the 1 GiB package;
>= 3x faster than the curl loop; >= 20x faster than the nuget CLI.
"""
import argparse
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
  <metadata><id>{id}</id><version>{version}</version><authors>bench</authors><description>benchmark package</description></metadata>
</package>
"""


CONTENT_TYPES = """<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="bin" ContentType="application/octet" />
  <Default Extension="txt" ContentType="application/octet" />
</Types>"""

RELS = """<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/{id}.nuspec" Id="R0" />
</Relationships>"""


def make_package(path, package_id, version, payload_mib=0, small_payload=b""):
    """A minimal OPC package (NuGet 2.8.7 needs [Content_Types].xml and _rels/.rels)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS.format(id=package_id))
        archive.writestr(package_id + ".nuspec", NUSPEC.format(id=package_id, version=version))
        if payload_mib:
            with archive.open("tools/payload.bin", "w", force_zip64=True) as handle:
                for _ in range(payload_mib):
                    handle.write(os.urandom(1 << 20))
        else:
            archive.writestr("tools/readme.txt", small_payload)


class Fake:
    def __init__(self, packages, extra=()):
        os.makedirs(packages, exist_ok=True)
        self.process = subprocess.Popen([sys.executable, FAKE, "--packages", packages, "--api-key", KEY, *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.process.stdout.readline().decode()
        self.port = int(line.split()[1])
        self.v2 = "http://127.0.0.1:%d/feed/api/v2/" % self.port

    def stop(self):
        self.process.kill()
        self.process.wait()


def timed(command, env=None, cwd=None):
    """Runs command under /usr/bin/time; returns (seconds, peak RSS in MiB)."""
    report = "/tmp/ccm-bench-time-%d" % os.getpid()
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report, *command], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit("failed (%d): %s\n%s" % (result.returncode, " ".join(command), result.stderr.decode()[-2000:]))
    with open(report) as handle:
        rss_kib = int(handle.read().strip().splitlines()[-1])
    os.unlink(report)
    return elapsed, rss_kib / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", default=os.path.join(ROOT, ".build", "release", "ccm-upgrade"))
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--nuget-count", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "feeds"))
    args = parser.parse_args()
    if not os.access(args.tool, os.X_OK):
        raise SystemExit("%s not found: bash scripts/build-release.sh first (or pass --tool)" % args.tool)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    env = dict(os.environ, CCM_UPGRADE_API_KEY=KEY, CCM_UPGRADE_FEEDS_CONFIG="", HOME=args.out)
    results = {}

    # 1. Large package.
    big_dir = os.path.join(args.out, "big-src")
    os.makedirs(big_dir)
    big = os.path.join(big_dir, "Bench.Big.1.0.0.nupkg")
    print("generating a %d MiB package..." % args.size_mib, flush=True)
    make_package(big, "Bench.Big", "1.0.0", payload_mib=args.size_mib)
    size_mib = os.path.getsize(big) / (1 << 20)
    source = Fake(big_dir)
    try:
        url = source.v2 + "package/Bench.Big/1.0.0"
        tool_dl, tool_dl_rss = timed([args.tool, "download", "Bench.Big", "--source", source.v2, "--output-directory",
                                      os.path.join(args.out, "dl-tool")], env=env)
        os.makedirs(os.path.join(args.out, "dl-curl"))
        curl_dl, _ = timed(["curl", "-sSf", "-o", os.path.join(args.out, "dl-curl", "Bench.Big.1.0.0.nupkg"), url])
        # The tool verifies SHA-512 while downloading; curl does not. For context: curl, then sha512sum.
        hash_only, _ = timed(["sha512sum", os.path.join(args.out, "dl-curl", "Bench.Big.1.0.0.nupkg")])
    finally:
        source.stop()
    for name in ("push-tool", "push-curl"):
        os.makedirs(os.path.join(args.out, name))
    target = Fake(os.path.join(args.out, "push-tool"))
    try:
        tool_push, tool_push_rss = timed([args.tool, "push", big, "--source", target.v2], env=env)
    finally:
        target.stop()
    target = Fake(os.path.join(args.out, "push-curl"))
    try:
        curl_push, _ = timed(["curl", "-sSf", "-o", "/dev/null", "-X", "PUT", "-H", "X-NuGet-ApiKey: " + KEY, "-H", "Expect:",
                              "-F", "package=@%s;filename=package.nupkg" % big, target.v2])
    finally:
        target.stop()
    os.unlink(big)
    shutil.rmtree(os.path.join(args.out, "dl-tool"))
    shutil.rmtree(os.path.join(args.out, "dl-curl"))
    results["large"] = {
        "size_mib": round(size_mib, 1),
        "download": {"tool_s": round(tool_dl, 2), "curl_s": round(curl_dl, 2), "throughput_ratio": round(curl_dl / tool_dl, 2),
                     "curl_then_sha512sum_s": round(curl_dl + hash_only, 2),
                     "tool_peak_rss_mib": round(tool_dl_rss, 1)},
        "push": {"tool_s": round(tool_push, 2), "curl_s": round(curl_push, 2), "throughput_ratio": round(curl_push / tool_push, 2),
                 "tool_peak_rss_mib": round(tool_push_rss, 1)},
    }
    shutil.rmtree(os.path.join(args.out, "push-tool"))
    shutil.rmtree(os.path.join(args.out, "push-curl"))

    # 2. Many small packages.
    small_dir = os.path.join(args.out, "small-src")
    os.makedirs(small_dir)
    ids = ["Bench.Small%03d" % i for i in range(args.count)]
    print("generating %d small packages..." % args.count, flush=True)
    for package_id in ids:
        make_package(os.path.join(small_dir, package_id + ".1.0.0.nupkg"), package_id, "1.0.0", small_payload=os.urandom(2048))
    with open(os.path.join(args.out, "list.txt"), "w") as handle:
        handle.write("".join(i + " 1.0.0\n" for i in ids))
    source = Fake(small_dir)
    try:
        target = Fake(os.path.join(args.out, "t-tool"))
        try:
            tool_many, tool_many_rss = timed([args.tool, "internalize", "--package-list", os.path.join(args.out, "list.txt"), "--from",
                                              source.v2, "--to", target.v2, "--jobs", str(args.jobs), "--work-directory",
                                              os.path.join(args.out, "w-tool")], env=env)
        finally:
            target.stop()
        target = Fake(os.path.join(args.out, "t-curl"))
        work = os.path.join(args.out, "w-curl")
        os.makedirs(work)
        started = time.monotonic()
        try:
            for package_id in ids:
                path = os.path.join(work, package_id + ".1.0.0.nupkg")
                subprocess.run(["curl", "-sSf", "-o", path, source.v2 + "package/%s/1.0.0" % package_id], check=True)
                subprocess.run(["curl", "-sSf", "-o", "/dev/null", "-X", "PUT", "-H", "X-NuGet-ApiKey: " + KEY, "-H", "Expect:",
                                "-F", "package=@%s;filename=package.nupkg" % path, target.v2], check=True)
            curl_many = time.monotonic() - started
        finally:
            target.stop()
        # The nuget CLI reads a folder source far more reliably than a v2 server it cannot query well, so that
        # comparison is folder to folder, for the tool as well.
        tool_folder, _ = timed([args.tool, "internalize", "--package-list", os.path.join(args.out, "list.txt"), "--from",
                                small_dir, "--to", os.path.join(args.out, "t-tool-folder"), "--jobs", str(args.jobs),
                                "--work-directory", os.path.join(args.out, "w-tool-folder")], env=env)
        nuget_many = None
        if shutil.which("nuget") and args.nuget_count > 0:
            target_folder = os.path.join(args.out, "t-nuget")
            work = os.path.join(args.out, "w-nuget")
            os.makedirs(work)
            os.makedirs(target_folder)
            subset = ids[: args.nuget_count]
            started = time.monotonic()
            for package_id in subset:
                subprocess.run(["timeout", "120", "nuget", "install", package_id, "-Version", "1.0.0", "-Source", small_dir,
                                "-OutputDirectory", work, "-NonInteractive"], check=True, cwd="/", env=env,
                               stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
                # nuget 2.8.7 re-resolves absolute package paths under the current directory: run from / with a relative path.
                relative = os.path.relpath(os.path.join(work, package_id + ".1.0.0", package_id + ".1.0.0.nupkg"), "/")
                subprocess.run(["timeout", "120", "nuget", "push", relative, "-Source", target_folder, "-NonInteractive"],
                               check=True, cwd="/", env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            nuget_many = (time.monotonic() - started) / len(subset) * len(ids)
    finally:
        source.stop()
    results["internalize"] = {
        "packages": args.count, "jobs": args.jobs, "tool_s": round(tool_many, 2), "tool_peak_rss_mib": round(tool_many_rss, 1),
        "curl_loop_s": round(curl_many, 2), "speedup_vs_curl_loop": round(curl_many / tool_many, 2),
        "tool_folder_to_folder_s": round(tool_folder, 2),
        "nuget_cli_s_extrapolated": round(nuget_many, 1) if nuget_many else None,
        "nuget_measured_packages": args.nuget_count if nuget_many else 0,
        "speedup_vs_nuget_cli": round(nuget_many / tool_folder, 1) if nuget_many else None,
    }

    with open(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    large, many = results["large"], results["internalize"]
    print("\n%.0f MiB package over loopback:" % large["size_mib"])
    for kind in ("download", "push"):
        row = large[kind]
        print("  %-8s tool %6.2f s  curl %6.2f s  throughput %.2fx curl (target >= 0.8)  peak RSS %.1f MiB (target <= 64)"
              % (kind, row["tool_s"], row["curl_s"], row["throughput_ratio"], row["tool_peak_rss_mib"]))
    print("  (download with verification: curl then sha512sum takes %.2f s)" % large["download"]["curl_then_sha512sum_s"])
    print("internalize %d small packages (--jobs %d):" % (many["packages"], many["jobs"]))
    print("  tool %.2f s; sequential curl loop %.2f s: %.1fx faster (target >= 3)"
          % (many["tool_s"], many["curl_loop_s"], many["speedup_vs_curl_loop"]))
    if many["speedup_vs_nuget_cli"]:
        print("  folder to folder: tool %.2f s; nuget CLI install+push %.1f s (extrapolated from %d packages): %.1fx faster (target >= 20)"
              % (many["tool_folder_to_folder_s"], many["nuget_cli_s_extrapolated"], many["nuget_measured_packages"],
                 many["speedup_vs_nuget_cli"]))
    print("results: %s" % os.path.join(args.out, "results.json"))


if __name__ == "__main__":
    main()
