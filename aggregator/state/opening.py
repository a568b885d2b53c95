"""Opening the state store for a build: a SQLite file (a new one is built aside and
moved into place) or a PostgreSQL database named by `state.url`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aggregator.state.errors import StateUnavailable
from aggregator.state.store import StateStore


@contextmanager
def open_state(url: str | None, path: Path) -> Iterator[Any]:
    """The store at `url` (PostgreSQL) if given, else the SQLite file at `path`.

    A database connection lost at any point surfaces as `StateUnavailable`; the
    transaction it was in is rolled back by the server.
    """
    if url is None:
        with open_store(path) as store:
            yield store
        return
    import psycopg

    from aggregator.state.pg.store import PostgresStore, redact

    try:
        with PostgresStore(url) as store:
            yield store
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StateUnavailable(f"lost the state database {redact(url)}: {reason}") from None


@contextmanager
def open_store(path: Path) -> Iterator[StateStore]:
    """The state store at `path`; if there is none, one built aside and moved into place.

    A first build writes the whole store in one transaction. Written through SQLite's
    write-ahead log, every page would be written twice (log, then checkpoint) and
    synced; a new file that only this build can see needs neither. It takes the real
    name (atomically) only once the build has succeeded, so a crash or an error leaves
    no store at all, which is always safe: the next build starts afresh.
    """
    if path.exists():
        with StateStore(path) as store:
            yield store
        return
    scratch = path.with_name(path.name + ".new")
    for leftover in (scratch, *_sidecars(scratch), *_sidecars(path)):
        leftover.unlink(missing_ok=True)  # of an interrupted first build, or a store deleted alone
    store = StateStore(scratch, private=True)
    try:
        yield store
        store.make_shared()
    except BaseException:
        store.close()
        scratch.unlink(missing_ok=True)
        raise
    store.close()
    os.replace(scratch, path)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
