"""Periodic rebuilds with APScheduler 3: one job, one instance at a time.

Only one process per deployment runs this (`aggregator serve` or `aggregator
scheduler`): APScheduler 3 job stores must not be shared between schedulers, and the
build lock already makes builds from other processes (`aggregator build`) wait.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aggregator.config import Config

log = logging.getLogger("aggregator.scheduler")

JOB_ID = "rebuild"
# A scheduled run that finds another build holding the lock has nothing to add: that
# build is already publishing, and the next run picks up anything it missed. So the
# job waits only briefly and then skips, rather than queueing behind a long manual
# build and holding up shutdown.
SCHEDULED_LOCK_TIMEOUT = 1.0

BuildFunction = Callable[..., Any]


def misfire_grace_seconds(interval_seconds: int) -> int:
    """How late a run may start and still run: half an interval.

    A run delayed by less than that (a slow previous build, a busy machine) still
    happens; one delayed by more (the machine slept, the clock jumped) is dropped,
    since the next run is then closer than the missed one was. coalesce folds any
    pile-up of missed runs into one.
    """
    return max(1, interval_seconds // 2)


def lock_timeout_for_schedule(config: Config) -> float:
    return min(config.lock_timeout_seconds, SCHEDULED_LOCK_TIMEOUT)


class RebuildJob:
    """The scheduled callable: one build, logged, never raising into the scheduler.

    It also knows whether a build is in flight, so shutdown can wait for it, and
    refuses to start a build once shutdown has begun.
    """

    def __init__(self, config: Config, build: BuildFunction | None = None) -> None:
        self.config = config
        self._build = build
        self._state = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self.runs = 0

    def __call__(self) -> None:
        with self._state:
            if self._stopping:
                return
            self._idle.clear()
        try:
            self._run_once()
        finally:
            self.runs += 1
            self._idle.set()

    def _run_once(self) -> None:
        from aggregator.buildlock import describe_lock
        from aggregator.report import BuildError, BuildLockTimeout
        from aggregator.state.errors import PublishFailed, StateUnavailable

        build = self._build or _default_build()
        try:
            report = build(self.config, lock_timeout=lock_timeout_for_schedule(self.config))
        except BuildLockTimeout:
            log.info("scheduled build skipped: another process is building (%s)", describe_lock(self.config))
        except (BuildError, StateUnavailable, PublishFailed) as exc:
            log.error("scheduled build failed: %s; the published feeds are unchanged", exc)
        except Exception:
            log.exception("scheduled build failed; the published feeds are unchanged")
        else:
            _log_problems(report)
            log.info("%s", report.summary_line())
            # When exactly the build held the lock, for untangling concurrent builds.
            started, finished = getattr(report, "started_at", None), getattr(report, "finished_at", None)
            if started and finished:
                log.debug("build ran from %s to %s", started.isoformat(), finished.isoformat())

    def stop(self, timeout: float) -> bool:
        """Refuse new builds and wait up to `timeout` seconds for one in flight."""
        with self._state:
            self._stopping = True
        return self._idle.wait(timeout)

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()


def _log_problems(report: Any) -> None:
    """One line per skipped file, only when it first appears, so a bad file is not
    repeated every interval; `aggregator build` and `aggregator check` list them all."""
    from aggregator.report import display_path

    for problem in getattr(report, "skipped", ()):
        if getattr(problem, "new", True):
            log.warning("skipped %s: %s", display_path(problem.path), problem.reason)
    for problem in getattr(report, "warnings", ()):
        if getattr(problem, "new", True):
            log.info("warning %s: %s", display_path(problem.path), problem.reason)


def _default_build() -> BuildFunction:
    from aggregator.build import run_build

    return run_build


def create_scheduler(config: Config, job: Callable[[], None]) -> BackgroundScheduler:
    """A scheduler with the rebuild job: first run now, then every interval.

    One worker thread and max_instances=1: builds never overlap within the process
    (the file lock covers other processes).
    """
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
    )
    scheduler.add_job(
        job,
        trigger=IntervalTrigger(seconds=config.interval_seconds, timezone=UTC),
        id=JOB_ID,
        name="rebuild feeds",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=misfire_grace_seconds(config.interval_seconds),
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )
    return scheduler
