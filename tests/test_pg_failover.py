"""Two `aggregator scheduler` processes sharing one PostgreSQL database, as on two hosts.

Each runs in its own folder (its own local `state.path`, so no file lock is shared):
only the advisory lock in the database keeps them apart. Their builds never overlap;
SIGKILL the one building and the other publishes the next change; a build whose
database connection is cut publishes nothing and the next one recovers without --full.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from test_serve_e2e import REPO, article, headline

INTERVAL = 2
SPAN = re.compile(r"aggregator\.scheduler: build ran from (\S+) to (\S+)$", re.M)
WITH_SPANS = (
    "import logging, sys; from aggregator.cli import main; "
    "logging.getLogger('aggregator.scheduler').setLevel(logging.DEBUG); sys.exit(main())"
)
pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and subprocesses as on the servers")


def env() -> dict[str, str]:
    values = dict(os.environ)
    values["PYTHONPATH"] = str(REPO) + os.pathsep + values.get("PYTHONPATH", "")
    values["PYTHONUNBUFFERED"] = "1"
    values.pop("AGGREGATOR_CONFIG", None)
    values.pop("AGGREGATOR_STATE_URL", None)
    return values


class Cluster:
    """A content folder, one shared output folder and config, and a folder per host."""

    def __init__(self, root: Path, pg_url: str, articles: int = 40) -> None:
        self.root = root
        self.content, self.output = root / "content", root / "site"
        self.content.mkdir()
        for i in range(articles):
            self.write(f"story-{i:03d}.md", i)
        self.config = root / "aggregator.yaml"
        self.config.write_text(
            f"site:\n  base_url: http://127.0.0.1:8080/\n"
            f"content:\n  dir: {self.content}\n"
            f"output:\n  dir: {self.output}\n"
            f"state:\n  path: state/aggregator.sqlite3\n  url: {pg_url}\n"  # path: per host
            f"schedule:\n  interval_seconds: {INTERVAL}\n  lock_timeout_seconds: 30\n"
            "feeds:\n  max_items: 5000\n",
            encoding="utf-8",
        )
        self.pg_url = pg_url
        self.hosts: dict[str, subprocess.Popen[bytes]] = {}

    def write(self, name: str, i: int) -> None:
        text = article(f"story-{i}", headline(f"story-{i}"), hour=i % 24)
        tmp = self.content / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.content / name)

    def start(self, host: str) -> subprocess.Popen[bytes]:
        folder = self.root / host
        folder.mkdir(exist_ok=True)
        log = (folder / "scheduler.log").open("ab")
        command = [sys.executable, "-c", WITH_SPANS, "scheduler", "--config", str(self.config)]
        proc = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env())
        self.hosts[host] = proc
        return proc

    def log(self, host: str) -> str:
        return (self.root / host / "scheduler.log").read_text(encoding="utf-8", errors="replace")

    def spans(self) -> list[tuple[dt.datetime, dt.datetime, str]]:
        found = []
        for host in self.hosts:
            for start, end in SPAN.findall(self.log(host)):
                found.append((dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end), host))
        return sorted(found)

    def builder_pid(self) -> int | None:
        """The OS pid of the process holding the build lock, from its session's name."""
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'aggregator build lock %'"
            ).fetchone()
        return int(row[0].rsplit(":", 1)[1]) if row else None

    def stop(self) -> None:
        for proc in self.hosts.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.hosts.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def published_ids(self) -> set[str]:
        try:
            items = json.loads((self.output / "feeds" / "all.json").read_bytes())["items"]
        except (OSError, ValueError):
            return set()
        return {item["url"] for item in items}


