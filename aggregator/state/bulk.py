"""Filling the derived tables in bulk, on a helper thread, while the build goes on.

Building an index once over a full table is much faster than keeping it up to date row
by row, and SQLite runs one statement from start to end without Python's lock, so rows
that cross as one JSON document per chunk go in on the second core. The loader owns the
store's connection while its work is pending: every other store call raises until
`wait()` (or the end of the `with` block) has joined the helper thread.
"""

from __future__ import annotations

import functools
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence

from aggregator.jsontext import compact_json
from aggregator.state.schema import INDEX_STATEMENTS, INSERTS, indexes_of

LOAD_CHUNK = 25_000  # rows per document: each is held three times while SQLite reads it


def _row(value: object) -> tuple[object, ...]:
    """A NamedTuple row (orjson takes only plain tuples) as its fields."""
    if isinstance(value, tuple):
        return tuple(value)
    raise TypeError(f"not a row: {type(value).__name__}")


class StoreBusy(RuntimeError):
    """A store call came while a bulk load still had work on the connection."""


class BulkLoader:
    """Rows and indexes for the derived tables, put in on a helper thread.

    Made by `StateStore.bulk_load()`, which has emptied the tables and set their
    indexes aside; each table's indexes are rebuilt right after its rows (while its
    pages are still cached), any left over when the loader closes.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._worker: _Worker | None = None

    @property
    def pending(self) -> bool:
        return self._worker is not None

    def load_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        """Insert rows into a derived table (`INSERTS[table]`) in the background.

        JSON text cannot carry a NUL through SQLite's JSON functions intact, so a chunk
        holding one goes in row by row, in the foreground.
        """
        insert = INSERTS[table]
        for start in range(0, len(rows), LOAD_CHUNK):
            chunk = rows[start : start + LOAD_CHUNK]
            document = compact_json(chunk, default=_row)  # on the build's own thread
            if "\\u0000" in document:
                self.wait()
                self._db.executemany(f"{insert} VALUES ({', '.join('?' * len(chunk[0]))})", chunk)
                continue
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(chunk[0])))
            statement = f"{insert} SELECT {values} FROM json_each(?)"
            self._submit(functools.partial(self._db.execute, statement, (document,)))
        self._index(indexes_of(table))

    def restore_file_indexes(self) -> None:
        self._index(indexes_of("files"))

    def finish(self) -> None:
        """Every index back (all are IF NOT EXISTS), then wait for the helper thread."""
        self._index(INDEX_STATEMENTS)
        self.wait()

    def wait(self) -> None:
        """Join the helper thread; raise the first error its work met."""
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.join()

    def _index(self, statements: list[str]) -> None:
        self._submit(lambda: [self._db.execute(s) for s in statements])

    def _submit(self, work: Callable[[], object]) -> None:
        if self._worker is None:
            self._worker = _Worker()
        self._worker.submit(work)


class _Worker:
    """Work run in order on one helper thread; `join` returns when all of it is done, or
    raises the first error (work queued after an error is dropped)."""

    def __init__(self) -> None:
        self._error: BaseException | None = None
        self._queue: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="state-store", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[], object]) -> None:
        self._queue.put(work)

    def _run(self) -> None:
        while (work := self._queue.get()) is not None:
            if self._error is None:
                try:
                    work()
                except BaseException as exc:  # handed to the waiting thread
                    self._error = exc

    def join(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
