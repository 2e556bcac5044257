#!/usr/bin/env python3
"""Loopback webhook receiver for cc-sink's tests (python3 standard library only).

    python3 webhook_receiver.py --port 0 --responses 500,close,429:1,timeout:3,200,400

prints `listening http://127.0.0.1:PORT` and answers POSTs in turn with the
scripted responses (then 200 forever):

    200, 201, 400, 500, ...   that status
    429:N / 503:N             that status with Retry-After: N
    close                     read the request, then drop the connection
    timeout:S                 read the request, then wait S seconds before answering 200
    echo:N                    that status, with the path, query and credential headers echoed in the body
    long:N                    that status, with a body of 300 "x"

GET (or POST) /__requests returns every POST seen so far as a JSON array of
{"status", "headers", "body"} (body as text); POST /__script sets a new
response script ({"responses": [...]}). Bounded: it exits by itself after
--max-seconds (default 600).
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # importing the sibling below must not litter the source tree

from fixture_parent import exit_with_parent  # noqa: E402

LOCK = threading.Lock()
REQUESTS = []
SCRIPT = []
LOG = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout test): nothing to answer

    def do_GET(self):
        if self.path == "/__requests":
            with LOCK:
                data = json.dumps(REQUESTS).encode()
            self._reply(200, data, {"Content-Type": "application/json"})
        else:
            self._reply(404, b"not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/__requests":
            self.do_GET()
            return
        if self.path == "/__script":
            with LOCK:
                SCRIPT[:] = json.loads(body)["responses"]
            self._reply(200, b"{}")
            return
        with LOCK:
            step = SCRIPT.pop(0) if SCRIPT else "200"
        status = 200
        extra = {}
        if step == "close":
            self._record(0, body)
            self.close_connection = True
            self.connection.close()
            return
        if step.startswith("echo:"):
            # What Express and many proxies answer: the request's path, query and credentials echoed back.
            status = int(step.split(":")[1])
            self._record(status, body)
            echo = "<!DOCTYPE html><pre>Cannot POST %s</pre>\nAuthorization: %s\nX-Api-Key: %s\n" % (
                self.path, self.headers.get("Authorization", ""), self.headers.get("X-Api-Key", ""))
            self._reply(status, echo.encode(), {"Content-Type": "text/html"})
            return
        if step.startswith("long:"):
            status = int(step.split(":")[1])
            self._record(status, body)
            self._reply(status, b"x" * 300, {"Content-Type": "text/plain"})
            return
        if step.startswith("timeout"):
            time.sleep(float(step.split(":")[1]) if ":" in step else 5)
            status = 200
        elif ":" in step:
            code, after = step.split(":", 1)
            status = int(code)
            extra["Retry-After"] = after
        else:
            status = int(step)
        self._record(status, body)
        reply = b'{"ok":true}' if status < 300 else b'{"error":"scripted %d"}' % status
        self._reply(status, reply, dict(extra, **{"Content-Type": "application/json"}))

    def _record(self, status, body):
        entry = {
            "status": status,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with LOCK:
            REQUESTS.append(entry)
            if LOG:
                with open(LOG[0], "a") as f:
                    f.write(json.dumps(entry) + "\n")


def main():
    exit_with_parent()
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--responses", default="")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--log", help="also append every request as a JSON line to this file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https with this certificate")
    args = ap.parse_args()
    SCRIPT.extend([s for s in args.responses.split(",") if s])
    if args.log:
        LOG.append(args.log)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    scheme = "http"
    if args.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print("listening %s://127.0.0.1:%d" % (scheme, server.server_address[1]), flush=True)
    threading.Timer(args.max_seconds, lambda: server.shutdown()).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
