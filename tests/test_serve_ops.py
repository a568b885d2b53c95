"""Operating `aggregator serve`: connections kept open, Prometheus metrics, JSON logs.

Each test runs the real command as a subprocess on a loopback port, as an operator
or a feed reader meets it.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from test_serve_e2e import Daemon, Site, article, eventually, headline, make_site, request

METRIC_NAMES = {
    "aggregator_build_duration_seconds",
    "aggregator_builds",
    "aggregator_last_success_timestamp_seconds",
    "aggregator_articles",
    "aggregator_stories",
    "aggregator_skipped_files",
    "aggregator_http_requests",
}


@pytest.fixture
def daemons():
    started: list[Daemon] = []

    def start(site: Site, *extra: str) -> Daemon:
        daemon = Daemon(site, *extra)
        started.append(daemon)
        daemon.wait_healthy()
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


def samples(site: Site) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = request(site.url + "metrics")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(reply.body.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


# --- connections ------------------------------------------------------------------------


def test_200_304_200_on_one_kept_alive_connection(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    daemons(site)
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    try:
        conn.request("GET", "/feeds/all.atom")
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        sock = conn.sock
        assert sock is not None
        local = sock.getsockname()

        conn.request("GET", "/feeds/all.atom", headers={"If-None-Match": first.headers["ETag"]})
        second = conn.getresponse()
        second.read()
        assert second.status == 304
        assert (second.headers.get("Connection") or "").lower() != "close"
        assert conn.sock is sock  # http.client drops its socket when told to close

        conn.request("GET", "/feeds/all.atom")
        third = conn.getresponse()
        assert third.status == 200
        assert third.read()
        assert conn.sock is sock and sock.getsockname() == local
    finally:
        conn.close()


def test_sigterm_with_idle_keep_alive_connections_still_exits_in_time(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    daemon = daemons(site)
    idle = []
    for _ in range(4):
        conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
        conn.request("GET", "/feeds/all.atom")
        conn.getresponse().read()
        idle.append(conn)
    started = time.monotonic()
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.proc.wait(10) == 0
    assert time.monotonic() - started < 10
    for conn in idle:
        conn.close()
    with pytest.raises(OSError):
        request(site.url + "healthz")


def test_the_web_server_goes_when_the_supervisor_is_killed(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    daemon = daemons(site)
    daemon.proc.kill()
    daemon.proc.wait(5)

    def refused() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", site.port), timeout=1):
                return False
        except OSError:
            return True

    eventually(refused, 10, "the port to be released")


# --- metrics ------------------------------------------------------------------------------


def test_metrics_sum_every_worker_and_the_scheduler(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=6)
    site.write_article("broken.md", "---\ntitle: [unclosed\n---\n")
    daemons(site)
    eventually(lambda: samples(site)[("aggregator_builds_total", (("result", "ok"),))] >= 2, 20, "builds")
    health = json.loads(request(site.url + "healthz").body)
    before = samples(site)
    # Fresh connections, so the requests spread over the web workers.
    for _ in range(30):
        assert request(site.url + "feeds/all.atom").status == 200
    for _ in range(5):
        assert request(site.url + "feeds/no-such-feed.atom").status == 404
    after = samples(site)

    assert {name.removesuffix("_total").removesuffix("_count") for name, _ in after} >= METRIC_NAMES
    ok = (("code", "200"),)
    # Every request counted once, whichever worker answered; plus the first scrape.
    assert (
        after[("aggregator_http_requests_total", ok)] - before[("aggregator_http_requests_total", ok)] == 31
    )
    assert (
        after[("aggregator_http_requests_total", (("code", "404"),))]
        - before.get(("aggregator_http_requests_total", (("code", "404"),)), 0)
        == 5
    )
    assert after[("aggregator_build_duration_seconds_count", ())] >= 2
    assert after[("aggregator_builds_total", (("result", "failed"),))] == 0
    counts = health["counts"]
    assert after[("aggregator_articles", ())] == counts["articles"] > 0
    assert after[("aggregator_stories", ())] == counts["stories"] > 0
    assert after[("aggregator_skipped_files", ())] == counts["skipped"] == 1
    assert abs(after[("aggregator_last_success_timestamp_seconds", ())] - time.time()) < 60


def test_metrics_can_be_turned_off(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    site.config.write_text(site.config.read_text() + "  metrics: false\n", encoding="utf-8")
    daemons(site)
    reply = request(site.url + "metrics")
    assert reply.status == 404
    assert request(site.url + "feeds/all.atom").status == 200


# --- logs -------------------------------------------------------------------------------------


def json_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
        assert line["time"].endswith("Z")
    return lines


def build_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["message"].startswith("build: ")]


def test_serve_logs_json_lines(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=4)
    daemon = daemons(site, "--log-format", "json")
    eventually(lambda: len(build_lines(json_lines(daemon.log()))) >= 2, 20, "two build lines")
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.proc.wait(10) == 0
    lines = json_lines(daemon.log())  # every line, the web server's included, is JSON
    builds = build_lines(lines)
    assert builds[0]["logger"] == "aggregator.scheduler" and builds[0]["level"] == "INFO"
    assert builds[0]["counts"]["articles"] >= 4
    assert isinstance(builds[0]["duration_ms"], int)
    assert any(line["message"].startswith("serving ") for line in lines)
    assert lines[-1]["message"] == "stopped"


def test_serve_logs_text_by_default(daemons, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=2)
    daemon = daemons(site)
    eventually(lambda: "INFO aggregator.scheduler: build: " in daemon.log(), 20, "a build line")
    assert not daemon.log().lstrip().startswith("{")


def test_scheduler_and_build_log_json_lines(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    site.write_article("broken.md", "---\ntitle: [unclosed\n---\n")
    built = subprocess.run(
        site.cli("build", "--config", str(site.config), "--log-format", "json"),
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout == ""
    lines = json_lines(built.stderr)
    assert [line["level"] for line in lines if "broken.md" in line["message"]] == ["WARNING"]
    (build,) = build_lines(lines)
    assert build["logger"] == "aggregator.build"
    assert build["counts"]["skipped"] == 1 and build["counts"]["articles"] >= 3

    site.write_article("late.md", article("late", headline("late")))
    log_path = site.root / "scheduler.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            site.cli("scheduler", "--config", str(site.config), "--log-format", "json"),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=site.env(),
        )
        try:
            eventually(lambda: build_lines(json_lines(log_path.read_text())), 30, "a scheduled build line")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    scheduled = build_lines(json_lines(log_path.read_text()))
    assert scheduled[0]["counts"]["files_changed"] == 1


def test_build_prints_text_by_default(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=2)
    built = subprocess.run(
        site.cli("build", "--config", str(site.config)),
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert built.returncode == 0
    assert built.stdout.startswith("Scanned ")
    assert "{" not in built.stderr
