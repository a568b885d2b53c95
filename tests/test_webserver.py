"""The web server child process: a stop that runs out of time still frees the port.

granian forks its workers; killing granian alone would leave them serving the port as
orphans, so a daemon that reported "stopped" would still answer requests.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import threading
import time
from pathlib import Path

from test_serve_e2e import eventually, make_site

from aggregator.build import run_build
from aggregator.config import load_config
from aggregator.serve.webserver import WebServer


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def _children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.add(int(entry.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_stop_past_its_deadline_kills_granian_and_its_workers(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", articles=3)
    config = load_config(site.config)
    run_build(config)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    server = WebServer(config, runtime, "text")
    server.start()
    assert server.proc is not None
    workers: set[int] = set()
    try:
        assert server.wait_ready(threading.Event())
        idle = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
        idle.request("GET", "/feeds/all.atom")
        assert idle.getresponse().read()
        workers = _children(server.proc.pid)
        assert workers  # granian forked its workers
        # granian too busy to pass SIGTERM on before the deadline (as on a loaded machine):
        # the kill path, with workers that never heard of the stop.
        os.kill(server.proc.pid, signal.SIGSTOP)
        server.finish_stop(deadline=time.monotonic())
        idle.close()
        eventually(lambda: _refused(site.port), 10, "the port to be released")
        eventually(lambda: not any(_alive(pid) for pid in workers), 10, "every worker to be gone")
    finally:
        for pid in {server.proc.pid, *workers}:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
