"""What rendering asks of the story index, answered by a full pass's snapshot or by the stored tables.

Both answer the same questions (`FeedSource`): a full pass renders from what it just
computed, without reading it back or waiting for the tables' indexes; an incremental
pass, which holds only the stories it touched, from the store.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aggregator.ingest.normalise import as_of
from aggregator.model import Article, Story
from aggregator.names import most_used_spellings
from aggregator.state.protocol import StateBackend
from aggregator.state.rows import NodeRow
from aggregator.stories.clustering import describe_member, index_articles, order_members
from aggregator.stories.identity import build_story


class FeedSource(Protocol):
    """What rendering asks of the story index (`aggregator.output.files`): `Snapshot`
    answers from a full pass, `StoredFeeds` from the store's tables."""

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        """slug -> (number of stories, newest sort key)."""
        ...

    def feed_top(self, slug: str, limit: int) -> list[str]:
        """The feed's newest `limit` story ids, newest first."""
        ...

    def stories_of(self, ids: Sequence[str]) -> dict[str, Story]:
        """The stories of these ids, as they were computed."""
        ...

    def topic_names(self) -> dict[str, str]:
        """slug -> its display name (the most used spelling)."""
        ...


@dataclass
class Snapshot:
    """What rendering needs, straight from a full pass: the same answers the store's
    tables give once written, without reading them back (or waiting for their indexes)."""

    stories: dict[str, Story]
    feed_rows: dict[str, list[tuple[str, str, str]]]  # slug -> (slug, sort key, story id), oldest first
    spellings: dict[tuple[str, str], int]  # (topic slug, name) -> stories using it

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        """slug -> (number of stories, newest sort key), as `StateBackend.feed_totals`."""
        return {slug: (len(rows), rows[-1][1]) for slug, rows in self.feed_rows.items() if rows}

    def feed_top(self, slug: str, limit: int) -> list[str]:
        """The feed's newest `limit` story ids, as `StateBackend.feed_top`."""
        rows = self.feed_rows.get(slug, [])
        return [story_id for _slug, _key, story_id in rows[: -limit - 1 : -1]] if limit > 0 else []

    def stories_of(self, ids: Sequence[str]) -> dict[str, Story]:
        return {story_id: self.stories[story_id] for story_id in ids}

    def topic_names(self) -> dict[str, str]:
        """slug -> its most used spelling (ties: alphabetical), as `StateBackend.topic_names`."""
        return most_used_spellings((slug, name, uses) for (slug, name), uses in self.spellings.items())


class StoredFeeds:
    """The same questions as `Snapshot`, answered from the store's tables (after an
    incremental pass, which holds only the stories it touched)."""

    def __init__(self, store: StateBackend, now: dt.datetime, decode: Callable[[str], Article]) -> None:
        self.store, self.now, self.decode = store, now, decode

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        return self.store.feed_totals()

    def feed_top(self, slug: str, limit: int) -> list[str]:
        return self.store.feed_top(slug, limit)

    def topic_names(self) -> dict[str, str]:
        return self.store.topic_names()

    def stories_of(self, ids: Sequence[str]) -> dict[str, Story]:
        return load_stories(self.store, ids, self.now, self.decode)


def visible_articles(
    records: Iterable[tuple[str, str | None, str]], now: dt.datetime, decode: Callable[[str], Article]
) -> dict[str, Article]:
    """(path, article JSON, status) rows to the articles that are visible at `now`."""
    found: dict[str, Article] = {}
    for path, article_json, status in records:
        if status in ("ok", "scheduled") and article_json:
            shown, _due = as_of(decode(article_json), now)
            if shown is not None:
                found[path] = shown
    return found


def load_stories(
    store: StateBackend, ids: Sequence[str], now: dt.datetime, decode: Callable[[str], Article]
) -> dict[str, Story]:
    """Rebuild stories from the store exactly as they were computed (no re-clustering)."""
    rows = store.nodes_of_stories(ids)
    by_story: dict[str, list[NodeRow]] = defaultdict(list)
    for row in rows:
        by_story[row.story_id].append(row)
    paths = sorted({path for path, _c in store.paths_of_canonicals([r.canonical for r in rows])})
    articles = visible_articles(
        ((r.path, r.article_json, r.status) for r in store.file_records(paths)), now, decode
    )
    records = store.story_records(ids)
    _files, by_canonical, related_info = index_articles(articles.values())
    stories: dict[str, Story] = {}
    for story_id, members in by_story.items():
        described = order_members(
            describe_member(r.canonical, by_canonical, related_info, r.reason, r.via) for r in members
        )
        keys = {r.canonical for r in members}
        story_articles = [by_canonical[k][0] for k in sorted(keys) if k in by_canonical]
        story, _record = build_story(story_id, described, story_articles, records.get(story_id), now)
        stories[story_id] = story
    return stories
