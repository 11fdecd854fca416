#!/usr/bin/env python3
"""The peer for bench/nupkg/run.sh: the same job as `ccm-upgrade inspect --format json`, written the
obvious way with zipfile + xml.etree + hashlib (one process, sequential, as a PowerShell-era script would)."""
import hashlib, json, os, sys, zipfile
import xml.etree.ElementTree as ET

def inspect(path):
    h = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        nuspecs = [n for n in names if n.lower().endswith(".nuspec") and "/" not in n]
        if len(nuspecs) != 1:
            raise ValueError(f"{path}: expected one nuspec, found {len(nuspecs)}")
        root = ET.fromstring(z.read(nuspecs[0]))
    meta = next(c for c in root if c.tag.endswith("metadata"))
    ns = meta.tag[: -len("metadata")]
    get = lambda n: (meta.findtext(ns + n) or "").strip()
    deps = [(d.get("id"), d.get("version")) for d in meta.iter(ns + "dependency")]
    return {"path": path, "id": get("id"), "version": get("version"), "size": os.path.getsize(path),
            "sha512": h.hexdigest(), "dependencies": deps, "files": names}

def main():
    paths = []
    for arg in sys.argv[1:]:
        if os.path.isdir(arg):
            for d, _, fs in os.walk(arg):
                paths += [os.path.join(d, f) for f in fs if f.lower().endswith(".nupkg")]
        else:
            paths.append(arg)
    out, errors = [], []
    for p in sorted(paths):
        try:
            out.append(inspect(p))
        except Exception as e:  # keep going, like the tool
            errors.append({"path": p, "error": str(e)})
    json.dump({"packages": out, "errors": errors}, sys.stdout)

main()
