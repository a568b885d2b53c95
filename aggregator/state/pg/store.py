"""The state store in a PostgreSQL database: `StateStore`'s methods, ids and answers.

Every method does what the SQLite store's method of the same name does, in
PostgreSQL's words: upserts for `INSERT OR REPLACE`, `= ANY(array)` for long `IN`
lists, COPY for bulk loads, and every ordering by byte order (see `pg.schema`). Lists
come back in key order, as SQLite gives them. The connection is in autocommit mode
outside `transaction()`, like the SQLite store's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from aggregator.model import FileRecord, StoryRecord
from aggregator.names import most_used_spellings
from aggregator.state.bulk import StoreBusy
from aggregator.state.errors import StateUnavailable
from aggregator.state.manifest import Manifest, ManifestCache
from aggregator.state.pg.copy import CopyLoader
from aggregator.state.pg.schema import INDEXES, ensure_schema, upsert
from aggregator.state.rows import (
    FILE_COLUMNS,
    NodeRow,
    file_record,
    problems_of,
    story_record,
    story_row,
    topics_json,
)

# Taken by every build's transaction: even if two builders ever believed they held the
# build lock, their writes to the state would still go one after the other.
WRITE_LOCK_KEY = 0x61676757  # "aggW"


# A host that vanishes without closing its connection (power loss, a cut cable) is
# noticed by both ends within about half a minute, not the kernel's two hours.
KEEPALIVE: dict[str, Any] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


class _PgManifest(ManifestCache):
    WRITE = (
        "INSERT INTO blobs (key, value) VALUES ('manifest', %s)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    JOURNAL_WRITE = (
        "INSERT INTO blobs (key, value) VALUES ('manifest_journal', %s)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )


def connect(url: str, purpose: str) -> psycopg.Connection[Any]:
    """An autocommit connection named for `pg_stat_activity`; a clear error if unreachable."""
    try:
        return psycopg.connect(url, autocommit=True, application_name=application_name(purpose), **KEEPALIVE)
    except psycopg.Error as exc:
        raise StateUnavailable(
            f"cannot connect to the state database {redact(url)}: {_reason(exc)}"
        ) from None


def application_name(purpose: str) -> str:
    """What `pg_stat_activity` shows for our sessions: which host and process holds what."""
    return f"aggregator {purpose} {socket.gethostname()}:{os.getpid()}"[:63]


def redact(url: str) -> str:
    """The URL without its password, for messages and /healthz."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class PostgresStore:
    """One connection to the state database; use as a context manager."""

    backend = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = connect(url, "build")
        self._loader: CopyLoader | None = None
        self._created: dt.datetime | None = None
        self._manifest = _PgManifest()
        ensure_schema(self._db)
        self.created()

    @property
    def db(self) -> psycopg.Connection[Any]:
        return self._db

    def describe(self) -> str:
        return redact(self.url)

    def make_shared(self) -> None:
        """Nothing to switch: a database is always shared."""

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.db.transaction():
                self.db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                yield
        except BaseException:
            self._manifest.forget()  # it may hold what the rollback undid
            raise

    def created(self) -> dt.datetime:
        if self._created is None:
            self._created = dt.datetime.fromisoformat(self.get_meta("created") or "2000-01-01T00:00:00+00:00")
        return self._created

    def defer_file_indexes(self) -> None:
        for name, (table, _statement) in INDEXES.items():
            if table == "files":
                self.db.execute(f"DROP INDEX IF EXISTS {name}")

    @contextmanager
    def bulk_load(self) -> Iterator[CopyLoader]:
        """Empty the derived tables (inside the build's transaction: nobody sees the gap)
        and set their indexes aside; the block's end rebuilds every index."""
        if self._loader is not None:
            raise StoreBusy("a bulk load is already open on this store")
        self.db.execute("TRUNCATE links, nodes, feed_entries, topic_names")
        for name, (table, _statement) in INDEXES.items():
            if table != "files":
                self.db.execute(f"DROP INDEX IF EXISTS {name}")
        loader = self._loader = CopyLoader(self.db)
        try:
            yield loader
            loader.finish()
        finally:
            self._loader = None

    # --- meta ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- manifest -----------------------------------------------------------------

    def manifest(self) -> Manifest:
        return self._manifest.load(self.db)

    def save_manifest(self) -> None:
        self._manifest.save(self.db)

    def file_records(self, paths: Iterable[str] | None = None) -> Iterator[FileRecord]:
        columns = FILE_COLUMNS
        if paths is None:
            rows = self._stream(f"SELECT {columns} FROM files ORDER BY path")
        else:
            rows = self._select_in(
                f"SELECT {columns} FROM files WHERE path = ANY(%s) ORDER BY path", list(paths)
            )
        for row in rows:
            yield file_record(row)

    def problems(self) -> list[tuple[str, str, str]]:
        return problems_of(
            self.db.execute(
                "SELECT path, status, reason, warnings FROM files"
                " WHERE status = 'skipped' OR warnings IS NOT NULL ORDER BY path"
            )
        )

    def status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())

    def due_paths(self, now_ts: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT path FROM files WHERE due IS NOT NULL AND due <= %s ORDER BY path", (now_ts,)
            )
        ]

    def put_files(self, records: Iterable[FileRecord]) -> None:
        records = list(records)
        self._manifest.changed(self.db, updates=((r.path, r.size, r.mtime_ns) for r in records))
        self._many(
            upsert("files"),
            [
                (
                    r.path,
                    r.size,
                    r.mtime_ns,
                    r.hash,
                    r.status,
                    r.due,
                    r.reason,
                    json.dumps(list(r.warnings)) if r.warnings else None,
                    r.article_json,
                )
                for r in records
            ],
        )

    def touch_files(self, stats: Iterable[tuple[int, int, str]]) -> None:
        stats = list(stats)
        self._manifest.changed(self.db, updates=((path, size, mtime) for size, mtime, path in stats))
        self._many("UPDATE files SET size = %s, mtime_ns = %s WHERE path = %s", stats)

    def delete_files(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        self._manifest.changed(self.db, gone=paths)
        if paths:
            self.db.execute("DELETE FROM files WHERE path = ANY(%s)", (paths,))

    # --- links and nodes ----------------------------------------------------------

    def links_of_paths(self, paths: Sequence[str]) -> list[tuple[str, str]]:
        query = "SELECT path, canonical FROM links WHERE path = ANY(%s) ORDER BY path, canonical"
        return list(self._select_in(query, list(paths)))

    def paths_of_canonicals(self, canonicals: Sequence[str]) -> list[tuple[str, str]]:
        query = "SELECT path, canonical FROM links WHERE canonical = ANY(%s) ORDER BY canonical, path"
        return list(self._select_in(query, list(canonicals)))

    def replace_links(self, paths: Sequence[str], links: Iterable[tuple[str, str]]) -> None:
        if paths:
            self.db.execute("DELETE FROM links WHERE path = ANY(%s)", (list(paths),))
        self._many(upsert("links", replace=False), list(links))

    def memberships(self) -> dict[str, str]:
        return dict(self._stream("SELECT canonical, story_id FROM nodes ORDER BY canonical"))

    def nodes(self, canonicals: Sequence[str]) -> list[NodeRow]:
        query = "SELECT canonical, story_id, reason, via, ts, words FROM nodes WHERE canonical = ANY(%s)"
        return [NodeRow(*row) for row in self._select_in(query + " ORDER BY canonical", list(canonicals))]

    def nodes_of_stories(self, story_ids: Sequence[str]) -> list[NodeRow]:
        query = "SELECT canonical, story_id, reason, via, ts, words FROM nodes WHERE story_id = ANY(%s)"
        return [
            NodeRow(*row) for row in self._select_in(query + " ORDER BY story_id, canonical", list(story_ids))
        ]

    def dated_from(self, start: int) -> list[str]:
        rows = self.db.execute("SELECT canonical FROM nodes WHERE ts >= %s ORDER BY canonical", (start,))
        return [row[0] for row in rows]

    def count_dated_from(self, start: int) -> int:
        return int(self.db.execute("SELECT count(*) FROM nodes WHERE ts >= %s", (start,)).fetchone()[0])

    def nodes_between(self, start: int, end: int) -> list[tuple[str, int, str]]:
        return self.db.execute(
            "SELECT canonical, ts, words FROM nodes WHERE ts BETWEEN %s AND %s ORDER BY ts, canonical",
            (start, end),
        ).fetchall()

    def replace_nodes(self, canonicals: Sequence[str], rows: Iterable[NodeRow]) -> None:
        if canonicals:
            self.db.execute("DELETE FROM nodes WHERE canonical = ANY(%s)", (list(canonicals),))
        self._many(upsert("nodes"), list(rows))

    # --- stories ------------------------------------------------------------------

    def story_records(self, ids: Sequence[str] | None = None) -> dict[str, StoryRecord]:
        query = "SELECT id, first_seen, fingerprint, changed_at FROM stories"
        rows = (
            self._stream(query + " ORDER BY id")
            if ids is None
            else self._select_in(query + " WHERE id = ANY(%s) ORDER BY id", list(ids))
        )
        return {row[0]: story_record(row) for row in rows}

    def story_topics(self, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        query = "SELECT id, topics FROM stories WHERE id = ANY(%s) ORDER BY id"
        return {row[0]: [tuple(t) for t in json.loads(row[1])] for row in self._select_in(query, list(ids))}

    def story_exists(self, story_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM stories WHERE id = %s", (story_id,)).fetchone() is not None

    def story_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM stories").fetchone()[0]

    def delete_stories(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.db.execute("DELETE FROM stories WHERE id = ANY(%s)", (ids,))

    def put_stories(self, rows: Iterable[tuple[StoryRecord, tuple[tuple[str, str], ...]]]) -> None:
        self._many(upsert("stories"), [story_row(record, topics_json(topics)) for record, topics in rows])

    # --- feeds --------------------------------------------------------------------

    def feed_slugs_of_stories(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        query = "SELECT slug, sort_key, story_id FROM feed_entries WHERE story_id = ANY(%s) ORDER BY story_id, slug"
        return list(self._select_in(query, list(ids)))

    def delete_feed_entries(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.db.execute("DELETE FROM feed_entries WHERE story_id = ANY(%s)", (ids,))

    def put_feed_entries(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self._many(upsert("feed_entries"), list(rows))

    def feed_top(self, slug: str, limit: int) -> list[str]:
        query = "SELECT story_id FROM feed_entries WHERE slug = %s ORDER BY sort_key DESC LIMIT %s"
        return [r[0] for r in self.db.execute(query, (slug, limit))]

    def rank_cutoff(self, slug: str, limit: int) -> str | None:
        row = self.db.execute(
            "SELECT sort_key FROM feed_entries WHERE slug = %s ORDER BY sort_key DESC LIMIT 1 OFFSET %s",
            (slug, limit - 1),
        ).fetchone()
        return row[0] if row else None

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        query = "SELECT slug, COUNT(*), MAX(sort_key) FROM feed_entries GROUP BY slug ORDER BY slug"
        return {row[0]: (row[1], row[2]) for row in self.db.execute(query)}

    def adjust_topic_names(self, changes: dict[tuple[str, str], int]) -> None:
        rows = [(slug, name, delta) for (slug, name), delta in sorted(changes.items()) if delta]
        self._many(
            "INSERT INTO topic_names (slug, name, uses) VALUES (%s, %s, %s)"
            " ON CONFLICT (slug, name) DO UPDATE SET uses = topic_names.uses + excluded.uses",
            rows,
        )
        self.db.execute("DELETE FROM topic_names WHERE uses <= 0")

    def topic_names(self, slugs: Sequence[str] | None = None) -> dict[str, str]:
        query = "SELECT slug, name, uses FROM topic_names"
        rows = (
            self.db.execute(query + " ORDER BY slug, name")
            if slugs is None
            else self._select_in(query + " WHERE slug = ANY(%s) ORDER BY slug, name", list(slugs))
        )
        return most_used_spellings(rows)

    # --- helpers ------------------------------------------------------------------

    def _many(self, statement: str, rows: list[Sequence[Any]]) -> None:
        if rows:
            with self.db.cursor() as cur:
                cur.executemany(statement, rows)

    def _stream(self, query: str) -> Iterator[tuple[Any, ...]]:
        """Rows in chunks as the server sends them: a whole table is never held at once."""
        with self.db.cursor() as cur:
            yield from cur.stream(query, size=2000)

    def _select_in(self, query: str, values: list[Any], chunk: int = 50_000) -> Iterator[tuple[Any, ...]]:
        """One array parameter per `chunk` values: a few round trips, not one per value."""
        for start in range(0, len(values), chunk):
            yield from self.db.execute(query, (values[start : start + chunk],))
