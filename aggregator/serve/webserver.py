"""The web server as a child process of the supervisor: start, readiness, bounded stop.

`aggregator serve` is a supervising process that runs the scheduler itself and
granian (webproc.py) beside it, with its web workers. The address is checked here
before anything starts, so a port in use fails before the scheduler runs, and
`--port 0` is resolved to a free port that the URLs then name.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from aggregator.config import Config
from aggregator.logs import LOG_FORMAT_ENV
from aggregator.serve.webproc import RUNTIME_ENV, write_runtime_config

log = logging.getLogger("aggregator.service")

POLL_SECONDS = 0.25
READY_SECONDS = 60.0
# After SIGTERM, granian finishes the responses in flight; past this it is killed.
STOP_SECONDS = 4.0


class WebServerFailed(RuntimeError):
    """The HTTP server process could not start, or exited on its own."""


class WebServer:
    """granian in a child process, serving `config`'s output folder."""

    def __init__(self, config: Config, runtime: Path, log_format: str) -> None:
        family, address = _resolve(config.host, config.port)
        port = _check_bindable(family, address)
        self.config = replace(config, host=address[0], port=port)
        self.runtime = runtime
        self.log_format = log_format
        host = f"[{address[0]}]" if family == socket.AF_INET6 else address[0]
        self.urls = [f"http://{host}:{port}/"]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        write_runtime_config(self.runtime, self.config)
        env = {
            **os.environ,
            RUNTIME_ENV: str(self.runtime),
            LOG_FORMAT_ENV: self.log_format,
        }
        # Its own process group, so that a kill reaches granian's workers too: killed
        # alone, granian would leave them serving the port as orphans.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aggregator.serve.webproc"], env=env, start_new_session=True
        )

    def wait_ready(self, stop: threading.Event) -> bool:
        """True once the server accepts connections; False if `stop` came first."""
        deadline = time.monotonic() + READY_SECONDS
        while not stop.is_set():
            self._check_alive()
            try:
                with socket.create_connection((self.config.host, self.config.port), timeout=1):
                    return True
            except OSError:
                if time.monotonic() > deadline:
                    raise WebServerFailed(f"web server not listening after {READY_SECONDS:g} s") from None
                time.sleep(0.05)
        return False

    def run_until(self, stop: threading.Event) -> None:
        log.info("serving %s on %s", self.config.output_dir, ", ".join(self.urls))
        while not stop.wait(POLL_SECONDS):
            self._check_alive()

    def begin_stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def finish_stop(self, deadline: float) -> None:
        """Wait for the server to exit until `deadline`, then kill it."""
        if self.proc is None:
            return
        self.begin_stop()
        try:
            self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("web server still running at the deadline: killing it")
            self._kill_group()
            self.proc.wait(5)
        self._kill_group()  # any worker that outlived granian

    def _kill_group(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _check_alive(self) -> None:
        if self.proc is not None and (code := self.proc.poll()) is not None:
            raise WebServerFailed(f"the web server exited unexpectedly (exit code {code})")


def _resolve(host: str, port: int) -> tuple[socket.AddressFamily, tuple[str, int]]:
    """The first address `host` names (IPv4 first), as granian binds one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(exc.errno, exc.strerror) from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    family, _, _, _, address = infos[0]
    return family, (str(address[0]), int(address[1]))


def _check_bindable(family: socket.AddressFamily, address: tuple[str, int]) -> int:
    """Bind and release the address (raising OSError when taken); the port it got."""
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        return int(probe.getsockname()[1])
