"""A helper process for one question: work for the second core while the parent goes on.

A cold build's serial stretches (grouping, rendering) leave one core idle. A helper is a
fresh interpreter (`python -m <module>`), started early and never forked from the large
parent, which would copy its heap (and count it twice); nor a multiprocessing spawn,
which would run the caller's main module again. It takes one pickled question on stdin
and writes one pickled answer on stdout; the module's `main` is `serve_one`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class HelperProcess:
    """The helper running `module`, owned by one pass and gone with it (`close`)."""

    def __init__(self, module: str) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._sender: threading.Thread | None = None
        root = str(Path(__file__).resolve().parents[1])  # where `aggregator` is importable from
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        with contextlib.suppress(OSError, ValueError):
            self._process = subprocess.Popen(
                [sys.executable, "-m", module],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )

    def submit(self, question: Any) -> bool:
        """Send the question; it is written on a thread while the caller goes on. False if
        the helper is not running or was asked already."""
        process = self._process
        if process is None or process.stdin is None or self._sender is not None:
            return False
        payload = pickle.dumps(question, protocol=pickle.HIGHEST_PROTOCOL)

        def send() -> None:
            with contextlib.suppress(OSError), process.stdin as pipe:  # type: ignore[union-attr]
                pipe.write(payload)

        self._sender = threading.Thread(target=send, name="helper-process-question", daemon=True)
        self._sender.start()
        return True

    def answer(self) -> Any:
        """The helper's answer; raises if it failed in any way."""
        process = self._process
        if process is None or process.stdout is None or self._sender is None:
            raise RuntimeError("no question was sent")
        data = process.stdout.read()
        self._sender.join()
        if process.wait() != 0:
            raise RuntimeError(f"the helper exited with {process.returncode}")
        return pickle.loads(data)

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._sender is not None:
            self._sender.join()


def serve_one(work: Callable[[Any], Any]) -> None:
    """The helper's side: one question from stdin, `work`'s answer to stdout."""
    question = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(work(question), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
