"""Half of a large computation on the second core, in a forked child.

A full pass holds hundreds of thousands of articles in memory; a forked child sees them
without copying (pages are shared until written) and without pickling them, so the work
after clustering can be split in two. Only the child's result travels back, pickled.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# Threads the build itself starts, which never touch what a child uses.
_OWN_THREADS = frozenset({"state-store"})


def can_fork() -> bool:
    """A second core, and no other threads (a web server's, a scheduler's) that a fork
    could catch holding a lock."""
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return False
    main = threading.main_thread()
    return all(t is main or t.name in _OWN_THREADS for t in threading.enumerate())


class ForkedCall(Generic[T]):
    """`work()` runs in a forked child while the caller goes on; `result()` waits for it.

    Use as a context manager: leaving it without the result stops the child.
    """

    def __init__(self, work: Callable[[], T]) -> None:
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: compute, hand the result over, and vanish
            os.close(read_end)
            _run_child(work, write_end)
        os.close(write_end)
        self._source = os.fdopen(read_end, "rb")

    def result(self) -> T:
        data = self._source.read()
        self._source.close()
        _pid, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not data:
            raise RuntimeError(f"the helper process ended without a result (wait status {status})")
        ok, value = pickle.loads(data)
        if not ok:
            raise RuntimeError(f"the helper process failed: {value}")
        return value  # type: ignore[no-any-return]

    def __enter__(self) -> ForkedCall[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._source.close()
            self._pid = 0


def _run_child(work: Callable[[], object], write_end: int) -> None:
    status = 1
    try:
        try:
            payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # reported by the parent, which owns the build's errors
            payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_end, "wb") as sink:
            sink.write(payload)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers or database
