"""The build lock across hosts: a session-level advisory lock on its own connection.

The lock lives as long as the connection, so a builder that dies (SIGKILL, a crash, a
lost host) releases it when the server notices the connection gone: at once for a
killed process, within the keep-alive time for a vanished host. The server's own
keep-alive settings are tightened on this session for that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from aggregator.state.errors import StateUnavailable
from aggregator.state.pg.store import connect, redact

BUILD_LOCK_KEY = 0x61676742  # "aggB": one builder per database


class LockTimeout(Exception):
    """Another session held the build lock for longer than the wait allowed."""


@contextmanager
def advisory_lock(
    url: str, timeout: float, on_wait: Callable[[], None] | None = None
) -> Iterator[Callable[[], None]]:
    """Hold the build lock; yields `fence()`, which raises unless the lock is still held.

    Waits up to `timeout` seconds (the server's `lock_timeout`) when another session
    has it. The build calls `fence()` just before publishing, so a builder whose lock
    connection dropped (and whose lock another host may now hold) publishes nothing.
    """
    conn = connect(url, "build lock")
    try:
        for setting, value in (
            ("tcp_keepalives_idle", 10),
            ("tcp_keepalives_interval", 5),
            ("tcp_keepalives_count", 3),
        ):
            conn.execute(f"SET {setting} = {value}")
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (BUILD_LOCK_KEY,)).fetchone()[0]:
            if on_wait is not None:
                on_wait()
            if timeout <= 0:  # lock_timeout 0 would mean "wait for ever"
                raise LockTimeout()
            conn.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
            try:
                conn.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                raise LockTimeout() from None
            conn.execute("SET lock_timeout = 0")

        def fence() -> None:
            try:
                conn.execute("SELECT 1")
            except psycopg.Error:
                raise StateUnavailable(f"lost the build lock's connection to {redact(url)}") from None

        yield fence
    except psycopg.OperationalError as exc:
        raise StateUnavailable(f"lost the build lock's connection to {redact(url)}: {exc}") from None
    finally:
        conn.close()  # ends the session, which releases the lock
