"""The state store: a SQLite file holding what the content folder alone cannot tell.

- `files`: the manifest (size, mtime, content hash) with the parsed article or the
  reason the file was skipped, so a rescan re-reads only what changed;
- `links`: which canonical URLs each visible file is or names in `related`;
- `nodes`: every story member with its story, why it joined, and its headline words
  and date (what incremental clustering needs to find a change's neighbours);
- `stories`: story ids with when each was first seen and last changed, so ids and
  `updated` survive rebuilds and restarts;
- `feed_entries`: which stories each feed holds, in feed order;
- `topic_names`: how often each spelling of a topic is used, for feed titles.
Deleting the file is always safe: the next build recreates it from the content.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .manifest import Manifest

if TYPE_CHECKING:  # imported where used: a rescan that finds no change never needs them
    from .articles import Article
    from .stories import StoryRecord

SCHEMA_VERSION = "8"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,          -- 'ok', 'draft', 'scheduled' or 'skipped'
    due INTEGER,                   -- for 'scheduled': when it may be published (epoch seconds)
    reason TEXT,                   -- for 'skipped': why
    warnings TEXT,                 -- JSON list
    article TEXT                   -- JSON, for 'ok', 'draft' and 'scheduled'
);
CREATE INDEX IF NOT EXISTS files_due ON files (due) WHERE due IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_status ON files (status);
CREATE INDEX IF NOT EXISTS files_problems ON files (path) WHERE status = 'skipped' OR warnings IS NOT NULL;
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    path TEXT NOT NULL,
    canonical TEXT NOT NULL,
    PRIMARY KEY (path, canonical)
);
CREATE INDEX IF NOT EXISTS links_canonical ON links (canonical);
CREATE TABLE IF NOT EXISTS nodes (
    canonical TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    via TEXT NOT NULL,
    ts INTEGER,                    -- the member's date (epoch seconds), for headline matching
    words TEXT NOT NULL            -- its headline's significant words, space-separated
);
CREATE INDEX IF NOT EXISTS nodes_story ON nodes (story_id);
CREATE INDEX IF NOT EXISTS nodes_ts ON nodes (ts) WHERE ts IS NOT NULL;
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    changed_at TEXT,
    topics TEXT NOT NULL           -- JSON [[slug, name], ...], for topic name counts
);
CREATE TABLE IF NOT EXISTS feed_entries (
    slug TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    story_id TEXT NOT NULL,
    PRIMARY KEY (slug, story_id)
);
CREATE INDEX IF NOT EXISTS feed_entries_order ON feed_entries (slug, sort_key);
CREATE INDEX IF NOT EXISTS feed_entries_story ON feed_entries (story_id);
CREATE TABLE IF NOT EXISTS topic_names (
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    uses INTEGER NOT NULL,
    PRIMARY KEY (slug, name)
);
"""
_INDEX_STATEMENTS = [s for s in _SCHEMA.split(";") if "CREATE INDEX" in s]  # all IF NOT EXISTS


def _indexes_of(table: str) -> list[str]:
    return [s for s in _INDEX_STATEMENTS if f" ON {table} " in s]


_FILE_INDEXES = ("files_due", "files_status", "files_problems")
_BULK_INDEXES = ("links_canonical", "nodes_story", "nodes_ts", "feed_entries_order", "feed_entries_story")
_LOAD_CHUNK = 25_000
_BULK_INSERTS = {  # how `load_rows` fills each derived table (the same as the row-by-row methods)
    "links": "INSERT OR IGNORE INTO links (path, canonical)",
    "nodes": "INSERT OR REPLACE INTO nodes (canonical, story_id, reason, via, ts, words)",
    "stories": "INSERT OR REPLACE INTO stories (id, first_seen, fingerprint, changed_at, topics)",
    "feed_entries": "INSERT OR REPLACE INTO feed_entries (slug, sort_key, story_id)",
    "topic_names": "INSERT INTO topic_names (slug, name, uses)",
}
_TABLES = ("blobs", "files", "links", "nodes", "stories", "feed_entries", "topic_names", "meta")


