"""The HTTP server process of `aggregator serve`: granian, with WEB_WORKERS WSGI workers.

The supervising process (service.py) writes the effective config (file plus command
line) into its private runtime folder and starts `python -m aggregator.serve.webproc`
with RUNTIME_ENV naming that folder. granian binds the address, forks the workers,
and each worker builds the Flask app from that config (`worker_app`). SIGTERM or
SIGINT makes granian finish the responses in flight and stop its workers.

Why granian: measured on the project's 2-core machine (docs/performance.md) it served
the feed files several times faster than waitress and gunicorn's threaded workers,
and it keeps HTTP/1.1 connections open across 304s.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
from pathlib import Path

from flask import Flask

from aggregator.config import Config
from aggregator.logs import LOG_FORMAT_ENV, configure_logging, dictconfig

RUNTIME_ENV = "AGGREGATOR_RUNTIME_DIR"
CONFIG_FILE = "config.pickle"
WEB_WORKERS = 2
# Python threads per worker: answers are quick reads of cached bytes, and one thread per
# worker measured fastest (no GIL hand-offs); two workers keep both cores busy.
WEB_THREADS = 1
# Feed readers send a request line and a dozen short headers: 32 KiB of head is
# generous (nginx allows 4 x 8 KiB); a bigger one gets 431.
MAX_REQUEST_HEAD_BYTES = 32 * 1024
# An idle keep-alive connection must send its next request head within this.
HEADER_READ_MILLISECONDS = 30_000
# granian stops a worker that has not finished its responses by then.
WORKER_KILL_SECONDS = 3
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def write_runtime_config(runtime: Path, config: Config) -> None:
    """Hand the effective config to the server process (the folder is private, 0700)."""
    (runtime / CONFIG_FILE).write_bytes(pickle.dumps(config))


def runtime_config() -> Config:
    runtime = Path(os.environ[RUNTIME_ENV])
    config = pickle.loads((runtime / CONFIG_FILE).read_bytes())
    assert isinstance(config, Config)
    return config


def worker_app() -> Flask:
    """What each granian worker serves: the Flask app for the supervisor's config."""
    from aggregator.serve.web import create_app

    configure_logging()
    return create_app(runtime_config())


def main() -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    supervisor = os.getppid()
    _die_with_parent()
    config = runtime_config()
    Granian(
        "aggregator.serve.webproc:worker_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=config.host,
        port=config.port,
        workers=WEB_WORKERS,
        blocking_threads=WEB_THREADS,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_MILLISECONDS,
            keep_alive=True,
            max_buffer_size=MAX_REQUEST_HEAD_BYTES,
        ),
        websockets=False,
        log_level=LogLevels.warning,
        log_dictconfig=dictconfig(os.environ.get(LOG_FORMAT_ENV) or "text"),
        workers_kill_timeout=WORKER_KILL_SECONDS,
    ).serve()
    if os.getppid() != supervisor:  # killed outright, it could not remove its runtime folder
        shutil.rmtree(os.environ[RUNTIME_ENV], ignore_errors=True)


def _die_with_parent() -> None:
    """Stop (as on SIGTERM) when the supervisor is gone, even if it was killed outright."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before the line above
        raise SystemExit(0)


if __name__ == "__main__":
    main()
