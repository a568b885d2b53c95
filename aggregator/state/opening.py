"""Opening the state store for a build: a new one is built aside and moved into place."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aggregator.state.store import StateStore


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
