"""A full pass: every visible article clustered in memory, every derived table rewritten.

Ids keep their history (the previous memberships decide them). Most rows and every
index go in on the store's helper thread while clustering and rendering go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aggregator.config import Config
from aggregator.index.views import Snapshot
from aggregator.model import Article, Story
from aggregator.selection.catalog import feeds_of, sort_key, topic_spellings
from aggregator.state.protocol import StateBackend
from aggregator.state.rows import NodeRow, story_row, topics_json
from aggregator.stories.clustering import cluster_articles
from aggregator.stories.copies import Notice, notices_by_link
from aggregator.stories.headlines import HeadlineWords, epoch_seconds
from aggregator.stories.helper import search_helper
from aggregator.stories.identity import assign_ids


@dataclass
class Outcome:
    feeds_to_render: set[str] = field(default_factory=set)
    render_all: bool = False
    snapshot: Snapshot | None = None  # set by a full pass
    # Superseded copies by canonical link, for the links in `copies_scope` (None: all links).
    copies: dict[str, list[Notice]] = field(default_factory=dict)
    copies_scope: set[str] | None = None


_FIRST = operator.itemgetter(0)
_PATH = operator.attrgetter("path")


def links_of(article: Article) -> set[str]:
    return {article.canonical, *(r.canonical for r in article.related)}


def node_rows_of(stories: Iterable[Story], words: HeadlineWords) -> list[NodeRow]:
    rows = [
        NodeRow(
            m.canonical,
            s.id,
            m.reason,
            m.via,
            epoch_seconds(m.published) if m.published else None,
            words.text(m.title),
        )
        for s in stories
        for m in s.members
    ]
    # Primary-key order, the fastest way into SQLite; canonical URLs are unique, so the
    # URL alone orders the rows (and compares faster than the whole row).
    rows.sort(key=_FIRST)
    return rows


def feed_rows_of(stories: Iterable[Story], config: Config) -> list[tuple[str, str, str]]:
    """(feed slug, sort key, story id) rows in that order."""
    return rows_in_order(feed_rows_by_slug(stories, config))


def rows_in_order(by_feed: dict[str, list[tuple[str, str, str]]]) -> list[tuple[str, str, str]]:
    """Each feed's rows, feed by feed in slug order: the table's key order."""
    return [row for slug in sorted(by_feed) for row in by_feed[slug]]


def feed_rows_by_slug(stories: Iterable[Story], config: Config) -> dict[str, list[tuple[str, str, str]]]:
    """Each feed's (feed slug, sort key, story id) rows, oldest first: the stories sorted
    once by key (unique: it ends with the id), then taken feed by feed."""
    keyed = [(sort_key(story), story) for story in stories]
    keyed.sort(key=_FIRST)
    by_feed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for key, story in keyed:
        for slug in feeds_of(story, config):  # a story is in a feed once
            by_feed[slug].append((slug, key, story.id))
    return by_feed


def apply_full(
    store: StateBackend,
    config: Config,
    articles: Sequence[Article],
    now: dt.datetime,
    loading: contextlib.ExitStack,
    words: HeadlineWords,
) -> Outcome:
    """Re-cluster everything and rewrite every derived table (ids keep their history).

    Most rows and every index go in on the store's helper thread: the links and the
    `files` indexes while clustering runs, the rest while the caller renders the feeds
    from the returned snapshot. The bulk load stays open on `loading` (the caller's
    stack), and the store refuses other calls until it is closed.
    """
    # Started first, so the headline search's helper is up when the headlines are known.
    helper = loading.enter_context(search_helper(len(articles)))
    previous_members = store.memberships()
    previous = store.story_records()
    loader = loading.enter_context(store.bulk_load())
    loader.restore_file_indexes()
    by_path = sorted(articles, key=_PATH)  # paths are unique: (path, link) order
    loader.load_rows("links", [(a.path, c) for a in by_path for c in sorted(links_of(a))])
    matcher = helper.factory(config.stories) if helper else None
    clusters = cluster_articles(articles, config.stories, words, matcher)
    stories, records = assign_ids(clusters, previous_members, previous, now)
    loader.wait()  # long done: clustering takes longer than the links
    store.delete_stories(set(previous) - set(records))
    loader.load_rows("nodes", node_rows_of(stories, words))
    by_feed = feed_rows_by_slug(stories, config)
    loader.load_rows("feed_entries", rows_in_order(by_feed))
    spellings: dict[tuple[str, str], int] = defaultdict(int)
    story_rows = []
    topics_text: dict[tuple[tuple[str, str], ...], str] = {}  # few distinct sets recur
    for story in sorted(stories, key=lambda s: s.id):
        pairs = topic_spellings(story)
        for pair in pairs:
            spellings[pair] += 1
        text = topics_text.get(pairs)
        if text is None:
            text = topics_text[pairs] = topics_json(pairs)
        story_rows.append(story_row(records[story.id], text))
    loader.load_rows("stories", story_rows)
    loader.load_rows("topic_names", [(*pair, uses) for pair, uses in sorted(spellings.items()) if uses > 0])
    snapshot = Snapshot({story.id: story for story in stories}, by_feed, dict(spellings))
    return Outcome(render_all=True, snapshot=snapshot, copies=notices_by_link(articles))
