"""The build lock: one build at a time, across processes and, with PostgreSQL, hosts.

With the SQLite store it is a file lock beside the state file; with `state.url` it is
a PostgreSQL advisory lock (see `aggregator.state.pg.lock`). Either way it yields a
`fence()` the build calls just before publishing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from aggregator.config import Config
from aggregator.report import BuildLockTimeout


def describe_lock(config: Config) -> str:
    if config.state_url:
        from aggregator.state.pg.store import redact

        return f"advisory lock in {redact(config.state_url)}"
    return str(config.lock_path)


@contextmanager
def build_lock(
    config: Config, timeout: float, on_wait: Callable[[], None] | None
) -> Iterator[Callable[[], None]]:
    """Hold the build lock for the block, waiting up to `timeout` seconds for it."""
    message = f"another build held the lock {describe_lock(config)} for more than {timeout:g} s"
    if config.state_url:
        from aggregator.state.pg.lock import LockTimeout, advisory_lock

        with contextlib.ExitStack() as held:
            try:
                fence = held.enter_context(advisory_lock(config.state_url, timeout, on_wait))
            except LockTimeout:
                raise BuildLockTimeout(message) from None
            yield fence
        return
    config.state_path.parent.mkdir(parents=True, exist_ok=True)
    file_lock = FileLock(str(config.lock_path))
    try:
        file_lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait()
        try:
            file_lock.acquire(timeout=timeout)
        except Timeout:
            raise BuildLockTimeout(message) from None
    try:
        yield lambda: None
    finally:
        file_lock.release()
