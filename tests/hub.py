"""A WebSub hub on loopback for the tests: records every POST, or never answers."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Hub:
    """`mode` is "ok" (202), "fail" (500 for the first `failures` pings, then 202) or "hang"."""

    def __init__(self, mode: str = "ok", failures: int = 0) -> None:
        self.mode, self.failures = mode, failures
        self.pings: list[dict[str, list[str]]] = []
        self.content_types: list[str] = []
        self.release = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if hub.mode == "hang":
                    hub.release.wait(60)  # never answers while the test runs
                    return
                if hub.mode == "fail" and hub.failures > 0:
                    hub.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                hub.pings.append(parse_qs(body))
                hub.content_types.append(self.headers.get("Content-Type", ""))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def urls(self) -> list[str]:
        return sorted(p["hub.url"][0] for p in self.pings)

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.pings) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
