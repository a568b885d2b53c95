"""The state store: a SQLite file holding what the content folder alone cannot tell.

- the file manifest (size, mtime, content hash, and the parsed article or the reason it
  was skipped), so a rescan re-reads only what changed;
- story ids with when each story was first seen and last changed, so ids and
  `updated` dates survive rebuilds and restarts.
Deleting the file is always safe: the next build recreates it from the content.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .articles import Article, Image, Provider, RelatedItem, Topic
from .stories import StoryRecord

SCHEMA_VERSION = "3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,          -- 'ok', 'draft' or 'skipped'
    reason TEXT,                   -- why it was skipped
    warnings TEXT,                 -- JSON list
    article TEXT                   -- JSON, for 'ok' and 'draft'
);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    changed_at TEXT
);
CREATE TABLE IF NOT EXISTS story_members (
    canonical TEXT PRIMARY KEY,
    story_id TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    size: int
    mtime_ns: int
    hash: str
    status: str
    reason: str | None
    warnings: tuple[str, ...]
    article: Article | None


class StateStore:
    """One connection to the state file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._ensure_schema()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _ensure_schema(self) -> None:
        self.db.executescript(_SCHEMA)
        version = self.get_meta("schema_version")
        if version != SCHEMA_VERSION:
            # An older layout: start afresh, which is always safe.
            with self.transaction():
                for table in ("files", "stories", "story_members", "meta"):
                    self.db.execute(f"DELETE FROM {table}")
                self.set_meta("schema_version", SCHEMA_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- manifest -----------------------------------------------------------------

    def manifest(self) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, hash): all change detection needs, cheaply."""
        return {
            row[0]: (row[1], row[2], row[3])
            for row in self.db.execute("SELECT path, size, mtime_ns, hash FROM files")
        }

    def file_records(self) -> Iterator[FileRecord]:
        for row in self.db.execute(
            "SELECT path, size, mtime_ns, hash, status, reason, warnings, article FROM files ORDER BY path"
        ):
            yield _file_record(row)

    def put_files(self, records: Iterable[FileRecord]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash, status, reason, warnings, article)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    r.path,
                    r.size,
                    r.mtime_ns,
                    r.hash,
                    r.status,
                    r.reason,
                    json.dumps(list(r.warnings)) if r.warnings else None,
                    article_to_json(r.article) if r.article else None,
                )
                for r in records
            ),
        )

    def touch_files(self, stats: Iterable[tuple[int, int, str]]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        self.db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", stats)

    def delete_files(self, paths: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    # --- stories ------------------------------------------------------------------

    def story_records(self) -> dict[str, StoryRecord]:
        return {
            row[0]: StoryRecord(
                id=row[0],
                first_seen=_time(row[1]),
                fingerprint=row[2],
                changed_at=_time(row[3]) if row[3] else None,
            )
            for row in self.db.execute("SELECT id, first_seen, fingerprint, changed_at FROM stories")
        }

    def story_members(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT canonical, story_id FROM story_members").fetchall())

    def replace_stories(self, records: Iterable[StoryRecord], members: Iterable[tuple[str, str]]) -> None:
        self.db.execute("DELETE FROM stories")
        self.db.execute("DELETE FROM story_members")
        self.db.executemany(
            "INSERT INTO stories (id, first_seen, fingerprint, changed_at) VALUES (?, ?, ?, ?)",
            (
                (
                    r.id,
                    r.first_seen.isoformat(),
                    r.fingerprint,
                    r.changed_at.isoformat() if r.changed_at else None,
                )
                for r in records
            ),
        )
        self.db.executemany("INSERT INTO story_members (canonical, story_id) VALUES (?, ?)", members)


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _file_record(row: tuple[Any, ...]) -> FileRecord:
    return FileRecord(
        path=row[0],
        size=row[1],
        mtime_ns=row[2],
        hash=row[3],
        status=row[4],
        reason=row[5],
        warnings=tuple(json.loads(row[6])) if row[6] else (),
        article=article_from_json(row[7]) if row[7] else None,
    )


# --- article (de)serialisation --------------------------------------------------------


def _image(image: Image | None) -> list[Any] | None:
    return [image.url, image.width, image.height] if image else None


def _date(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def article_to_json(article: Article) -> str:
    return json.dumps(
        [
            article.path,
            article.title,
            article.url,
            article.canonical,
            _date(article.published),
            [article.provider.name, article.provider.domain],
            article.excerpt,
            _date(article.updated),
            article.category,
            article.kind,
            article.quality,
            article.heat,
            [[t.name, t.slug] for t in article.topics],
            _image(article.image),
            [
                [
                    r.title,
                    r.url,
                    r.canonical,
                    [r.provider.name, r.provider.domain],
                    r.excerpt,
                    _date(r.published),
                    r.quality,
                    r.heat,
                    _image(r.image),
                ]
                for r in article.related
            ],
            article.draft,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _load_image(data: list[Any] | None) -> Image | None:
    return Image(data[0], data[1], data[2]) if data else None


def _load_date(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def article_from_json(text: str) -> Article:
    (
        path,
        title,
        url,
        canonical,
        published,
        provider,
        excerpt,
        updated,
        category,
        kind,
        quality,
        heat,
        topics,
        image,
        related,
        draft,
    ) = json.loads(text)
    return Article(
        path=path,
        title=title,
        url=url,
        canonical=canonical,
        published=dt.datetime.fromisoformat(published),
        provider=Provider(*provider),
        excerpt=excerpt,
        updated=_load_date(updated),
        category=category,
        kind=kind,
        quality=quality,
        heat=heat,
        topics=tuple(Topic(name, slug) for name, slug in topics),
        image=_load_image(image),
        related=tuple(
            RelatedItem(
                title=r[0],
                url=r[1],
                canonical=r[2],
                provider=Provider(*r[3]),
                excerpt=r[4],
                published=_load_date(r[5]),
                quality=r[6],
                heat=r[7],
                image=_load_image(r[8]),
            )
            for r in related
        ),
        draft=draft,
    )
