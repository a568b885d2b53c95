"""A build describes each story once for every feed and format holding it (`per_story`):
the feeds it writes that way are the bytes each feed gets rendered on its own."""

from __future__ import annotations

import datetime as dt
import functools

from aggregator.config import Config
from aggregator.ingest.normalise import article_from_metadata
from aggregator.output.render.entry import entry_html, per_story
from aggregator.output.render.jsonfeed import json_item, render_json
from aggregator.output.render.links import FeedLinks
from aggregator.output.render.xmlfeeds import feed_entry, render_atom, render_rss
from aggregator.selection.catalog import build_catalog
from aggregator.stories.clustering import cluster_articles
from aggregator.stories.identity import assign_ids

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
TOPICS = (["AI", "Space"], ["AI"], ["Space", "Climate"], ["Climate"], ["AI", "Climate"])


def _feeds():
    """Stories sharing one date, in overlapping topics: within the `all` feed they are moved
    apart by seconds (`distinct_updated`), within a topic's feed by other amounts or not."""
    articles = []
    for i in range(12):
        meta = {
            "title": f"Distinct headline number {i} about {' and '.join(TOPICS[i % 5])}",
            "excerpt": f"Excerpt {i}",
            "publishedDateTime": "2024-05-01T12:00:00Z",
            "webUrl": f"https://outlet{i % 3}.example.com/story-{i}",
            "provider": {"name": f"Outlet {i % 3}", "domain": f"outlet{i % 3}.example.com"},
            "topics": TOPICS[i % 5],
            "images": [{"url": f"https://outlet{i % 3}.example.com/{i}.jpg", "width": 640, "height": 360}],
        }
        articles.append(article_from_metadata(f"a{i}.md", meta).article)
    config = Config(base_url="https://feeds.example.org/")
    stories, _records = assign_ids(cluster_articles(articles, config.stories), {}, {}, NOW)
    return build_catalog(stories, config)


def test_shared_entries_give_each_feed_its_own_bytes() -> None:
    feeds = _feeds()
    assert len(feeds) >= 4
    links = FeedLinks("https://feeds.example.org/")
    args = {feed.slug: (feed, links, "Site", "en", NOW) for feed in feeds}
    alone = {slug: (render_atom(*a), render_rss(*a), render_json(*a)) for slug, a in args.items()}
    # The dates a story's entry carries differ from feed to feed:
    updated = {slug: alone[slug][0].count(b"<updated>2024-05-01T11:59:") for slug in alone}
    assert len(set(updated.values())) > 1, updated

    html = per_story(entry_html)
    entries = per_story(functools.partial(feed_entry, html=html))
    items = per_story(functools.partial(json_item, html=html))
    # Each feed twice, in both orders, with one memo: no feed keeps another's dates.
    for slug in [*args, *reversed(args)]:
        shared = (
            render_atom(*args[slug], entries=entries),
            render_rss(*args[slug], entries=entries),
            render_json(*args[slug], items=items),
        )
        assert shared == alone[slug], slug
