#!/usr/bin/env python3
"""TEST FAKE -- NOT PRODUCT CODE.

A small NuGet feed server for ccm-upgrade's test suite (Python 3 standard library only). It exists because no
real NuGet v3 server, and no v2 server with the edge cases of the community repository, Nexus or ProGet, can
run on Debian 12 offline (see ../shared/reference/nuget.md section 7.5). It is never shipped or installed.

What it serves, under http://127.0.0.1:<port>:
  /feed/api/v2/...            a v2 OData feed over the .nupkg files in --packages (FindPackagesById(),
                              Packages(Id=,Version=), package/<id>/<version> downloads, PUT push)
  /feed/v3/index.json         a v3 service index: flat container /feed/v3/flat/, registrations
                              /feed/v3/registration/, publish /feed/v3/publish
  /rec/<name>/...             recorded responses from the corpus (--corpus/feeds), byte for byte except that the
                              recorded host (https://www.nuget.org/api/v2, http://localhost:9999, ...) is replaced by
                              this server's address, routed as listed in RECORDINGS below

Fault injection (--fault KIND:COUNT[:PATH-SUBSTRING], repeatable): the first COUNT matching requests get
  reset      connection reset (RST) before any response
  reset-mid  headers and half of the body, then RST
  500 / 503 / 406 / 410 / 404  that status
  429        429 with Retry-After: 1
  stall      headers and half of the body, then silence for 30 s (--stall-seconds N to change)
  truncate   full Content-Length announced, half the body sent, connection closed
  wrong-hash the v2 feed publishes a wrong PackageHash (COUNT ignored: always, for matching ids)
  wrong-bytes the download serves the package with one byte flipped (the last one)
  corrupt    the download serves the package with a byte in the middle flipped (inside entry data)
  stored-reset (PUT) the package is stored, then the connection is reset before the answer

Random faults (--fault-rate P, --seed N): each request, with probability P, gets one fault picked at random
(GET: reset, reset-mid, 500, 503, 429, stall, truncate, corrupt; PUT: reset, 500, 503, 429, stored-reset), on
top of the counted --fault rules. --ignore-range answers every download 200 with the whole file, as minchoc
0.2.0 does.

Other switches: --api-key KEY (required for pushes; 401 otherwise), --duplicate-status 409|400 (answer to a push
of an existing id+version; minchoc answers 400), --max-upload BYTES (413 above), --no-hash (publish no
PackageHash, like minchoc), --page-size N (v2 paging with $skip next links), --log FILE (one line per request:
METHOD PATH RANGE). It prints "PORT <n>" on stdout once listening.
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

# Recorded responses: (name, path, required query substrings, file, origin host to replace).
NUGETORG = "https://www.nuget.org"
RECORDINGS = [
    ("ccr", "/api/v2/FindPackagesById()", [], "v2/ccr-FindPackagesById.xml", "http://localhost:9999"),
    ("ccr", "/api/v2/Packages(Id='upgradepackage',Version='2.0.0')", [], "v2/ccr-Packages-upgradepackage-2.0.0.xml", "http://localhost:9999"),
    ("ccr", "/api/v2/", [], "v2/ccr-ServiceDocument.xml", "http://localhost:9999"),
    ("ccr", "/api/v2/$metadata", [], "v2/ccr-metadata.xml", "http://localhost:9999"),
    ("nugetorg", "/api/v2/FindPackagesById()", ["WindowsAzure.ServiceBus", "$skip=100"], "v2/nugetorg-WindowsAzureServiceBus-FindPackageById-Page2.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById()", ["WindowsAzure.ServiceBus"], "v2/nugetorg-WindowsAzureServiceBus-FindPackageById-Page1.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById", ["ravendb.client", "2.0.2183-Unstable"], "v2/nugetorg-RavendbFindPackagesByIdPage2.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById", ["ravendb.client", "1.2.2067-Unstable"], "v2/nugetorg-RavendbFindPackagesByIdPage1.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById()", ["ravendb.client"], "v2/nugetorg-RavendbFindPackagesById.xml", NUGETORG),
    ("cyclic", "/api/v2/FindPackagesById", ["ravendb.client", "2.0.2183-Unstable"], "v2/nugetorg-CyclicDependencyPage2.xml", NUGETORG),
    ("cyclic", "/api/v2/FindPackagesById", ["ravendb.client", "1.2.2067-Unstable"], "v2/nugetorg-CyclicDependencyPage1.xml", NUGETORG),
    ("cyclic", "/api/v2/FindPackagesById()", ["ravendb.client"], "v2/nugetorg-CyclicDependency.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById()", ["xunit"], "v2/nugetorg-XunitFindPackagesById.xml", NUGETORG),
    ("nugetorg", "/api/v2/FindPackagesById()", ["notfound"], "v2/nugetorg-NotFoundFindPackagesById.xml", NUGETORG),
    ("nugetorg", "/api/v2/Search()", ["azure"], "v2/nugetorg-AzureSearch100.xml", NUGETORG),
    ("nexus", "/nexus/service/local/nuget/nuget-public/FindPackagesById()", [], "v2/nexus-FindPackagesById.xml",
     "http://nexus:8080"),
    ("proget", "/nuget/internal-choco/Search()", [], "v2/proget-Search.xml", "http://localhost:9999"),
    ("proget", "/nuget/internal-choco/v3/index.json", [], "v3/proget-index.json", "http://localhost:9999"),
    ("proget", "/nuget/internal-choco/v3/registrations-gz/7zip/index.json", [], "v3/proget-registration-7zip-index.json", "http://localhost:9999"),
    ("proget", "/nuget/internal-choco/v3/registrations-gz/7zip.install/index.json", [], "v3/proget-registration-7zip.install-index.json", "http://localhost:9999"),
    ("error", "/api/v2/FindPackagesById()", [], "v2/nugetclient-500Error.xml", NUGETORG),
]

ATOM = "http://www.w3.org/2005/Atom"


class Fault:
    def __init__(self, spec):
        parts = spec.split(":", 2)
        self.kind = parts[0]
        self.remaining = int(parts[1]) if len(parts) > 1 and parts[1] else 1
        self.match = parts[2] if len(parts) > 2 else ""


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = [Fault(spec) for spec in args.fault]
        self.packages = {}  # (lower id, normalized lower version) -> dict
        self.log = open(args.log, "a") if args.log else None
        self.stall_seconds = args.stall_seconds
        self.random = __import__("random").Random(args.seed)
        self.pending = {}  # thread id -> the random fault drawn for the request that thread serves
        if args.packages:
            for name in sorted(os.listdir(args.packages)):
                if name.endswith(".nupkg"):
                    self.add(os.path.join(args.packages, name))

    def add(self, path):
        info = read_package(path)
        key = (info["id"].lower(), normalize(info["version"]).lower())
        self.packages[key] = info
        return key

    RANDOM_GET = ["reset", "reset-mid", "500", "503", "429", "stall", "truncate", "corrupt"]
    RANDOM_PUT = ["reset", "500", "503", "429", "stored-reset"]

    def draw(self, method):
        # One draw per request, kept until a stage of that request takes it.
        with self.lock:
            kinds = self.RANDOM_PUT if method == "PUT" else self.RANDOM_GET
            hit = self.args.fault_rate > 0 and self.random.random() < self.args.fault_rate
            self.pending[threading.get_ident()] = self.random.choice(kinds) if hit else None

    def take_fault(self, path, kinds):
        # Faults match a substring of "METHOD PATH" (e.g. "PUT /feed/api/v2/" or "/package/").
        with self.lock:
            drawn = self.pending.get(threading.get_ident())
            if drawn in kinds:
                self.pending[threading.get_ident()] = None
                return drawn
            for fault in self.faults:
                if fault.kind in kinds and fault.remaining > 0 and fault.match in path:
                    fault.remaining -= 1
                    return fault.kind
        return None

    def has_fault(self, kind, path):
        return any(f.kind == kind and f.match in path for f in self.faults)


def normalize(version):
    core, _, label = version.partition("-")
    label, _, _ = label.partition("+")
    core = core.partition("+")[0]
    parts = [int(p) for p in core.split(".")] + [0, 0, 0]
    text = "%d.%d.%d" % tuple(parts[:3])
    if len(core.split(".")) > 3 and parts[3] > 0:
        text += ".%d" % parts[3]
    return text + ("-" + label if label else "")


def read_package(path):
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".nuspec") and "/" not in n]
        root = ET.fromstring(archive.read(names[0]))
    metadata = next(child for child in root if child.tag.endswith("metadata"))
    fields = {child.tag.split("}")[-1]: (child.text or "").strip() for child in metadata}
    dependencies = []
    for element in metadata.iter():
        if element.tag.split("}")[-1] == "dependency":
            dependencies.append("%s:%s:" % (element.get("id"), element.get("version") or ""))
    digest = hashlib.sha512()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"id": fields["id"], "version": fields["version"], "path": path, "size": os.path.getsize(path),
            "hash": base64.b64encode(digest.digest()).decode(), "dependencies": "|".join(dependencies)}


def odata_string(query, name):
    match = re.search(r"(?:^|&)" + re.escape(name) + r"='((?:[^']|'')*)'", query)
    return match.group(1).replace("''", "'") if match else None


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ccm-upgrade-fake-feed/1.0"

    def log_message(self, fmt, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def record(self):
        self.state.draw(self.command)
        if self.state.log:
            with self.state.lock:
                self.state.log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))
                self.state.log.flush()

    # ---- faults ---------------------------------------------------------------------------------------

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def early_fault(self):
        kind = self.state.take_fault(self.command + " " + self.path, {"reset", "500", "503", "429", "406", "410", "404"})
        if kind == "reset":
            self.reset()
            return True
        if kind in ("500", "503", "429", "406", "410", "404"):
            body = b"injected fault"
            self.send_response(int(kind))
            if kind == "429":
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        return False

    def send_body(self, status, body, content_type, extra=()):
        kind = self.state.take_fault(self.command + " " + self.path, {"reset-mid", "stall", "truncate"})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if kind is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        if kind == "reset-mid":
            self.reset()
        elif kind == "stall":
            time.sleep(self.state.stall_seconds)
            self.close_connection = True
        else:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)

    def send_status(self, status, message=""):
        body = message.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # ---- routing --------------------------------------------------------------------------------------

    def do_GET(self):
        self.record()
        if self.early_fault():
            return
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path)
        query = urllib.parse.unquote(parsed.query)
        if path.startswith("/rec/"):
            return self.recorded(path[len("/rec/"):], query)
        if path.startswith("/feed/api/v2"):
            return self.v2(path[len("/feed/api/v2"):], query)
        if path.startswith("/feed/v3"):
            return self.v3(path[len("/feed/v3"):])
        self.send_status(404, "not found")

    def do_PUT(self):
        self.record()
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self.send_status(400, "chunked uploads are not accepted (like minchoc)")
        # Stream the body to disk (packages may be 1 GiB in the benchmark), then cut the first part out.
        spool = os.path.join(self.state.args.packages, ".body-%d.tmp" % threading.get_ident())
        with open(spool, "wb") as handle:
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                handle.write(chunk)
                remaining -= len(chunk)
        try:
            return self.store_upload(spool, length)
        finally:
            if os.path.exists(spool):
                os.unlink(spool)

    def store_upload(self, spool, length):
        if self.early_fault():
            return
        path = urllib.parse.urlsplit(self.path).path
        # NuGet push URL rule: the source as given ("/feed/api/v2/") or the legacy "/api/v2/package/" form.
        if path not in ("/feed/api/v2/", "/feed/api/v2/package/", "/feed/v3/publish"):
            return self.send_status(404, "no push endpoint here")
        if self.state.args.api_key and self.headers.get("X-NuGet-ApiKey") != self.state.args.api_key:
            return self.send_status(401, "bad api key")
        if self.state.args.max_upload and length > self.state.args.max_upload:
            return self.send_status(413, "Request Entity Too Large")
        boundary = re.search(r'boundary="?([^";]+)"?', self.headers.get("Content-Type", ""))
        if not boundary:
            return self.send_status(400, "expected multipart/form-data")
        marker = b"--" + boundary.group(1).encode()
        size = os.path.getsize(spool)
        with open(spool, "rb") as handle:
            head = handle.read(min(size, 64 << 10))
            start = head.find(b"\r\n\r\n", head.find(marker)) + 4
            handle.seek(max(0, size - 4096))
            tail = handle.read()
        end = size - len(tail) + tail.rfind(b"\r\n" + marker)
        if start < 4 or end < start:
            return self.send_status(400, "malformed multipart body")
        temporary = os.path.join(self.state.args.packages, ".upload-%d.tmp" % threading.get_ident())
        with open(spool, "rb") as source, open(temporary, "wb") as target:
            source.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = source.read(min(remaining, 1 << 20))
                target.write(chunk)
                remaining -= len(chunk)
        try:
            info = read_package(temporary)
        except Exception as error:  # noqa: BLE001 - a test fake reports any parse failure as 400
            os.unlink(temporary)
            return self.send_status(400, "invalid package: %s" % error)
        key = (info["id"].lower(), normalize(info["version"]).lower())
        with self.state.lock:
            if key in self.state.packages:
                os.unlink(temporary)
                return self.send_status(self.state.args.duplicate_status, "package already exists")
            final = os.path.join(self.state.args.packages, "%s.%s.nupkg" % (info["id"], normalize(info["version"])))
            os.rename(temporary, final)
            self.state.add(final)
        if self.state.take_fault(self.command + " " + self.path, {"stored-reset"}):
            return self.reset()
        self.send_status(201, "created")

    # ---- recordings -----------------------------------------------------------------------------------

    def recorded(self, rest, query):
        name, _, path = rest.partition("/")
        path = "/" + path
        for route_name, route_path, needles, file, origin in RECORDINGS:
            if route_name == name and route_path == path and all(n in query for n in needles):
                data = open(os.path.join(self.state.args.corpus, file), "rb").read()
                data = data.replace(origin.encode(), (self.base() + "/rec/" + name).encode())
                kind = "application/json" if file.endswith(".json") else "application/atom+xml;charset=utf-8"
                status = 500 if name == "error" else 200
                return self.send_body(status, data, kind)
        self.send_status(404, "no recording for %s %s?%s" % (name, path, query))

    # ---- v2 over --packages ---------------------------------------------------------------------------

    def entry(self, info):
        version = info["version"]
        package_hash = "" if self.state.args.no_hash else info["hash"]
        if self.state.has_fault("wrong-hash", info["id"]):
            package_hash = base64.b64encode(hashlib.sha512(b"not the package").digest()).decode()
        src = "%s/feed/api/v2/package/%s/%s" % (self.base(), info["id"], version)
        return (
            "<entry><id>%s/feed/api/v2/Packages(Id='%s',Version='%s')</id><title type=\"text\">%s</title>"
            "<updated>2026-11-01T00:00:00Z</updated><content type=\"application/zip\" src=\"%s\" />"
            "<m:properties><d:Version>%s</d:Version><d:PackageHash>%s</d:PackageHash>"
            "<d:PackageHashAlgorithm>SHA512</d:PackageHashAlgorithm><d:PackageSize m:type=\"Edm.Int64\">%d</d:PackageSize>"
            "<d:Dependencies>%s</d:Dependencies><d:Published m:type=\"Edm.DateTime\">2026-11-01T00:00:00</d:Published>"
            "</m:properties></entry>"
        ) % (self.base(), info["id"], version, info["id"], src, version, package_hash, info["size"], info["dependencies"])

    def feed(self, entries, next_link=None):
        link = '<link rel="next" href="%s" />' % next_link.replace("&", "&amp;") if next_link else ""
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xml:base="%s/feed/api/v2/" xmlns="%s" '
            'xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" '
            'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><title type="text">Packages</title>%s%s</feed>'
        ) % (self.base(), ATOM, "".join(entries), link)

    def v2(self, path, query):
        if path.startswith("/FindPackagesById"):
            wanted = (odata_string(query, "id") or "").lower()
            matches = sorted((v for (i, _), v in self.state.packages.items() if i == wanted), key=lambda v: normalize(v["version"]))
            size = self.state.args.page_size
            skip = int(re.search(r"\$skip=(\d+)", query).group(1)) if "$skip=" in query else 0
            page = matches[skip: skip + size] if size else matches
            next_link = None
            if size and skip + size < len(matches):
                next_link = "%s/feed/api/v2/FindPackagesById()?id='%s'&$skip=%d" % (self.base(), wanted, skip + size)
            body = self.feed([self.entry(v) for v in page], next_link)
            return self.send_body(200, body.encode(), "application/atom+xml;charset=utf-8")
        match = re.match(r"^/Packages\(Id='([^']*)',Version='([^']*)'\)$", path)
        if match:
            info = self.state.packages.get((match.group(1).lower(), normalize(match.group(2)).lower()))
            if not info:
                return self.send_status(404, "Resource not found")
            body = '<?xml version="1.0" encoding="utf-8"?>' + self.entry(info).replace(
                "<entry>", '<entry xmlns="%s" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" '
                'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' % ATOM, 1)
            return self.send_body(200, body.encode(), "application/atom+xml;charset=utf-8")
        match = re.match(r"^/package/([^/]+)/([^/]+)$", path)
        if match:
            info = self.state.packages.get((match.group(1).lower(), normalize(match.group(2)).lower()))
            return self.download(info)
        self.send_status(404, "not found")

    def download(self, info):
        if not info:
            return self.send_status(404, "no such package")
        size = info["size"]
        start = 0
        requested = None if self.state.args.ignore_range else self.headers.get("Range")
        if requested:
            match = re.match(r"bytes=(\d+)-$", requested)
            start = int(match.group(1)) if match else 0
            if start >= size:
                return self.send_status(416, "range not satisfiable")
        faulty = self.state.take_fault(self.command + " " + self.path, {"wrong-bytes", "corrupt"}) or \
            self.state.has_fault("reset-mid", self.path) or self.state.has_fault("stall", self.path) or \
            self.state.has_fault("truncate", self.path)
        if faulty or size < (8 << 20):
            data = open(info["path"], "rb").read()
            if faulty == "wrong-bytes":
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            elif faulty == "corrupt":
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
            if requested:
                return self.send_body(206, data[start:], "application/octet-stream",
                                      [("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))])
            return self.send_body(200, data, "application/octet-stream", [("Accept-Ranges", "bytes")])
        # Large files are streamed from disk.
        self.send_response(206 if requested else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size - start))
        if requested:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.end_headers()
        with open(info["path"], "rb") as handle:
            handle.seek(start)
            while True:
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                self.wfile.write(chunk)

    # ---- v3 over --packages ---------------------------------------------------------------------------

    def v3(self, path):
        base = self.base() + "/feed/v3"
        if path == "/index.json":
            index = {"version": "3.0.0", "resources": [
                {"@id": base + "/flat", "@type": "PackageBaseAddress/3.0.0"},
                {"@id": base + "/publish", "@type": "PackagePublish/2.0.0"},
                {"@id": base + "/registration/", "@type": "RegistrationsBaseUrl/3.6.0"},
            ]}
            return self.send_body(200, json.dumps(index).encode(), "application/json")
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "flat" and parts[2] == "index.json":
            versions = sorted(normalize(v["version"]).lower() for (i, _), v in self.state.packages.items() if i == parts[1])
            if not versions:
                return self.send_status(404, "unknown id")
            return self.send_body(200, json.dumps({"versions": versions}).encode(), "application/json")
        if len(parts) == 4 and parts[0] == "flat":
            info = self.state.packages.get((parts[1], parts[2]))
            if info and parts[3] != "%s.%s.nupkg" % (parts[1], parts[2]):
                info = None
            return self.download(info)
        if len(parts) == 3 and parts[0] == "registration" and parts[2] == "index.json":
            leaves = []
            for (i, _), v in sorted(self.state.packages.items()):
                if i != parts[1]:
                    continue
                deps = [{"id": d.split(":")[0], "range": d.split(":")[1]} for d in v["dependencies"].split("|") if d]
                leaves.append({"catalogEntry": {"id": v["id"], "version": normalize(v["version"]), "listed": True,
                                                "dependencyGroups": [{"dependencies": deps}]},
                               "packageContent": "%s/flat/%s/%s/%s.%s.nupkg" % (base, i, normalize(v["version"]).lower(), i,
                                                                                normalize(v["version"]).lower())})
            if not leaves:
                return self.send_status(404, "unknown id")
            document = {"count": 1, "items": [{"count": len(leaves), "items": leaves}]}
            return self.send_body(200, json.dumps(document).encode(), "application/json")
        self.send_status(404, "not found")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: with more concurrent clients the kernel drops SYNs and
    # each dropped connect waits a second for its retransmission. Real feeds (Nexus, ProGet, IIS) listen
    # with backlogs in the hundreds.
    request_queue_size = 128
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description="TEST FAKE NuGet feed for ccm-upgrade tests (not product code)")
    parser.add_argument("--packages", required=True, help="folder of .nupkg files served and pushed to")
    parser.add_argument("--corpus", default="", help="the corpus feeds/ folder, for /rec/ recordings")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--api-key", default="")
    parser.add_argument("--duplicate-status", type=int, default=409)
    parser.add_argument("--max-upload", type=int, default=0)
    parser.add_argument("--no-hash", action="store_true")
    parser.add_argument("--page-size", type=int, default=0)
    parser.add_argument("--log", default="")
    parser.add_argument("--stall-seconds", type=float, default=30)
    parser.add_argument("--fault-rate", type=float, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ignore-range", action="store_true")
    args = parser.parse_args()
    # A test runner may start us with signals blocked: unblock them, and exit when the parent goes away.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
