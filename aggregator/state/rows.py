"""Rows of the state store's tables as the build writes them, in bulk or one by one."""

from __future__ import annotations

import json
from typing import NamedTuple

from aggregator.model import StoryRecord


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
