"""Hostile HTTP input: every answer a clean 4xx (or the normal answer), never a traceback.

The app is tested directly for what it decides itself; the malformed requests a WSGI
test client cannot even express (a 100 KB request line, a 1 MB header, raw bytes) go
over a real socket to `aggregator serve`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html.parser import HTMLParser

import pytest
from conftest import Workspace, article
from test_serve_e2e import SECRET_MARKER, Daemon, make_site

from aggregator.config import load_config
from aggregator.serve.web import MAX_URL_LENGTH, create_app, loggable

HOSTILE_TITLE = '<script>alert("site")</script> & "quotes" <b onmouseover=x>'


@pytest.fixture
def site(ws: Workspace):
    """A real build whose site title, description and topics all carry markup."""
    ws.write_config(
        {
            "site": {
                "base_url": "https://feeds.example.org/",
                "title": HOSTILE_TITLE,
                "description": "<img src=x onerror=alert(1)> desc",
            }
        }
    )
    ws.add("a.md", article(topics=['"><img src=x onerror=alert(2)>', "<i>Robotics</i>", "AI"]))
    ws.build()
    an_hour_ago = time.time() - 3600
    for path in ws.output.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))  # settled: Last-Modified is sent
    return create_app(load_config(ws.config)).test_client()


# --- what the app decides ------------------------------------------------------------------


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.urls: list[str] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._open.append(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src"):
                self.urls.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open[-1]] = self.text.get(self._open[-1], "") + data


def test_index_escapes_everything_it_shows(site) -> None:
    response = site.get("/")
    assert response.status_code == 200
    page = Page()
    page.feed(response.data.decode("utf-8"))
    assert page.tags <= {
        "html",
        "head",
        "meta",
        "title",
        "link",
        "style",
        "body",
        "h1",
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "a",
    }
    assert not {name for name in page.attributes if name.startswith("on")}
    assert all(url.startswith("https://feeds.example.org/") for url in page.urls)
    # The markup arrives as the text it is, not as elements.
    assert page.text["h1"] == HOSTILE_TITLE
    assert page.text["title"] == HOSTILE_TITLE
    assert "onerror" not in response.data.decode().replace("&lt;img src=x onerror=alert(1)&gt;", "")


@pytest.mark.parametrize("length", [MAX_URL_LENGTH + 1, 20_000])
def test_overlong_urls_are_414(site, length: int) -> None:
    assert site.get("/feeds/" + "a" * length + ".atom").status_code == 414
    assert site.get("/feeds/all.atom?" + "q" * length).status_code == 414
    assert site.get("/feeds/" + "a" * 4000 + ".atom").status_code == 404  # long, but allowed: not found


def test_slug_too_long_for_the_file_system_is_404_not_500(site, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        response = site.get("/feeds/" + "a" * 300 + ".atom")
    assert response.status_code == 404
    assert not caplog.records


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "0",
        "-1",
        "99999999999999999999",
        "Mon, 32 Foo 2024 25:61:61 GMT",
        "Sat, 01 Jan 10000 00:00:00 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT; length=12",
        "\x00\x01",
        "x" * 8000,
    ],
)
def test_bad_if_modified_since_is_ignored(site, value: str) -> None:
    response = site.get("/feeds/all.atom", headers={"If-Modified-Since": value})
    assert response.status_code == 200
    assert response.data.startswith(b"<?xml")


def test_if_modified_since_in_the_future_is_ignored(site) -> None:
    future = format_datetime(datetime.now(UTC) + timedelta(days=3650), usegmt=True)
    assert site.get("/feeds/all.atom", headers={"If-Modified-Since": future}).status_code == 200
    now = format_datetime(datetime.now(UTC), usegmt=True)
    assert site.get("/feeds/all.atom", headers={"If-Modified-Since": now}).status_code == 304


@pytest.mark.parametrize("method", ["PROPFIND", "BREW", "TRACE", "CONNECT", "PATCH", "DELETE", "PUT"])
def test_unknown_methods_are_405(site, method: str) -> None:
    response = site.open("/feeds/all.atom", method=method)
    assert response.status_code == 405
    assert {"GET", "HEAD"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_client_strings_are_logged_as_one_bounded_line() -> None:
    forged = "/x\n2024-01-01 00:00:00 ERROR forged line\r\x1b[31m" + "y" * 10_000
    shown = loggable(forged)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert len(shown) < 300


# --- over a real socket ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    daemon = Daemon(make_site(tmp_path_factory.mktemp("http-input"), articles=5))
    try:
        daemon.wait_healthy()
        yield daemon
    finally:
        daemon.stop()


def raw(daemon: Daemon, data: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; the status and the body of the answer."""
    with socket.create_connection(("127.0.0.1", daemon.site.port), timeout=10) as sock:
        # The server may answer and close before reading it all.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def get(target: bytes, *headers: bytes, method: bytes = b"GET") -> bytes:
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", *headers, b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


