"""The rebuild job, the scheduler and the service loop, with a stand-in build function."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from aggregator.config import Config
from aggregator.report import BuildLockTimeout
from aggregator.serve.scheduler import JOB_ID, RebuildJob, create_scheduler, misfire_grace_seconds
from aggregator.serve.service import run_service


class FakeReport:
    def __init__(self, n: int) -> None:
        self.n = n

    def summary_line(self) -> str:
        return f"build {self.n}: 0 files scanned"


class FakeBuild:
    """Records calls and how many ran at once; can be slowed down or made to fail."""

    def __init__(self, seconds: float = 0.0, error: BaseException | None = None) -> None:
        self.seconds = seconds
        self.error = error
        self.calls: list[dict] = []
        self.running = 0
        self.most_at_once = 0
        self.finished = 0
        self._lock = threading.Lock()

    def __call__(self, config: Config, **kwargs) -> FakeReport:
        with self._lock:
            self.calls.append(kwargs)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.seconds)
            if self.error:
                raise self.error
            return FakeReport(len(self.calls))
        finally:
            with self._lock:
                self.running -= 1
                self.finished += 1


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(
        content_dir=tmp_path / "content",
        output_dir=tmp_path / "out",
        state_setting=tmp_path / "state" / "agg.sqlite3",
        interval_seconds=1,
        host="127.0.0.1",
        port=0,
    )


@pytest.mark.parametrize(("interval", "grace"), [(1, 1), (2, 1), (3, 1), (60, 30), (300, 150)])
def test_misfire_grace_is_half_an_interval(interval, grace):
    assert misfire_grace_seconds(interval) == grace


def test_scheduler_has_one_rebuild_job(config):
    config = config.with_overrides(interval_seconds=300)
    scheduler = create_scheduler(config, RebuildJob(config, FakeBuild()))
    jobs = scheduler.get_jobs()
    assert [job.id for job in jobs] == [JOB_ID]
    job = jobs[0]
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == 150
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=300)
    assert abs(job.next_run_time - datetime.now(UTC)) < timedelta(seconds=5)  # first build at start


def test_scheduler_builds_at_start_and_every_interval(config):
    build = FakeBuild()
    scheduler = create_scheduler(config, RebuildJob(config, build))
    started = time.monotonic()
    scheduler.start()
    try:
        assert wait_for(lambda: build.finished >= 1, 2)
        first = time.monotonic() - started
        assert wait_for(lambda: build.finished >= 3, 5)
    finally:
        scheduler.shutdown(wait=True)
    assert first < 1.0


def test_builds_never_overlap(config):
    build = FakeBuild(seconds=1.6)  # longer than the 1 s interval
    scheduler = create_scheduler(config, RebuildJob(config, build))
    scheduler.start()
    try:
        assert wait_for(lambda: build.finished >= 2, 8)
    finally:
        scheduler.shutdown(wait=True)
    assert build.most_at_once == 1


def test_job_logs_one_summary_line_and_passes_a_short_lock_timeout(config, caplog):
    caplog.set_level(logging.INFO, logger="aggregator.scheduler")
    build = FakeBuild()
    RebuildJob(config, build)()
    assert [r.getMessage() for r in caplog.records] == ["build 1: 0 files scanned"]
    assert 0 < build.calls[0]["lock_timeout"] <= 1.0


def test_lock_timeout_is_logged_not_raised(config, caplog):
    caplog.set_level(logging.INFO, logger="aggregator.scheduler")
    job = RebuildJob(config, FakeBuild(error=BuildLockTimeout("busy")))
    job()
    assert "another process is building" in caplog.text
    assert not job.busy


def test_build_errors_are_logged_not_raised(config, caplog):
    job = RebuildJob(config, FakeBuild(error=RuntimeError("disk on fire")))
    job()
    assert "scheduled build failed" in caplog.text
    assert "disk on fire" in caplog.text


def test_stop_waits_for_the_build_in_flight_and_refuses_new_ones(config):
    build = FakeBuild(seconds=0.5)
    job = RebuildJob(config, build)
    worker = threading.Thread(target=job)
    worker.start()
    assert wait_for(lambda: job.busy, 2)
    assert job.stop(timeout=5) is True
    assert build.finished == 1
    job()  # after stop: nothing happens
    assert len(build.calls) == 1
    worker.join()


def test_stop_gives_up_at_the_timeout(config):
    build = FakeBuild(seconds=1.0)
    job = RebuildJob(config, build)
    worker = threading.Thread(target=job)
    worker.start()
    assert wait_for(lambda: job.busy, 2)
    assert job.stop(timeout=0.1) is False
    worker.join()


def run_in_thread(config: Config, **kwargs):
    stop = threading.Event()
    ready = threading.Event()
    result: dict = {}

    def on_ready(url):
        result["url"] = url
        ready.set()

    def target():
        result["clean"] = run_service(config, stop=stop, install_signals=False, on_ready=on_ready, **kwargs)

    thread = threading.Thread(target=target)
    thread.start()
    assert ready.wait(5)
    return stop, thread, result


def test_scheduler_only_service_stops_cleanly(config):
    build = FakeBuild()
    stop, thread, result = run_in_thread(config, web=False, build=build)
    assert result["url"] is None
    assert wait_for(lambda: build.finished >= 2, 5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert result["clean"] is True


def test_shutdown_waits_for_a_build_in_flight(config):
    build = FakeBuild(seconds=1.0)
    stop, thread, result = run_in_thread(config, web=False, build=build)
    assert wait_for(lambda: build.running == 1, 3)
    stop.set()
    thread.join(5)
    assert result["clean"] is True
    assert build.finished == len(build.calls) == 1


def test_shutdown_reports_a_build_that_overruns_the_budget(config):
    build = FakeBuild(seconds=2.0)
    stop, thread, result = run_in_thread(config, web=False, build=build, shutdown_budget=0.2)
    assert wait_for(lambda: build.running == 1, 3)
    started = time.monotonic()
    stop.set()
    thread.join(5)
    assert time.monotonic() - started < 1.5
    assert result["clean"] is False
    wait_for(lambda: build.finished == 1, 5)


def test_web_service_serves_and_stops(config):
    config.output_dir.mkdir(parents=True)
    (config.output_dir / "all.rss").write_bytes(b"<rss/>")
    build = FakeBuild()
    stop, thread, result = run_in_thread(config, build=build)
    url = result["url"]
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url + "feeds/all.rss", timeout=5) as response:
        assert response.read() == b"<rss/>"
        assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url + "healthz", timeout=5)
    assert error.value.code == 503  # the stand-in build writes no status file
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert result["clean"] is True
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "feeds/all.rss", timeout=2)


def test_web_only_service_never_builds(config):
    build = FakeBuild()
    stop, thread, result = run_in_thread(config, scheduler=False, build=build)
    time.sleep(0.3)
    stop.set()
    thread.join(5)
    assert build.calls == []
    assert result["clean"] is True