def wait_for(check, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def assert_no_overlap(spans: list[tuple[dt.datetime, dt.datetime, str]]) -> None:
    for (_s1, end, host1), (start, _e2, host2) in itertools.pairwise(spans):
        assert end <= start, f"builds overlapped: {host1} until {end}, {host2} from {start}"


def test_two_schedulers_never_build_at_once(tmp_path: Path, pg_url: str) -> None:
    cluster = Cluster(tmp_path, pg_url)
    try:
        cluster.start("host-a")
        cluster.start("host-b")
        wait_for(lambda: len(cluster.published_ids()) >= 40, 60, "the first build")
        for i in range(40, 52):  # changes keep coming while both schedulers run
            cluster.write(f"story-{i:03d}.md", i)
            time.sleep(0.4)
        wait_for(lambda: len(cluster.published_ids()) >= 52, 30, "the last change")
        time.sleep(INTERVAL * 2)
    finally:
        cluster.stop()
    spans = cluster.spans()
    assert {host for *_x, host in spans} == {"host-a", "host-b"}, spans  # both took turns
    assert len(spans) >= 6
    assert_no_overlap(spans)
    assert "Traceback" not in cluster.log("host-a") + cluster.log("host-b")


def test_sigkill_of_the_builder_and_the_other_scheduler_publishes_the_next_change(
    tmp_path: Path, pg_url: str
) -> None:
    cluster = Cluster(tmp_path, pg_url)
    try:
        a, b = cluster.start("host-a"), cluster.start("host-b")
        wait_for(lambda: len(cluster.published_ids()) >= 40, 60, "the first build")
        for i in range(40, 440):  # a big change: the next build takes a while
            cluster.write(f"story-{i:03d}.md", i)
        holder: list[int] = []
        wait_for(
            lambda: bool(holder.append(cluster.builder_pid() or 0) or holder[-1]),
            30,
            "a build holding the lock",
        )
        victim = holder[-1]
        assert victim in (a.pid, b.pid)
        os.kill(victim, signal.SIGKILL)
        killed_at = dt.datetime.now(dt.UTC)
        survivor = "host-b" if victim == a.pid else "host-a"
        wait_for(lambda: len(cluster.published_ids()) >= 440, 120, "the survivor's build")
        cluster.write("story-999.md", 999)
        changed_at = dt.datetime.now(dt.UTC)
        wait_for(
            lambda: "https://news.example.org/story-999" in cluster.published_ids(), 120, "the next change"
        )
        assert cluster.hosts[survivor].poll() is None

        def starts() -> list[dt.datetime]:
            return [start for start, _end, host in cluster.spans() if host == survivor]

        wait_for(lambda: any(t > changed_at for t in starts()), 10, "the build's log line")
        # The lock went with the killed process: the survivor's next run took it...
        assert min(t for t in starts() if t > killed_at) - killed_at <= dt.timedelta(seconds=2 * INTERVAL)
        # ...and the build that published the next change began within two intervals of it.
        assert min(t for t in starts() if t > changed_at) - changed_at <= dt.timedelta(seconds=2 * INTERVAL)
    finally:
        cluster.stop()
    assert_no_overlap(cluster.spans())


def test_a_build_that_loses_its_connection_publishes_nothing_and_the_next_recovers(
    tmp_path: Path, pg_url: str, make_ws
) -> None:
    cluster = Cluster(tmp_path, pg_url)
    build = [sys.executable, "-c", WITH_SPANS, "build", "--config", str(cluster.config)]
    host = tmp_path / "host-a"
    host.mkdir()
    subprocess.run(build, cwd=host, env=env(), check=True, capture_output=True)
    before = {p.relative_to(cluster.output): p.read_bytes() for p in cluster.output.rglob("*") if p.is_file()}
    for i in range(40, 640):
        cluster.write(f"story-{i:03d}.md", i)
    proc = subprocess.Popen(build, cwd=host, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        # Cut the build's session while its transaction is open (parsing, clustering, rendering).
        def cut() -> bool:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name LIKE 'aggregator build %%' AND application_name NOT LIKE"
                " 'aggregator build lock%%' AND xact_start IS NOT NULL"
            ).fetchall()
            return bool(rows)

        wait_for(cut, 60, "the build's transaction")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    message = err.decode()
    assert "build failed: lost the state database" in message and "published feeds are unchanged" in message
    assert "Traceback" not in message
    after = {p.relative_to(cluster.output): p.read_bytes() for p in cluster.output.rglob("*") if p.is_file()}
    assert after == before  # nothing published

    done = subprocess.run([*build, "--json"], cwd=host, env=env(), check=True, capture_output=True)
    report = json.loads(done.stdout)
    assert report["parsed"] == 600  # picked up where the state was: only the new files read
    assert len(cluster.published_ids()) == 640
    # The site equals a one-machine build of the same content (ids and titles, feed by feed).
    fresh = make_ws("fresh")
    fresh.write_config({"content": {"dir": str(cluster.content)}, "feeds": {"max_items": 5000}})
    fresh.build()
    assert sorted_view(fresh.output) == sorted_view(cluster.output)


def sorted_view(folder: Path) -> dict[str, list[tuple[str, str]]]:
    return {
        p.name: sorted((i["id"], i["title"]) for i in json.loads(p.read_bytes())["items"])
        for p in sorted(folder.glob("feeds/*.json"))
    }
