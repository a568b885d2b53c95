"""Periodic rebuilds with APScheduler 3: one job, one instance at a time.

Only one process per deployment runs this (`aggregator serve` or `aggregator
scheduler`): APScheduler 3 job stores must not be shared between schedulers, and the
build lock already makes builds from other processes (`aggregator build`) wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
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
PROGRESS_LOG_SECONDS = 10.0  # a long build logs where it is at most this often


class ProgressLog:
    """A build's progress observer for the daemon: one log line at most every
    `interval` seconds, the first after `interval` seconds, so short builds log none."""

    def __init__(self, interval: float = PROGRESS_LOG_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.interval, self.clock = interval, clock
        self.next_at = clock() + interval

    def __call__(self, progress: Any) -> None:
        now = self.clock()
        if now < self.next_at:
            return
        self.next_at = now + self.interval
        if progress.phase == "parse" and progress.total:
            log.info(
                "build in progress: parsing, %d of %d files (%.0f files/s), %.0f s so far",
                progress.done,
                progress.total,
                progress.rate(),
                progress.elapsed,
            )
        else:
            log.info("build in progress: %s, %.0f s so far", progress.phase, progress.elapsed)


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

    def __init__(
        self,
        config: Config,
        build: BuildFunction | None = None,
        on_report: Callable[[Any], None] | None = None,
        progress_interval: float = PROGRESS_LOG_SECONDS,
    ) -> None:
        self.config = config
        self._build = build
        self._on_report = on_report  # after each successful build (the WebSub pings)
        self.progress_interval = progress_interval
        self._state = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._again = False
        self._again_named: set[str] | None = set()  # the paths of the build asked for meanwhile; None: walk
        self.runs = 0
        self.metrics = _build_metrics() if config.metrics else None

    def __call__(self, changed: Sequence[str] | None = None) -> None:
        """One build, told the `changed` paths (the watcher) or walking the folder (the
        interval, None). Called while one runs, it asks for one more after it instead, so
        no change waits for the next interval; the requests met meanwhile are merged (a
        walk covers any named paths)."""
        with self._state:
            if self._stopping:
                return
            if not self._idle.is_set():
                self._again = True
                if changed is None or self._again_named is None:
                    self._again_named = None
                else:
                    self._again_named.update(changed)
                return
            self._idle.clear()
        try:
            while True:
                try:
                    self._run_once(changed)
                finally:
                    self.runs += 1
                with self._state:
                    if not self._again or self._stopping:
                        break
                    named, self._again, self._again_named = self._again_named, False, set()
                    changed = None if named is None else sorted(named)
        finally:
            self._idle.set()

    def _run_once(self, changed: Sequence[str] | None = None) -> None:
        from aggregator.buildlock import describe_lock
        from aggregator.report import BuildError, BuildLockTimeout
        from aggregator.state.errors import PublishFailed, StateUnavailable

        build = self._build or _default_build()
        started = time.monotonic()
        result, seconds = "failed", None
        try:
            named = {} if changed is None else {"changed": changed}
            report = build(
                self.config,
                lock_timeout=lock_timeout_for_schedule(self.config),
                progress=ProgressLog(self.progress_interval),
                **named,
            )
        except BuildLockTimeout:
            result = "skipped"
            log.info("scheduled build skipped: another process is building (%s)", describe_lock(self.config))
        except (BuildError, StateUnavailable, PublishFailed) as exc:
            seconds = time.monotonic() - started
            log.error("scheduled build failed: %s; the published feeds are unchanged", exc)
        except Exception:
            seconds = time.monotonic() - started
            log.exception("scheduled build failed; the published feeds are unchanged")
        else:
            result, seconds = "ok", time.monotonic() - started
            log_report(report)
            if self._on_report is not None:
                try:
                    self._on_report(report)
                except Exception:
                    log.exception("after-build step failed")
            # When exactly the build held the lock, for untangling concurrent builds.
            started_at, finished_at = (
                getattr(report, "started_at", None),
                getattr(report, "finished_at", None),
            )
            if started_at and finished_at:
                log.debug("build ran from %s to %s", started_at.isoformat(), finished_at.isoformat())
        if self.metrics is not None:
            self.metrics.observe(result, seconds)

    def stop(self, timeout: float) -> bool:
        """Refuse new builds and wait up to `timeout` seconds for one in flight."""
        with self._state:
            self._stopping = True
        return self._idle.wait(timeout)

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()


def log_report(report: Any, logger: logging.Logger = log, only_new: bool = True) -> None:
    """The build's line (with its counts, for JSON logs) and one line per problem.

    With `only_new`, a problem is logged only when it first appears, so a bad file is
    not repeated every interval; `aggregator build` and `aggregator check` list them all.
    """
    from aggregator.report import display_path

    for problem in getattr(report, "skipped", ()):
        if not only_new or getattr(problem, "new", True):
            logger.warning("skipped %s: %s", display_path(problem.path), problem.reason)
    for problem in getattr(report, "warnings", ()):
        if not only_new or getattr(problem, "new", True):
            logger.info("warning %s: %s", display_path(problem.path), problem.reason)
    counts = report.counts() if hasattr(report, "counts") else None
    extra = {"counts": counts, "duration_ms": getattr(report, "duration_ms", None)}
    logger.info("%s", report.summary_line(), extra=extra)


def _build_metrics() -> Any:
    from aggregator.serve.metrics import BuildMetrics

    return BuildMetrics()


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
