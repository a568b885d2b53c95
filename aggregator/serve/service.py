"""The long-running processes: web server and/or scheduler, and their clean shutdown.

`aggregator serve` is a supervising process that runs the scheduler itself and the web
server (granian with its worker processes, webserver.py) as its child; `aggregator
scheduler` runs only the scheduler. Either stops on SIGTERM or SIGINT: no new build
starts, the web server finishes the responses in flight, a build in flight gets until
the deadline to finish, and the process exits 0 within SHUTDOWN_SECONDS. A build that
would overrun is abandoned; its files are written to temporary names and renamed into
place, so the output folder keeps only whole files either way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from aggregator.config import Config
from aggregator.logs import configure_logging as configure_logging
from aggregator.serve.scheduler import BuildFunction, RebuildJob, create_scheduler
from aggregator.serve.websub import start_pinger

log = logging.getLogger("aggregator.service")  # a stable name: operators filter logs by it

SHUTDOWN_SECONDS = 10.0
# Leave room under SHUTDOWN_SECONDS for the interpreter to exit.
SHUTDOWN_BUDGET = SHUTDOWN_SECONDS - 1.5
POLL_SECONDS = 0.25
# What the web server gets, after SIGTERM, to finish the responses in flight.
STOP_SECONDS = 4.0
# Where prometheus-client keeps the counters every process of the service adds to.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

ReadyCallback = Callable[[str | None], None]


def run_service(
    config: Config,
    *,
    web: bool = True,
    scheduler: bool = True,
    build: BuildFunction | None = None,
    stop: threading.Event | None = None,
    install_signals: bool = True,
    on_ready: ReadyCallback | None = None,
    shutdown_budget: float = SHUTDOWN_BUDGET,
    log_format: str = "text",
) -> bool:
    """Run until `stop` is set (by SIGTERM/SIGINT when `install_signals`).

    Returns True after a clean stop, False when a build was still running at the
    deadline: the caller should then leave with `exit_now`, as the worker thread
    would otherwise be joined at exit. `on_ready` receives the server's URL (None
    without the web server) once it is listening. Raises OSError when the address
    cannot be bound, WebServerFailed when the web server dies.
    """
    stop = stop or threading.Event()
    if install_signals:
        _install_signal_handlers(stop)
    with runtime_folder(config) as runtime:
        from aggregator.serve.webserver import WebServer

        server = WebServer(config, runtime, log_format) if web else None
        job: RebuildJob | None = None
        sched = None
        watcher = pinger = None
        clean = True
        try:
            if server:
                server.start()
            if scheduler:
                pinger = start_pinger(config)
                job = RebuildJob(config, build, on_report=pinger.after_build if pinger else None)
                sched = create_scheduler(config, job)
                sched.start()
                log.info(
                    "scheduler started: rebuilding %s into %s every %ss",
                    config.content_dir,
                    config.output_dir,
                    config.interval_seconds,
                )
                if config.watch:
                    from aggregator.serve.watch import ContentWatcher

                    watcher = ContentWatcher(config.content_dir, config.patterns, job)
                    watcher.start()
            if server is None or server.wait_ready(stop):
                if on_ready:
                    on_ready(server.urls[0] if server else None)
                if server:
                    server.run_until(stop)
                else:
                    while not stop.wait(POLL_SECONDS):
                        pass
        finally:
            deadline = time.monotonic() + shutdown_budget
            if watcher is not None:
                watcher.stop()
            if pinger is not None:
                pinger.close()  # queued pings are dropped; one in flight is abandoned with its thread
            if server:
                server.begin_stop()  # the web server drains while the build in flight finishes
            if sched is not None and job is not None:
                clean = _stop_scheduler(sched, job, deadline)
            if server:
                server.finish_stop(min(deadline, time.monotonic() + STOP_SECONDS))
    log.info("stopped")
    return clean


@contextlib.contextmanager
def runtime_folder(config: Config) -> Iterator[Path]:
    """A private folder for this run: the web server's config and the metrics files.

    With metrics on, PROMETHEUS_MULTIPROC_DIR names its `metrics/` subfolder (unless
    the operator set one), before prometheus-client is first imported, so the build
    metrics of this process and the request counts of every web worker are summed
    at each scrape. The folder is removed when the service stops.
    """
    runtime = Path(tempfile.mkdtemp(prefix="aggregator-serve-"))
    previous = os.environ.get(MULTIPROC_ENV)
    try:
        if config.metrics and previous is None:
            (runtime / "metrics").mkdir()
            os.environ[MULTIPROC_ENV] = str(runtime / "metrics")
        yield runtime
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(runtime, ignore_errors=True)


def _install_signal_handlers(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.warning("%s again: exiting now", name)
            flush_logs()
            os._exit(1)
        log.info("%s received: shutting down", name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _stop_scheduler(sched: Any, job: RebuildJob, deadline: float) -> bool:
    """Stop scheduling and wait for the build in flight until `deadline`; False if it overran."""
    sched.shutdown(wait=False)  # no new runs; does not wait for the one in flight
    if job.busy:
        log.info("waiting for the build in flight to finish")
    if job.stop(max(0.0, deadline - time.monotonic())):
        return True
    log.warning("build still running at the shutdown deadline: abandoning it; published files stay whole")
    return False


def exit_now(code: int) -> None:
    """Leave without joining worker threads (an abandoned build would hold up exit)."""
    flush_logs()
    os._exit(code)


def flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    sys.stderr.flush()
