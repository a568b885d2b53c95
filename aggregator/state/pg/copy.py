"""Filling the derived tables in bulk with COPY, PostgreSQL's fastest way in.

The same interface as the SQLite store's `BulkLoader`, but synchronous: COPY streams
the rows to the server, which does the work in its own process, so there is no helper
thread and nothing is ever pending on the connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregator.state.pg.schema import COLUMNS, INDEXES, KEYS, indexes_of

# Tables the loader adds to instead of refilling: rows replace those with the same key.
_KEPT = ("stories",)


class CopyLoader:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @property
    def pending(self) -> bool:
        return False

    def load_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        """COPY rows into a derived table, then build its indexes.

        The SQLite loader inserts OR REPLACE (OR IGNORE for links); COPY has no conflict
        clause, so duplicates are folded here the same way, and rows of a table that is
        not emptied first replace the ones they collide with.
        """
        rows = _unique(table, rows)
        if not rows:
            self._index(indexes_of(table))
            return
        columns = COLUMNS[table]
        if table in _KEPT:
            key = COLUMNS[table].index(KEYS[table][0])
            self._conn.execute(
                f"DELETE FROM {table} WHERE {KEYS[table][0]} = ANY(%s)", ([row[key] for row in rows],)
            )
        with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self._index(indexes_of(table))

    def restore_file_indexes(self) -> None:
        self._index(indexes_of("files"))

    def finish(self) -> None:
        self._index([statement for _table, statement in INDEXES.values()])

    def wait(self) -> None:
        """Nothing runs in the background: a no-op, for the store's interface."""

    def _index(self, statements: list[str]) -> None:
        for statement in statements:
            self._conn.execute(statement)


def _unique(table: str, rows: Sequence[Sequence[object]]) -> Sequence[Sequence[object]]:
    """Rows with one per key: the last for a replacing table, the first for links."""
    positions = [COLUMNS[table].index(k) for k in KEYS[table]]
    seen: dict[tuple[object, ...], Sequence[object]] = {}
    keep_first = table == "links"
    for row in rows:
        key = tuple(row[i] for i in positions)
        if keep_first:
            seen.setdefault(key, row)
        else:
            seen[key] = row
    return rows if len(seen) == len(rows) else list(seen.values())
