"""Opening the state store for a build: a damaged one is moved aside, a new one is built
aside and moved into place."""

from __future__ import annotations

import contextlib
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

    A store that is not SQLite, is cut short or that SQLite reports damaged is moved
    aside (the log says where) and the build goes on as a first build: the store is a
    cache of what the content folder says, and story ids derive from the content.

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
    """The store at `path`, or None once a damaged one is moved aside.

    Opening reads the header and the schema; the full `quick_check` (about 150 ms of
    CPU per 100 MB of store, as much as a whole no-change build of a large site) runs
    only when opening or a later query reports damage (`set_aside_if_damaged`).
    """
    problem = header_damage(path)
    if problem is None:
        try:
            return StateStore(path)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            problem = check_damage(path) or str(exc)
    _set_aside(path, problem)
    return None


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite reported a damaged file (not a locked or busy one)."""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB"


def set_aside_if_damaged(path: Path, exc: sqlite3.DatabaseError) -> bool:
    """After `exc` from a build: if the store is damaged, move it aside (True)."""
    if not is_damage(exc) or not path.exists():
        return False
    _set_aside(path, check_damage(path) or str(exc))
    return True


def header_damage(path: Path) -> str | None:
    """What the file's 100-byte header shows wrong: not SQLite, or cut short."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header:
        return None  # an empty file is an empty database
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "not a SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size = path.stat().st_size
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        return f"truncated: {size} bytes of {pages * page_size}"
    return None


def check_damage(path: Path) -> str | None:
    """What SQLite's `quick_check` finds wrong with the file, or None."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            rows = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows[:3])


def _set_aside(path: Path, problem: str) -> None:
    aside = move_aside(path)
    log.warning(
        "state store %s is damaged (%s): moved aside to %s; this build starts afresh", path, problem, aside
    )


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
