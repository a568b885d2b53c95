"""Opening the state store for a build: a damaged one is moved aside, a new one is built
aside and moved into place."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aggregator.state.store import StateStore

log = logging.getLogger("aggregator.state")


@contextmanager
def open_store(path: Path) -> Iterator[StateStore]:
    """The state store at `path`; if there is none, one built aside and moved into place.

    A store that cannot be opened or fails SQLite's `quick_check` is moved aside (the
    log says where) and the build goes on as a first build: the store is a cache of
    what the content folder says, and story ids derive from the content.

    A first build writes the whole store in one transaction. Written through SQLite's
    write-ahead log, every page would be written twice (log, then checkpoint) and
    synced; a new file that only this build can see needs neither. It takes the real
    name (atomically) only once the build has succeeded, so a crash or an error leaves
    no store at all, which is always safe: the next build starts afresh.
    """
    if path.exists():
        store = _open_checked(path)
        if store is not None:
            with store:
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


def _open_checked(path: Path) -> StateStore | None:
    """The store at `path` if it opens and passes `quick_check`; else None, moved aside."""
    store: StateStore | None = None
    try:
        store = StateStore(path)
        problem = damage(store)
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    if problem is None and store is not None:
        return store
    if store is not None:
        store.close()
    aside = move_aside(path)
    log.warning(
        "state store %s is damaged (%s): moved aside to %s; this build starts afresh", path, problem, aside
    )
    return None


def damage(store: StateStore) -> str | None:
    """What SQLite's `quick_check` finds wrong with the store, or None."""
    rows = [row[0] for row in store.db.execute("PRAGMA quick_check").fetchall()]
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows[:3])


def move_aside(path: Path) -> Path:
    """Rename a damaged store (and its logs) to `<name>.damaged-<UTC time>`, kept for a look."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        aside, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.replace(path, aside)
    for sidecar, target in zip(_sidecars(path), _sidecars(aside), strict=True):
        if sidecar.exists():
            os.replace(sidecar, target)
    return aside


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
