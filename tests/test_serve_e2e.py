"""End to end over real HTTP: `aggregator serve` as a subprocess on a free port.

The daemon rebuilds every second from a temporary content folder; the tests read it
the way feed readers do (urllib, http.client, feedparser) and change the content
underneath it.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SECRET_MARKER = "do-not-serve-7f3a"
MEDIA = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
}
pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and subprocesses as on the servers")


# --- the site and the daemon ------------------------------------------------------------


def article(
    slug: str,
    title: str,
    topics: tuple[str, ...] = ("Robotics", "AI"),
    hour: int = 10,
    date: str | None = None,
) -> str:
    date = date or f"2024-03-0{1 + hour % 9}T{hour:02d}:00:00Z"
    return f"""---
category: news
title: "{title}"
excerpt: "What happened with {slug}, in short."
publishedDateTime: {date}
webUrl: "https://news.example.org/{slug}"
type: article
quality: 50
heat: 50
published: true
provider:
  name: Example News
  domain: news.example.org
topics:
{chr(10).join(f"  - {t}" for t in topics)}
secured: "{SECRET_MARKER}"
---
Body of {slug}.
"""


def headline(seed: str) -> str:
    """A headline sharing no significant word with any other, so stories never merge."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    words = ["".join(chr(ord("a") + int(digest[i + j], 16)) for j in range(6)) for i in range(0, 24, 6)]
    return " ".join(words).capitalize()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Site:
    root: Path
    content: Path
    output: Path
    config: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def cli(self, *args: str) -> list[str]:
        code = "import sys; from aggregator.cli import main; sys.exit(main())"
        return [sys.executable, "-c", code, *args]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("AGGREGATOR_CONFIG", None)
        return env

    def write_article(self, name: str, text: str) -> None:
        tmp = self.content / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.content / name)


def make_site(root: Path, articles: int = 30, lock_timeout: float = 30) -> Site:
    """A site laid out like a deployment: config/ next to feeds/, so `..` has a target."""
    content, output = root / "content", root / "feeds"
    content.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, content / seed.name)
    topics = [("Robotics", "AI"), ("Computer Vision",), ("Space",), ("Climate", "Energy")]
    for i in range(articles):
        text = article(f"story-{i}", headline(f"story-{i}"), topics[i % len(topics)], hour=i % 24)
        (content / f"story-{i:03d}.md").write_text(text, encoding="utf-8")
    port = free_port()
    config = root / "config" / "aggregator.yaml"
    config.parent.mkdir()
    config.write_text(
        f"# {SECRET_MARKER}\n"
        f"site:\n  base_url: http://127.0.0.1:{port}/\n"
        f"content:\n  dir: {content}\n"
        f"output:\n  dir: {output}\n"
        f"state:\n  path: {root / 'state' / 'aggregator.sqlite3'}\n"
        f"schedule:\n  interval_seconds: 1\n  lock_timeout_seconds: {lock_timeout}\n"
        f"server:\n  host: 127.0.0.1\n  port: {port}\n  cache_max_age: 60\n",
        encoding="utf-8",
    )
    return Site(root, content, output, config, port)