CASES = {
    "request line of 100 KB": (get(b"/feeds/" + b"a" * 100_000 + b".atom"), {414, 431}),
    "URL of 20 KB": (get(b"/feeds/" + b"a" * 20_000 + b".atom"), {414}),
    "header of 1 MB": (get(b"/", b"X-Big: " + b"b" * 1_000_000), {431}),
    "20,000 headers": (get(b"/", *(b"X-%d: y" % i for i in range(20_000))), {431}),
    "body of 100 MB announced": (
        get(b"/feeds/all.atom", b"Content-Length: 100000000", method=b"POST"),
        {413},
    ),
    "PROPFIND": (get(b"/", method=b"PROPFIND"), {405}),
    "BREW": (get(b"/feeds/all.atom", method=b"BREW"), {405}),
    "control byte in method": (get(b"/", method=b"G\x01T"), {400}),
    "TLS handshake": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n", {400}),
    # Nothing we serve reads a body, so the one announced here is never parsed: the answer
    # is the page's own, and the connection is closed after it.
    "bad chunked body": (get(b"/", b"Transfer-Encoding: chunked") + b"zz\r\n", {200, 400}),
    "two Content-Lengths": (get(b"/", b"Content-Length: 1", b"Content-Length: 2") + b"ab", {400}),
    "raw NUL in path": (get(b"/feeds/all.atom\x00"), {400, 404}),
    "encoded NUL": (get(b"/feeds/all.atom%00"), {404}),
    "encoded traversal": (get(b"/feeds/%2e%2e%2fconfig%2faggregator.yaml"), {404}),
    "double-encoded traversal": (get(b"/feeds/%252e%252e%252fconfig%252faggregator.yaml"), {404}),
    "backslashes": (get(b"/feeds\\..\\..\\config\\aggregator.yaml"), {400, 404}),
    "overlong UTF-8 dots": (get(b"/feeds/%c0%ae%c0%ae%c0%afconfig%c0%afaggregator.yaml"), {404}),
    "unicode two-dot leader": (get("/feeds/\u2025/config/aggregator.yaml".encode()), {400, 404}),
    "fullwidth dots encoded": (get(b"/feeds/%ef%bc%8e%ef%bc%8e/config/aggregator.yaml"), {404}),
    "raw UTF-8 in path": (get("/feeds/é.atom".encode()), {400, 404}),
    "bad If-Modified-Since": (get(b"/feeds/all.atom", b"If-Modified-Since: Mon, 99 Foo 2024"), {200}),
    "absurd If-None-Match": (get(b"/feeds/all.atom", b"If-None-Match: " + b'"' * 5000), {200}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_requests_get_clean_answers(served: Daemon, case: str) -> None:
    request, expected = CASES[case]
    status, body = raw(served, request)
    assert status in expected, (status, body[:200])
    assert b"Traceback" not in body and SECRET_MARKER.encode() not in body
    assert str(served.site.root).encode() not in body


def test_server_log_has_no_traceback_after_all_that(served: Daemon) -> None:
    for request, _expected in CASES.values():
        raw(served, request)
    assert raw(served, get(b"/feeds/all.atom"))[0] == 200  # still serving
    log = served.log()
    assert "Traceback" not in log and "unhandled error" not in log


def test_long_slug_over_http_is_404(served: Daemon) -> None:
    status, body = raw(served, get(b"/feeds/" + b"a" * 5000 + b".atom"))
    assert (status, body) == (404, b"404 Not Found\n")
