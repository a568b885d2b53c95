"""The long-running processes: web server and/or scheduler, and their clean shutdown.

`aggregator serve` runs both in one process on waitress; `aggregator scheduler` runs
only the scheduler. Either stops on SIGTERM or SIGINT: no new build starts, the web
server stops accepting and finishes the responses in flight, a build in flight gets
until the deadline to finish, and the process exits 0 within SHUTDOWN_SECONDS. A
build that would overrun is abandoned; its files are written to temporary names and
renamed into place, so the output folder keeps only whole files either way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from aggregator.config import Config
from aggregator.serve.scheduler import BuildFunction, RebuildJob, create_scheduler
from aggregator.serve.websub import start_pinger

log = logging.getLogger("aggregator.service")  # a stable name: operators filter logs by it

SHUTDOWN_SECONDS = 10.0
# Leave room under SHUTDOWN_SECONDS for the interpreter to exit.
SHUTDOWN_BUDGET = SHUTDOWN_SECONDS - 1.5
HTTP_DRAIN_SECONDS = 1.5
POLL_SECONDS = 0.25
WEB_THREADS = 8
# Limits for what clients send. Feed readers send a request line and a dozen short
# headers: 32 KiB of head is generous (nginx allows 4 x 8 KiB); a bigger one gets 431.
# Nothing we serve takes a body: one over 64 KiB gets 413 without being read.
MAX_REQUEST_HEAD_BYTES = 32 * 1024
MAX_REQUEST_BODY_BYTES = 64 * 1024
# An idle keep-alive connection is closed after this, so idle clients cannot hold
# every connection slot.
IDLE_CONNECTION_SECONDS = 30

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
) -> bool:
    """Run until `stop` is set (by SIGTERM/SIGINT when `install_signals`).

    Returns True after a clean stop, False when a build was still running at the
    deadline: the caller should then leave with `exit_now`, as the worker thread
    would otherwise be joined at exit. `on_ready` receives the server's URL (None
    without the web server) once it is listening.
    """
    stop = stop or threading.Event()
    if install_signals:
        _install_signal_handlers(stop)

    server = WebServer(config) if web else None
    job: RebuildJob | None = None
    sched = None
    watcher = pinger = None
    clean = True
    try:
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
        if sched is not None and job is not None:
            clean = _stop_scheduler(sched, job, deadline)
    log.info("stopped")
    return clean


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


class WebServer:
    """waitress, with its event loop driven here so shutdown can be bounded.

    Binding happens in the constructor, so a port already in use fails before the
    scheduler starts. `run_until` checks the stop event between polls; on stop it
    stops accepting, lets responses in flight go out, then closes everything.
    """

    def __init__(self, config: Config) -> None:
        from waitress.server import BaseWSGIServer, create_server

        from aggregator.serve.web import create_app

        self.config = config
        self.socket_map: dict[int, Any] = {}
        self.server = create_server(
            create_app(config),
            map=self.socket_map,
            host=config.host,
            port=config.port,
            threads=WEB_THREADS,
            ident="aggregator",
            clear_untrusted_proxy_headers=True,
            max_request_header_size=MAX_REQUEST_HEAD_BYTES,
            max_request_body_size=MAX_REQUEST_BODY_BYTES,
            channel_timeout=IDLE_CONNECTION_SECONDS,
        )
        # A host name can resolve to several addresses, one listening server each.
        self.listeners = [obj for obj in self.socket_map.values() if isinstance(obj, BaseWSGIServer)]
        self.urls = [f"http://{_url_host(x.effective_host)}:{x.effective_port}/" for x in self.listeners]

    def _loop(self, timeout: float) -> None:
        from waitress import wasyncore

        use_poll = self.server.adj.asyncore_use_poll
        wasyncore.loop(timeout=timeout, use_poll=use_poll, map=self.socket_map, count=1)

    def run_until(self, stop: threading.Event) -> None:
        from waitress import wasyncore

        log.info("serving %s on %s", self.config.output_dir, ", ".join(self.urls))
        try:
            while not stop.is_set():
                self._loop(POLL_SECONDS)
        finally:
            for listener in self.listeners:
                listener.close()  # stop accepting; open connections stay for the drain
            drain_until = time.monotonic() + HTTP_DRAIN_SECONDS
            while _busy_channels(self.socket_map) and time.monotonic() < drain_until:
                self._loop(0.05)
            wasyncore.close_all(self.socket_map)
            self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)


def _busy_channels(socket_map: dict[int, Any]) -> bool:
    """Any connection with a request being handled or a response not yet sent."""
    return any(
        getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0)
        for channel in list(socket_map.values())
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


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


def configure_logging(verbose: bool = False) -> None:
    """Timestamped lines on stderr: one per build, one per skipped file."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # APScheduler reports every run at INFO; the job logs its own line instead.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
