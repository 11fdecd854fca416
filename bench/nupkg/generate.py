#!/usr/bin/env python3
"""Generates benchmark inputs: N small packages, and one package of a given size (random, stored) with
the nuspec as the LAST entry so a reader that scans local headers must cross the whole payload."""
import os, sys, zipfile

NUSPEC = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>
<id>{id}</id><version>{version}</version><authors>bench</authors><description>benchmark package</description>
<dependencies><dependency id="chocolatey" version="[2.7.0,3.0.0)" /></dependencies></metadata></package>"""

def small(folder, count):
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        pid = f"Bench.Package{i:04d}"
        with zipfile.ZipFile(os.path.join(folder, f"{pid}.1.0.{i}.nupkg"), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{pid}.nuspec", NUSPEC.format(id=pid, version=f"1.0.{i}"))
            z.writestr("tools/chocolateyInstall.ps1", "Write-Host 'bench'\r\n" * 20)
            z.writestr("tools/data.txt", os.urandom(2048))

def big(path, size):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        with z.open("tools/payload.bin", "w", force_zip64=True) as f:
            block = os.urandom(1 << 20)
            for _ in range(size):  # size in MiB
                f.write(block)
        z.writestr("Bench.Big.nuspec", NUSPEC.format(id="Bench.Big", version="1.0.0"))

if sys.argv[1] == "small":
    small(sys.argv[2], int(sys.argv[3]))
else:
    big(sys.argv[2], int(sys.argv[3]))
