"""Rows of the state store's tables as the build writes them, in bulk or one by one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from aggregator.model import FileRecord, StoryRecord

# The `files` columns every store reads a `FileRecord` from, in `file_record`'s order.
FILE_COLUMNS = "path, size, mtime_ns, hash, status, reason, warnings, article, due"


class NodeRow(NamedTuple):
    """A row of `nodes`: a tuple, so a build's 200,000 of them go to SQLite as they are."""

    canonical: str
    story_id: str
    reason: str
    via: str
    ts: int | None
    words: str


def topics_json(topics: tuple[tuple[str, str], ...]) -> str:
    """A story's (slug, name) topic pairs as the `stories.topics` column holds them."""
    return json.dumps([list(t) for t in topics], ensure_ascii=False)


def story_row(record: StoryRecord, topics: str) -> tuple[str, str, str, str | None, str]:
    """A row of `stories`: the record, and its topics as `topics_json` gives them."""
    changed_at = record.changed_at.isoformat() if record.changed_at else None
    return record.id, record.first_seen.isoformat(), record.fingerprint, changed_at, topics


def file_record(row: tuple[Any, ...]) -> FileRecord:
    """A `files` row (FILE_COLUMNS) as the record the build works with."""
    return FileRecord(
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


def story_record(row: tuple[Any, ...]) -> StoryRecord:
    """A `stories` row (id, first_seen, fingerprint, changed_at) as its record."""
    return StoryRecord(
        id=row[0],
        first_seen=dt.datetime.fromisoformat(row[1]),
        fingerprint=row[2],
        changed_at=dt.datetime.fromisoformat(row[3]) if row[3] else None,
    )


def problems_of(rows: Iterable[tuple[str, str, str | None, str | None]]) -> list[tuple[str, str, str]]:
    """(path, kind, message) for each skipped file and each warning of (path, status,
    reason, warnings) rows, in their order."""
    found: list[tuple[str, str, str]] = []
    for path, status, reason, warnings in rows:
        if status == "skipped":
            found.append((path, "skipped", reason or "skipped"))
        for warning in json.loads(warnings) if warnings else ():
            found.append((path, "warning", warning))
    return found