class Daemon:
    def __init__(self, site: Site, *extra: str) -> None:
        self.site = site
        self.log_path = site.root / f"serve-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            site.cli("serve", "--config", str(site.config), *extra),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=site.env(),
            cwd=site.root,
        )

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.site.url + "healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve not healthy after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(site: Site | None = None, *extra: str) -> Daemon:
        daemon = Daemon(site or make_site(tmp_path / f"site{len(started)}"), *extra)
        started.append(daemon)
        daemon.wait_healthy()
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon shared by the read-only tests."""
    running = Daemon(make_site(tmp_path_factory.mktemp("shared")))
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


# --- requests, made the way feed readers make them --------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    """One request with http.client: the path goes out exactly as given, nothing normalised."""
    parts = urlsplit(url)
    path = url[len(f"{parts.scheme}://{parts.netloc}") :] or "/"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


class AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and values.get("rel", "").lower() == "alternate":
            self.links.append(values)


def alternate_links(site: Site) -> list[dict[str, str]]:
    index = request(site.url)
    assert index.status == 200
    parser = AlternateLinks()
    parser.feed(index.body.decode("utf-8"))
    return parser.links


def feed_urls(site: Site) -> list[str]:
    """Every feed the index advertises (autodiscovery) or links to, resolved."""
    return sorted({urljoin(site.url, link["href"]) for link in alternate_links(site)})


def parse_feed(url: str, body: bytes) -> dict[str, Any]:
    """Titles of the entries, and a complaint if the body is not a whole valid feed."""
    if url.endswith(".json"):
        data = json.loads(body)
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        return {"titles": [item.get("title") for item in data["items"]]}
    parsed = feedparser.parse(body)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    ElementTree.fromstring(body)
    return {"titles": [entry.get("title") for entry in parsed.entries]}


def titles(site: Site, slug: str = "all") -> dict[str, list[str]]:
    result = {}
    for ext in (".atom", ".rss", ".json"):
        url = f"{site.url}feeds/{slug}{ext}"
        reply = request(url)
        assert reply.status == 200, url
        result[ext] = parse_feed(url, reply.body)["titles"]
    return result


def eventually(check: Callable[[], bool], timeout: float = 15, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    assert check(), f"{what} not met within {timeout}s"


# --- reading: every feed, media types, validators ------------------------------------------


def test_index_autodiscovery_links_resolve_to_valid_feeds(daemon):
    links = alternate_links(daemon.site)
    assert {link.get("type") for link in links} >= {"application/atom+xml", "application/rss+xml"}
    urls = feed_urls(daemon.site)
    assert any(url.endswith("/feeds/all.atom") for url in urls)
    for link in links:
        url = urljoin(daemon.site.url, link["href"])
        assert url.startswith(daemon.site.url + "feeds/")
        reply = request(url)
        assert reply.status == 200, url
        assert reply.headers["Content-Type"].split(";")[0] == link["type"].split(";")[0]
        parse_feed(url, reply.body)


def test_every_feed_in_the_output_is_served_and_parses(daemon):
    names = sorted(p.name for p in (daemon.site.output / "feeds").iterdir() if p.suffix in MEDIA)
    assert {"all.atom", "all.rss", "all.json", "ai.atom", "computer-vision.rss"} <= set(names)
    for name in names:
        url = f"{daemon.site.url}feeds/{name}"
        reply = request(url)
        assert reply.status == 200, url
        assert reply.headers["Content-Type"] == MEDIA[Path(name).suffix]
        assert reply.body == (daemon.site.output / "feeds" / name).read_bytes()
        assert parse_feed(url, reply.body)["titles"], url
        assert SECRET_MARKER.encode() not in reply.body


def test_opml_lists_every_feed(daemon):
    reply = request(daemon.site.url + "feeds.opml")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/x-opml; charset=utf-8"
    outlines = ElementTree.fromstring(reply.body).iter("outline")
    urls = [o.get("xmlUrl") for o in outlines if o.get("xmlUrl")]
    assert urls
    for url in urls:
        assert request(url).status == 200, url


def test_index_and_healthz(daemon):
    index = request(daemon.site.url)
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    health = request(daemon.site.url + "healthz")
    assert health.status == 200
    body = json.loads(health.body)
    assert body["status"] == "ok"
    assert body["counts"]["feeds"] >= 5
    assert body["last_success_at"]


def test_etag_and_if_none_match(daemon):
    url = daemon.site.url + "feeds/all.atom"
    first = request(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert etag == first.headers["ETag"] and first.headers["Cache-Control"] == "public, max-age=60"
    for _ in range(3):  # a reader polling while nothing changes: 304 every time
        again = request(url, headers={"If-None-Match": etag})
        assert again.status == 304
        assert again.body == b""
        assert again.headers["ETag"] == etag
        time.sleep(0.5)
    assert request(url, headers={"If-None-Match": '"something-else"'}).status == 200


def test_last_modified_and_if_modified_since(daemon):
    url = daemon.site.url + "feeds/all.rss"
    eventually(lambda: "Last-Modified" in request(url).headers, 5, "Last-Modified")
    last_modified = request(url).headers["Last-Modified"]
    reply = request(url, headers={"If-Modified-Since": last_modified})
    assert reply.status == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert request(url, headers={"If-Modified-Since": old}).status == 200


def test_feedparser_conditional_get_like_a_reader(daemon):
    url = daemon.site.url + "feeds/ai.atom"
    first = feedparser.parse(url)
    assert first.status == 200 and first.entries
    second = feedparser.parse(url, etag=first.etag, modified=first.get("modified"))
    assert second.status == 304


def test_gzip(daemon):
    url = daemon.site.url + "feeds/all.atom"
    plain = request(url)
    packed = request(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.body) == plain.body
    assert packed.headers["ETag"] != plain.headers["ETag"]
    conditional = {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    assert request(url, headers=conditional).status == 304


def test_head(daemon):
    url = daemon.site.url + "feeds/all.json"
    get = request(url)
    head = request(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body))
    assert head.headers["ETag"] == get.headers["ETag"]
    assert request(daemon.site.url + "feeds/nope.json", method="HEAD").status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/nope.atom",
        "/feeds/all.xml",
        "/feeds/ALL.atom",
        "/feeds/all",
        "/all.atom",
        "/index.html",
        "/feeds/",
        "/feeds/.all.atom.x.tmp",
        "/favicon.ico",
        "/feeds/all.atom/x",
    ],
)
def test_unknown_paths_are_404(daemon, path):
    reply = request(daemon.site.url.rstrip("/") + path)
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert str(daemon.site.root).encode() not in reply.body
    assert b"Traceback" not in reply.body


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/../config/aggregator.yaml",
        "/feeds/..%2fconfig%2faggregator.yaml",
        "/feeds/%2e%2e/config/aggregator.yaml",
        "/feeds/%2e%2e%2fconfig%2faggregator.yaml",
        "/feeds/%2E%2E%2Fconfig%2Faggregator.yaml",
        "/feeds/..%5cconfig%5caggregator.yaml",
        "/feeds/%252e%252e%252fconfig%252faggregator.yaml",
        "/feeds/..%c0%afconfig%c0%afaggregator.yaml",
        "/feeds/....//config/aggregator.yaml",
        "/feeds/./../config/aggregator.yaml",
        "/../config/aggregator.yaml",
        "/%2e%2e/config/aggregator.yaml",
        "/feeds/%00../config/aggregator.yaml",
    ],
)
def test_traversal_attempts_fail(daemon, path):
    reply = request(daemon.site.url.rstrip("/") + path)
    assert reply.status in (400, 404)
    assert SECRET_MARKER.encode() not in reply.body


def test_other_methods_are_405(daemon):
    reply = request(daemon.site.url + "feeds/all.atom", method="POST")
    assert reply.status == 405
    assert "GET" in reply.headers["Allow"]


# --- changing the content under a running daemon -------------------------------------------


def test_add_edit_and_delete_show_up_after_the_next_build(start_daemon):
    daemon = start_daemon()
    site = daemon.site

    def everywhere(title: str, present: bool) -> Callable[[], bool]:
        def check() -> bool:
            found = titles(site)
            return all((title in found[ext]) is present for ext in found)

        return check

    first, edited = headline("fresh"), headline("fresh, edited")
    site.write_article("fresh.md", article("fresh", first, hour=23))
    eventually(everywhere(first, True), what="new article served")
    assert first in titles(site, "robotics")[".atom"]

    site.write_article("fresh.md", article("fresh", edited, hour=23))
    eventually(everywhere(edited, True), what="edited title served")
    assert everywhere(first, False)()

    (site.content / "fresh.md").unlink()
    eventually(everywhere(edited, False), what="deleted article gone")
    assert "Traceback" not in daemon.log()


def test_cli_build_waits_for_the_lock_and_times_out(start_daemon, tmp_path):
    site = make_site(tmp_path / "locked", lock_timeout=2)
    daemon = start_daemon(site)
    lock = FileLock(str(site.root / "state" / "aggregator.sqlite3.lock"))
    with lock:  # stands for a long build in another process
        started = time.monotonic()
        blocked = subprocess.run(
            site.cli("build", "--config", str(site.config)),
            env=site.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert blocked.returncode != 0
        assert time.monotonic() - started >= 1.9
        assert "lock" in (blocked.stdout + blocked.stderr).lower()

    with lock:
        waiting = subprocess.Popen(
            site.cli("build", "--config", str(site.config)),
            env=site.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # it waits rather than building alongside
    output, _ = waiting.communicate(timeout=30)
    assert waiting.returncode == 0, output
    eventually(lambda: "another process is building" in daemon.log(), 5, "scheduled run skipped while locked")


def test_manual_builds_during_scheduled_builds_never_serve_partial_feeds(start_daemon, tmp_path):
    site = make_site(tmp_path / "busy", articles=150)
    start_daemon(site)
    stop = threading.Event()
    problems: list[str] = []
    seen: dict[str, set[str]] = {}
    reads = 0

    def reader() -> None:
        nonlocal reads
        urls = [
            f"{site.url}feeds/{slug}{ext}"
            for slug in ("all", "ai", "robotics")
            for ext in (".atom", ".rss", ".json")
        ]
        while not stop.is_set():
            for url in urls:
                reply = request(url)
                reads += 1
                if reply.status != 200:
                    problems.append(f"{url}: {reply.status}")
                    continue
                if reply.headers["ETag"].strip('"') != hashlib.sha256(reply.body).hexdigest()[:32]:
                    problems.append(f"{url}: ETag does not match the body")
                try:
                    parse_feed(url, reply.body)
                except Exception as exc:  # a partial or mixed file would fail to parse
                    problems.append(f"{url}: {exc!r}")
                seen.setdefault(url, set()).add(reply.headers["ETag"])

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    outputs: list[str] = []
    try:
        for round_ in range(6):
            # New content each round, so the builds really rewrite the feeds; two manual
            # builds at once, racing each other and the daemon's scheduled ones.
            date = f"2024-04-0{round_ + 1}T12:00:00Z"
            text = article(f"extra-{round_}", headline(f"extra-{round_}"), date=date)
            site.write_article(f"extra-{round_}.md", text)
            builds = [
                subprocess.Popen(
                    site.cli("build", "--config", str(site.config)),
                    env=site.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for _ in range(2)
            ]
            for proc in builds:
                output, _ = proc.communicate(timeout=60)
                assert proc.returncode == 0, output
                outputs.append(output)
    finally:
        stop.set()
        for thread in readers:
            thread.join(30)
    assert any("another build is running; waiting" in output for output in outputs)
    assert not problems, problems[:5]
    assert reads > 50
    assert len(seen[f"{site.url}feeds/all.atom"]) >= 2  # the feed did change while being read
    assert not list(site.output.rglob(".*.tmp"))
    final = titles(site)
    assert headline("extra-5") in final[".atom"]
    assert final[".atom"] == final[".rss"] == final[".json"]  # all three from one build


# --- stopping -----------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(start_daemon, signum):
    daemon = start_daemon()
    time.sleep(1.5)  # let a scheduled build or two happen
    started = time.monotonic()
    daemon.proc.send_signal(signum)
    assert daemon.proc.wait(10) == 0
    assert time.monotonic() - started < 10
    log = daemon.log()
    assert "shutting down" in log
    assert "Traceback" not in log
    assert not list(daemon.site.output.rglob(".*.tmp"))
    with pytest.raises(OSError):
        request(daemon.site.url + "healthz")


def test_no_scheduler_serves_without_building(start_daemon, tmp_path):
    built = make_site(tmp_path / "built")
    first = start_daemon(built)
    first.proc.send_signal(signal.SIGTERM)
    assert first.proc.wait(10) == 0
    before = {p: p.stat().st_mtime_ns for p in built.output.rglob("*")}
    built.write_article("late.md", article("late", headline("late")))
    web_only = Daemon(built, "--no-scheduler")
    try:
        web_only.wait_healthy()
        time.sleep(2.5)
        assert headline("late") not in titles(built)[".atom"]
        assert {p: p.stat().st_mtime_ns for p in built.output.rglob("*")} == before
    finally:
        web_only.stop()


def test_scheduler_command_builds_without_serving(tmp_path):
    site = make_site(tmp_path / "sched")
    log_path = site.root / "scheduler.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            site.cli("scheduler", "--config", str(site.config)),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=site.env(),
        )
        try:
            eventually(lambda: (site.output / "feeds/all.atom").exists(), 30, "scheduler build")
            with pytest.raises(OSError):
                request(site.url + "healthz")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_serve_reports_a_port_in_use(tmp_path):
    site = make_site(tmp_path / "taken")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            site.cli("serve", "--config", str(site.config), "--port", port),
            env=site.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_content_folder_is_a_usage_error(tmp_path):
    site = make_site(tmp_path / "nocontent")
    for command in ("serve", "scheduler"):
        result = subprocess.run(
            site.cli(command, "--config", str(site.config), "--content", str(tmp_path / "missing")),
            env=site.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, command
        assert "content folder not found" in result.stderr
