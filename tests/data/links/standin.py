"""A stand-in SPARQL endpoint on 127.0.0.1, for the `kg links` tests: no test leaves the machine.

    python standin.py DATA.ttl [--log FILE] [--delay SECONDS]

Loads DATA.ttl into an in-memory Oxigraph store, listens on a free loopback port, prints the
port on the first line of stdout, then answers SELECT queries (GET ?query=, POST form, or POST
application/sparql-query as Oxigraph's SERVICE sends) with SPARQL JSON results. Paths:

    /sparql        answers
    /slow/sparql   answers after --delay seconds (to test time limits)
    /error/sparql  answers 500 (to test error answers)

Each request is appended to --log as one JSON line: method, path, User-Agent, query.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--delay", type=float, default=5.0)
    args = parser.parse_args()
    store = ox.Store()
    store.load(path=str(args.data), format=ox.RdfFormat.TURTLE)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            self._answer(parts.path, urllib.parse.parse_qs(parts.query).get("query", [""])[0])

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            media_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if media_type == "application/sparql-query":  # as Oxigraph's SERVICE sends it
                query = body
            else:
                query = urllib.parse.parse_qs(body).get("query", [""])[0]
            self._answer(urllib.parse.urlsplit(self.path).path, query)

        def _answer(self, path: str, query: str) -> None:
            if args.log:
                entry = {
                    "method": self.command,
                    "path": path,
                    "user_agent": self.headers.get("User-Agent"),
                    "query": query,
                }
                with args.log.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(entry) + "\n")
            if path == "/slow/sparql":
                time.sleep(args.delay)
            if path == "/error/sparql":
                self._send(500, "text/plain", b"stand-in failure")
                return
            if path not in ("/sparql", "/slow/sparql"):
                self._send(404, "text/plain", b"not found")
                return
            try:
                result = store.query(query)
            except SyntaxError as error:
                self._send(400, "text/plain", str(error).encode("utf-8"))
                return
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            self._send(200, "application/sparql-results+json", body)

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the time-limit test)

        def log_message(self, format: str, *values: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