@dataclass(slots=True, unsafe_hash=True)
class FileRecord:
    path: str
    size: int
    mtime_ns: int
    hash: str
    status: str
    reason: str | None
    warnings: tuple[str, ...]
    article_json: str | None
    due: int | None = None

    def article(self) -> Article | None:
        from .articles import article_from_json

        return article_from_json(self.article_json) if self.article_json else None


class NodeRow(NamedTuple):
    """A row of `nodes`: a tuple, so a build's 200,000 of them go to SQLite as they are."""

    canonical: str
    story_id: str
    reason: str
    via: str
    ts: int | None
    words: str


class StateStore:
    """One connection to the state file; use as a context manager."""

    def __init__(self, path: Path, *, private: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # One thread uses it at a time; `bulk_load` hands it to a helper thread and back.
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._background: _Background | None = None
        self._created: dt.datetime | None = None
        if private:
            # A file no other process can see yet (see `open_store`): a crash leaves
            # nothing anyone relies on, so writes skip the write-ahead log and fsync.
            self.db.execute("PRAGMA journal_mode=MEMORY")
            self.db.execute("PRAGMA synchronous=OFF")
        else:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")
        self._manifest: Manifest | None = None  # as loaded or last saved
        self._manifest_entries: dict[str, tuple[int, int]] | None = None  # with this build's changes
        self._manifest_dirty = False
        self._ensure_schema()
        self.created()  # read now: rendering asks for it while the database may be busy

    def make_shared(self) -> None:
        """Switch a private store to the settings every shared one uses (WAL is persistent)."""
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA journal_mode=WAL")

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.settle()
        self.db.close()

    def _ensure_schema(self) -> None:
        try:
            version = self.get_meta("schema_version")
        except sqlite3.DatabaseError:
            version = None  # no meta table yet
        if version != SCHEMA_VERSION:
            # Another layout (or none yet): start afresh, which is always safe.
            with self.transaction():
                for table in _TABLES:
                    self.db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.set_meta("schema_version", SCHEMA_VERSION)
                now = dt.datetime.now(dt.UTC).replace(microsecond=0)
                self.set_meta("created", now.isoformat())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.settle()
        except BaseException:
            with contextlib.suppress(Exception):
                self.settle()  # nothing may still be writing when the transaction ends
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def created(self) -> dt.datetime:
        """When this store was started: the `updated` of a site that has no story yet."""
        if self._created is None:
            self._created = dt.datetime.fromisoformat(self.get_meta("created") or "2000-01-01T00:00:00+00:00")
        return self._created

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Empty the derived tables, to be refilled (`load_rows`) with their indexes set aside.

        Building an index once over a full table is much faster than keeping it up to
        date row by row; inside the build's transaction, nobody sees the gap. Rows and
        indexes go in on a helper thread (SQLite works without Python's lock meanwhile,
        so on the second core) while the caller does work that needs no database; each
        table's indexes right after its rows, any left over at the end. `settle()` waits
        for all of it before the next use.
        """
        self.settle()
        for table in ("links", "nodes", "feed_entries", "topic_names"):
            self.db.execute(f"DELETE FROM {table}")
        for name in _BULK_INDEXES:
            self.db.execute(f"DROP INDEX IF EXISTS {name}")
        yield
        self._index_in_background(_INDEX_STATEMENTS)

    def load_rows(self, table: str, rows: Sequence[Sequence[object]]) -> None:
        """Insert rows into a derived table on the helper thread (see `bulk_load`).

        The rows cross as JSON documents, each read by a single statement, which runs
        without Python's lock from start to end; row by row, the helper thread would
        wait for the lock at every row. A document is held three times while it is read
        (as text, as UTF-8, and by SQLite), so they are kept to `_LOAD_CHUNK` rows. (JSON
        text cannot carry a NUL through SQLite's JSON functions intact, so a chunk
        holding one goes in the ordinary way.)
        """
        insert = _BULK_INSERTS[table]
        for start in range(0, len(rows), _LOAD_CHUNK):
            chunk = rows[start : start + _LOAD_CHUNK]
            document = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"), check_circular=False)
            if "\\u0000" in document:
                self.settle()
                self.db.executemany(f"{insert} VALUES ({', '.join('?' * len(chunk[0]))})", chunk)
                continue
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(chunk[0])))
            statement = f"{insert} SELECT {values} FROM json_each(?)"
            self._in_background(functools.partial(self.db.execute, statement, (document,)))
        self._index_in_background(_indexes_of(table))  # while the table's pages are still cached

    def defer_file_indexes(self) -> None:
        """Drop the `files` table's secondary indexes until `restore_file_indexes` (or the
        next `bulk_load`) rebuilds them: for a build that rewrites every row, which then
        goes in at half the cost."""
        for name in _FILE_INDEXES:
            self.db.execute(f"DROP INDEX IF EXISTS {name}")

    def restore_file_indexes(self) -> None:
        """Rebuild the `files` indexes in the background, as `bulk_load` does its own."""
        self._index_in_background(_indexes_of("files"))

    def _index_in_background(self, statements: list[str]) -> None:
        self._in_background(lambda: [self.db.execute(s) for s in statements])

    def _in_background(self, work: Callable[[], object]) -> None:
        if self._background is None:
            self._background = _Background()
        self._background.submit(work)

    def settle(self) -> None:
        """Wait for background work on the database (see `bulk_load`); raise its error."""
        if self._background is not None:
            background, self._background = self._background, None
            background.wait()

    # --- meta ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- manifest -----------------------------------------------------------------

    def manifest(self) -> Manifest:
        """Size and mtime of every known file: all a no-change rescan needs, cheaply.

        It is kept as one blob beside the `files` table (rewritten with it in the same
        transaction), because loading one blob is many times faster than reading a
        hundred thousand rows; the table is the fallback.
        """
        if self._manifest is None:
            row = self.db.execute("SELECT value FROM blobs WHERE key = 'manifest'").fetchone()
            if row is not None:
                self._manifest = Manifest.from_blob(row[0])
            else:
                rows = self.db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
                self._manifest = Manifest.from_mapping({path: (size, mtime) for path, size, mtime in rows})
                self._manifest_dirty = True
        return self._manifest

    def save_manifest(self) -> None:
        """Write the manifest blob if this connection changed the files table."""
        if self._manifest is not None and self._manifest_dirty:
            if self._manifest_entries is not None:
                self._manifest = Manifest.from_mapping(self._manifest_entries)
                self._manifest_entries = None
            self.db.execute(
                "INSERT OR REPLACE INTO blobs (key, value) VALUES ('manifest', ?)",
                (self._manifest.to_blob(),),
            )
            self._manifest_dirty = False

    def _manifest_changed(
        self, updates: Iterable[tuple[str, int, int]] = (), gone: Iterable[str] = ()
    ) -> None:
        if self._manifest is None:
            self.db.execute("DELETE FROM blobs WHERE key = 'manifest'")  # rebuilt from the table next time
            return
        if self._manifest_entries is None:
            self._manifest_entries = self._manifest.as_dict()
        entries = self._manifest_entries
        for path, size, mtime in updates:
            entries[path] = (size, mtime)
        for path in gone:
            entries.pop(path, None)
        self._manifest_dirty = True

    def file_records(self, paths: Iterable[str] | None = None) -> Iterator[FileRecord]:
        columns = "path, size, mtime_ns, hash, status, reason, warnings, article, due"
        if paths is None:
            rows: Iterable[tuple[Any, ...]] = self.db.execute(f"SELECT {columns} FROM files ORDER BY path")
        else:
            rows = self._select_in(f"SELECT {columns} FROM files WHERE path IN ({{}})", list(paths))
        for row in rows:
            yield FileRecord(
                path=row[0],
                size=row[1],
                mtime_ns=row[2],
                hash=row[3],
                status=row[4],
                reason=row[5],
                warnings=tuple(json.loads(row[6])) if row[6] else (),
                article_json=row[7],
                due=row[8],
            )

    def problems(self) -> list[tuple[str, str, str]]:
        """(path, kind, message) for every skipped file and every warning, by path."""
        found: list[tuple[str, str, str]] = []
        for path, status, reason, warnings in self.db.execute(
            "SELECT path, status, reason, warnings FROM files"
            " WHERE status = 'skipped' OR warnings IS NOT NULL ORDER BY path"
        ):
            if status == "skipped":
                found.append((path, "skipped", reason or "skipped"))
            for warning in json.loads(warnings) if warnings else ():
                found.append((path, "warning", warning))
        return found

    def status_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())

    def due_paths(self, now_ts: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute("SELECT path FROM files WHERE due IS NOT NULL AND due <= ?", (now_ts,))
        ]

    def put_files(self, records: Iterable[FileRecord]) -> None:
        records = list(records)
        self._manifest_changed(updates=((r.path, r.size, r.mtime_ns) for r in records))
        self.db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash, status, due, reason, warnings, article)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
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
            ),
        )

    def touch_files(self, stats: Iterable[tuple[int, int, str]]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        stats = list(stats)
        self._manifest_changed(updates=((path, size, mtime) for size, mtime, path in stats))
        self.db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", stats)

    def delete_files(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        self._manifest_changed(gone=paths)
        self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    # --- links and nodes ----------------------------------------------------------

    def links_of_paths(self, paths: Sequence[str]) -> list[tuple[str, str]]:
        return list(self._select_in("SELECT path, canonical FROM links WHERE path IN ({})", list(paths)))

    def paths_of_canonicals(self, canonicals: Sequence[str]) -> list[tuple[str, str]]:
        return list(
            self._select_in("SELECT path, canonical FROM links WHERE canonical IN ({})", list(canonicals))
        )

    def replace_links(self, paths: Sequence[str], links: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("DELETE FROM links WHERE path = ?", ((p,) for p in paths))
        self.db.executemany(f"{_BULK_INSERTS['links']} VALUES (?, ?)", links)

    def memberships(self) -> dict[str, str]:
        """canonical -> story id, for every member."""
        return dict(self.db.execute("SELECT canonical, story_id FROM nodes").fetchall())

    def nodes(self, canonicals: Sequence[str]) -> list[NodeRow]:
        return [
            NodeRow(*row)
            for row in self._select_in(
                "SELECT canonical, story_id, reason, via, ts, words FROM nodes WHERE canonical IN ({})",
                list(canonicals),
            )
        ]

    def nodes_of_stories(self, story_ids: Sequence[str]) -> list[NodeRow]:
        return [
            NodeRow(*row)
            for row in self._select_in(
                "SELECT canonical, story_id, reason, via, ts, words FROM nodes WHERE story_id IN ({})",
                list(story_ids),
            )
        ]

    def nodes_between(self, start: int, end: int) -> list[tuple[str, int, str]]:
        """(canonical, ts, words) of every dated member in [start, end]."""
        return self.db.execute(
            "SELECT canonical, ts, words FROM nodes WHERE ts BETWEEN ? AND ?", (start, end)
        ).fetchall()

    def replace_nodes(self, canonicals: Sequence[str], rows: Iterable[NodeRow]) -> None:
        self.db.executemany("DELETE FROM nodes WHERE canonical = ?", ((c,) for c in canonicals))
        self.db.executemany(
            f"{_BULK_INSERTS['nodes']} VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    # --- stories ------------------------------------------------------------------

    def story_records(self, ids: Sequence[str] | None = None) -> dict[str, StoryRecord]:
        from .stories import StoryRecord

        query = "SELECT id, first_seen, fingerprint, changed_at FROM stories"
        rows = (
            self.db.execute(query) if ids is None else self._select_in(query + " WHERE id IN ({})", list(ids))
        )
        return {
            row[0]: StoryRecord(
                id=row[0],
                first_seen=_time(row[1]),
                fingerprint=row[2],
                changed_at=_time(row[3]) if row[3] else None,
            )
            for row in rows
        }

    def story_topics(self, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        return {
            row[0]: [tuple(t) for t in json.loads(row[1])]
            for row in self._select_in("SELECT id, topics FROM stories WHERE id IN ({})", list(ids))
        }

    def story_exists(self, story_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is not None

    def story_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM stories").fetchone()[0]

    def delete_stories(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM stories WHERE id = ?", ((i,) for i in ids))

    def put_stories(self, rows: Iterable[tuple[StoryRecord, tuple[tuple[str, str], ...]]]) -> None:
        self.db.executemany(
            f"{_BULK_INSERTS['stories']} VALUES (?, ?, ?, ?, ?)",
            (story_row(record, topics) for record, topics in rows),
        )

    # --- feeds --------------------------------------------------------------------

    def feed_slugs_of_stories(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(slug, sort_key, story_id) rows of these stories."""
        return list(
            self._select_in(
                "SELECT slug, sort_key, story_id FROM feed_entries WHERE story_id IN ({})", list(ids)
            )
        )

    def delete_feed_entries(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM feed_entries WHERE story_id = ?", ((i,) for i in ids))

    def put_feed_entries(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.db.executemany(f"{_BULK_INSERTS['feed_entries']} VALUES (?, ?, ?)", rows)

    def feed_top(self, slug: str, limit: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT story_id FROM feed_entries WHERE slug = ? ORDER BY sort_key DESC LIMIT ?",
                (slug, limit),
            )
        ]

    def rank_cutoff(self, slug: str, limit: int) -> str | None:
        """The sort key of the feed's last entry within the cap (None if fewer entries)."""
        row = self.db.execute(
            "SELECT sort_key FROM feed_entries WHERE slug = ? ORDER BY sort_key DESC LIMIT 1 OFFSET ?",
            (slug, limit - 1),
        ).fetchone()
        return row[0] if row else None

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        """slug -> (number of stories, newest sort key)."""
        return {
            row[0]: (row[1], row[2])
            for row in self.db.execute("SELECT slug, COUNT(*), MAX(sort_key) FROM feed_entries GROUP BY slug")
        }

    def adjust_topic_names(self, changes: dict[tuple[str, str], int]) -> None:
        for (slug, name), delta in sorted(changes.items()):
            if delta:
                self.db.execute(
                    "INSERT INTO topic_names (slug, name, uses) VALUES (?, ?, ?)"
                    " ON CONFLICT (slug, name) DO UPDATE SET uses = uses + excluded.uses",
                    (slug, name, delta),
                )
        self.db.execute("DELETE FROM topic_names WHERE uses <= 0")

    def topic_names(self, slugs: Sequence[str] | None = None) -> dict[str, str]:
        """slug -> its most used spelling (ties: alphabetical)."""
        query = "SELECT slug, name, uses FROM topic_names"
        rows = (
            self.db.execute(query)
            if slugs is None
            else self._select_in(query + " WHERE slug IN ({})", list(slugs))
        )
        best: dict[str, tuple[int, str]] = {}
        for slug, name, uses in rows:
            if slug not in best or (-uses, name) < (-best[slug][0], best[slug][1]):
                best[slug] = (uses, name)
        return {slug: name for slug, (_uses, name) in best.items()}

    # --- helpers ------------------------------------------------------------------

    def _select_in(self, query: str, values: list[Any], chunk: int = 500) -> Iterator[tuple[Any, ...]]:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            yield from self.db.execute(query.format(",".join("?" * len(part))), part)


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


class _Background:
    """Work run in order on one helper thread; `wait` returns when all of it is done, or
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

    def wait(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def story_row(
    record: StoryRecord, topics: tuple[tuple[str, str], ...]
) -> tuple[str, str, str, str | None, str]:
    """A row of `stories`: the record, and the story's (slug, name) topic pairs."""
    changed_at = record.changed_at.isoformat() if record.changed_at else None
    return record.id, record.first_seen.isoformat(), record.fingerprint, changed_at, _topics_json(topics)


@functools.lru_cache(maxsize=4096)
def _topics_json(topics: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([list(t) for t in topics], ensure_ascii=False)  # few distinct sets: worth a memo


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
