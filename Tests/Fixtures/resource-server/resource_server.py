#!/usr/bin/env python3
"""TEST FIXTURE for ccm-upgrade's internalizing tests: serves generated installer files on 127.0.0.1, with faults.
Never shipped.

Usage: resource_server.py ROOT LOG
  GET  /files/NAME           ROOT/NAME (200, or 206 for a Range request: downloads resume)
  GET  /reset/NAME           headers and half the body, then the connection is reset (every time)
  GET  /reset-once/NAME      like /reset the first time, then like /files (Range honoured): a download that resumes
  GET  /truncate/NAME        the full Content-Length declared, half the body sent, connection closed (every time)
  GET  /wrong/NAME           the right size, other bytes (the checksum cannot match)
  GET  /missing/NAME         404
  PUT  /upload/PATH          stores the body under ROOT/uploaded/PATH (201); an existing file is refused (409)
/files answers carry validators as nginx's static files do [nginx docs, ngx_http_core_module etag; RFC 9110
8.8.2-8.8.3]: ETag "<mtime hex>-<size hex>" and Last-Modified; a request whose If-None-Match names the current
ETag (or, without one, whose If-Modified-Since is not older than the file) gets 304 and no body [RFC 9110 13.1].
Each request is appended to LOG as "METHOD PATH RANGE", a 304 answer also as "NOT-MODIFIED PATH -".
Prints "PORT <n>" once listening; exits when stdin closes.
"""
import email.utils
import http.server
import os
import socket
import socketserver
import struct
import sys
import threading

ROOT = sys.argv[1]
LOG = sys.argv[2]
LOCK = threading.Lock()
SEEN = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self):
        with LOCK:
            with open(LOG, "a") as log:
                log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))

    def reset(self):
        # SO_LINGER with a zero timeout: close() sends RST, as a dropped connection does.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self):
        self.record()
        parts = self.path.split("/", 2)
        if len(parts) != 3 or "/" in parts[2] or parts[2].startswith("."):
            self.send_error(404)
            return
        mode, name = parts[1], parts[2]
        path = os.path.join(ROOT, name)
        if mode == "missing" or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as handle:
            data = handle.read()
        stat = os.stat(path)
        etag = '"%x-%x"' % (int(stat.st_mtime), stat.st_size)
        last_modified = email.utils.formatdate(int(stat.st_mtime), usegmt=True)
        if mode == "files":
            match = self.headers.get("If-None-Match")
            since = self.headers.get("If-Modified-Since")
            unchanged = match == etag if match is not None else (
                since is not None and email.utils.parsedate_to_datetime(since).timestamp() >= int(stat.st_mtime))
            if unchanged:
                with LOCK:
                    with open(LOG, "a") as log:
                        log.write("NOT-MODIFIED %s -\n" % self.path)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
        if mode == "reset-once":
            with LOCK:
                first = name not in SEEN
                SEEN.add(name)
            mode = "reset" if first else "files"
        if mode == "wrong":
            data = bytes((b ^ 0x5A) for b in data[:4096]) + data[4096:]
        start = 0
        ranged = self.headers.get("Range")
        if mode == "files" and ranged and ranged.startswith("bytes=") and ranged.endswith("-"):
            start = int(ranged[6:-1])
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        if mode == "files":
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
        self.end_headers()
        try:
            if mode in ("reset", "truncate"):
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                if mode == "reset":
                    self.reset()
                else:
                    self.close_connection = True
                return
            self.wfile.write(data[start:])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_PUT(self):
        self.record()
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        relative = self.path[len("/upload/"):] if self.path.startswith("/upload/") else ""
        if not relative or ".." in relative.split("/"):
            self.send_error(400)
            return
        target = os.path.join(ROOT, "uploaded", relative)
        if os.path.exists(target):
            self.send_error(409)
            return
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()
