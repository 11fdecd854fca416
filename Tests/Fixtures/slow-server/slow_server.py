#!/usr/bin/env python3
"""TEST FIXTURE for ccm-upgrade's limit and redaction tests: a hostile HTTP server on 127.0.0.1. Never shipped.

Paths:
  GET /dribble     declares 1,000,000 bytes, then sends 2 bytes every 0.5 s (a rate no download should accept)
  GET /endless     a body without end at a healthy rate (64 KiB every 50 ms), no Content-Length
  GET /echo        HTTP 500 whose body echoes every request header (as some proxies' error pages do)
  PUT /multipart   parses the multipart/form-data body with the boundary from Content-Type, as a server does:
                   answers 201 with "<length of the first part's content> <sha256 of it>"
Prints "PORT <n>" once listening; exits when stdin closes (the test process ended).
"""
import hashlib
import http.server
import socketserver
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        try:
            if self.path == "/dribble":
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                for _ in range(500000):
                    self.wfile.write(b"ab")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif self.path == "/endless":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"x" * (64 << 10)
                while True:
                    self.wfile.write(chunk)
                    time.sleep(0.05)
            elif self.path == "/echo":
                body = "".join("%s: %s\n" % (name, value) for name, value in self.headers.items()).encode()
                self.send_response(500)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        boundary = content_type.split("boundary=", 1)[-1].strip().encode()
        delimiter = b"--" + boundary
        parts = body.split(delimiter)
        # parts[0] is the empty preamble, parts[1] the first part: headers, blank line, content, CRLF.
        first = parts[1] if len(parts) > 1 else b""
        content = first.split(b"\r\n\r\n", 1)[-1]
        if content.endswith(b"\r\n"):
            content = content[:-2]
        answer = ("%d %s" % (len(content), hashlib.sha256(content).hexdigest())).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()
