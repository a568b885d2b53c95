"""The PostgreSQL layout of the state store, versioned in `schema_version`.

The tables and indexes mirror `aggregator.state.schema` (same names, so the build's
index handling applies unchanged). Every text column compares byte by byte (`COLLATE
"C"`), as SQLite's do: feed order and the `MAX(sort_key)` of a feed must not depend on
the database's locale. A database holding another version is started afresh, as a
SQLite store is: the store is a cache of what the content folder says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aggregator.state.schema import SCHEMA_VERSION

T = 'TEXT COLLATE "C"'
TABLES = ("blobs", "files", "links", "nodes", "stories", "feed_entries", "topic_names", "meta")
_TABLES = f"""
CREATE TABLE meta (key {T} PRIMARY KEY, value {T} NOT NULL);
CREATE TABLE files (
    path {T} PRIMARY KEY, size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, hash {T} NOT NULL,
    status {T} NOT NULL, due BIGINT, reason {T}, warnings {T}, article {T}
);
CREATE TABLE blobs (key {T} PRIMARY KEY, value BYTEA NOT NULL);
CREATE TABLE links (path {T} NOT NULL, canonical {T} NOT NULL, PRIMARY KEY (path, canonical));
CREATE TABLE nodes (
    canonical {T} PRIMARY KEY, story_id {T} NOT NULL, reason {T} NOT NULL, via {T} NOT NULL,
    ts BIGINT, words {T} NOT NULL
);
CREATE TABLE stories (
    id {T} PRIMARY KEY, first_seen {T} NOT NULL, fingerprint {T} NOT NULL, changed_at {T},
    topics {T} NOT NULL
);
CREATE TABLE feed_entries (
    slug {T} NOT NULL, sort_key {T} NOT NULL, story_id {T} NOT NULL, PRIMARY KEY (slug, story_id)
);
CREATE TABLE topic_names (
    slug {T} NOT NULL, name {T} NOT NULL, uses INTEGER NOT NULL, PRIMARY KEY (slug, name)
)
"""
INDEXES = {  # name -> (table, statement); all IF NOT EXISTS, as in the SQLite layout
    "files_due": ("files", "CREATE INDEX IF NOT EXISTS files_due ON files (due) WHERE due IS NOT NULL"),
    "files_status": ("files", "CREATE INDEX IF NOT EXISTS files_status ON files (status)"),
    "files_problems": (
        "files",
        "CREATE INDEX IF NOT EXISTS files_problems ON files (path)"
        " WHERE status = 'skipped' OR warnings IS NOT NULL",
    ),
    "links_canonical": ("links", "CREATE INDEX IF NOT EXISTS links_canonical ON links (canonical)"),
    "nodes_story": ("nodes", "CREATE INDEX IF NOT EXISTS nodes_story ON nodes (story_id)"),
    "nodes_ts": ("nodes", "CREATE INDEX IF NOT EXISTS nodes_ts ON nodes (ts) WHERE ts IS NOT NULL"),
    "feed_entries_order": (
        "feed_entries",
        "CREATE INDEX IF NOT EXISTS feed_entries_order ON feed_entries (slug, sort_key)",
    ),
    "feed_entries_story": (
        "feed_entries",
        "CREATE INDEX IF NOT EXISTS feed_entries_story ON feed_entries (story_id)",
    ),
}
# Primary keys and column lists, for upserts and COPY.
COLUMNS = {
    "links": ("path", "canonical"),
    "nodes": ("canonical", "story_id", "reason", "via", "ts", "words"),
    "stories": ("id", "first_seen", "fingerprint", "changed_at", "topics"),
    "feed_entries": ("slug", "sort_key", "story_id"),
    "topic_names": ("slug", "name", "uses"),
    "files": ("path", "size", "mtime_ns", "hash", "status", "due", "reason", "warnings", "article"),
}
KEYS = {
    "links": ("path", "canonical"),
    "nodes": ("canonical",),
    "stories": ("id",),
    "feed_entries": ("slug", "story_id"),
    "topic_names": ("slug", "name"),
    "files": ("path",),
}
# Serialises schema changes between hosts starting at once (any constant works).
SCHEMA_LOCK_KEY = 0x61676753  # "aggS"


def indexes_of(table: str) -> list[str]:
    return [statement for owner, statement in INDEXES.values() if owner == table]


def upsert(table: str, *, replace: bool = True) -> str:
    """`INSERT OR REPLACE` (or `OR IGNORE`) of one row, in PostgreSQL's words."""
    columns = COLUMNS[table]
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    keys = ", ".join(KEYS[table])
    rest = [c for c in columns if c not in KEYS[table]]
    if not replace or not rest:
        return f"{head} ON CONFLICT ({keys}) DO NOTHING"
    return f"{head} ON CONFLICT ({keys}) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in rest)


def ensure_schema(conn: Any) -> None:
    """Create the tables, or start afresh when the database holds another version.

    Runs in one transaction under a transaction-level advisory lock, so two hosts
    starting together neither both create the tables nor see them half made.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version TEXT NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        if row is not None and row[0] == SCHEMA_VERSION:
            return
        for table in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _TABLES.split(";"):
            conn.execute(statement)
        for _table, statement in INDEXES.values():
            conn.execute(statement)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        conn.execute("INSERT INTO meta (key, value) VALUES ('created', %s)", (now.isoformat(),))
        conn.execute("DELETE FROM schema_version")
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
