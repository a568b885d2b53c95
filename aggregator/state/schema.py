"""The state store's tables, their indexes, and how a store gets them.

The layout is versioned: a store written by another version is started afresh, which is
always safe (the store is a cache of what the content folder says; ids derive from it).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

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
INDEX_STATEMENTS = [s for s in _SCHEMA.split(";") if "CREATE INDEX" in s]  # all IF NOT EXISTS


def indexes_of(table: str) -> list[str]:
    return [s for s in INDEX_STATEMENTS if f" ON {table} " in s]


FILE_INDEXES = ("files_due", "files_status", "files_problems")
BULK_INDEXES = ("links_canonical", "nodes_story", "nodes_ts", "feed_entries_order", "feed_entries_story")
INSERTS = {  # how rows go into each derived table, in bulk and row by row
    "links": "INSERT OR IGNORE INTO links (path, canonical)",
    "nodes": "INSERT OR REPLACE INTO nodes (canonical, story_id, reason, via, ts, words)",
    "stories": "INSERT OR REPLACE INTO stories (id, first_seen, fingerprint, changed_at, topics)",
    "feed_entries": "INSERT OR REPLACE INTO feed_entries (slug, sort_key, story_id)",
    "topic_names": "INSERT INTO topic_names (slug, name, uses)",
}
TABLES = ("blobs", "files", "links", "nodes", "stories", "feed_entries", "topic_names", "meta")


def ensure_schema(db: sqlite3.Connection) -> None:
    """Create the tables, or start afresh when the store has another layout (or none)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        row = None  # no meta table yet
    if row is not None and row[0] == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for table in TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("schema_version", SCHEMA_VERSION), ("created", now.isoformat())],
        )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
