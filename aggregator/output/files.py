"""The site's files: which must exist, and the bytes of those a build has to render again.

Pure: the feeds' stories come from a `FeedSource` (a full pass's snapshot or the stored
tables), and the result is names and bytes, for a publisher to write.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.config import Config
from aggregator.report import BuildError

if TYPE_CHECKING:
    from aggregator.index.full import Outcome
    from aggregator.index.views import FeedSource
    from aggregator.selection.catalog import FeedInfo

# What the renderers write and where: a new value makes the next build render and publish
# everything once (the folder's layout changed, or what a page or feed holds).
RENDER_VERSION = "site-2: feeds/, topics/<slug>/, assets/"


def render_outputs(
    source: FeedSource,
    config: Config,
    outcome: Outcome,
    published: Set[str],
    damaged: Set[str],
    fallback_updated: dt.datetime,
) -> tuple[dict[str, bytes], set[str], list[FeedInfo]]:
    """Render the feeds and pages that need it, the front page and the OPML; name every file
    that should exist.

    `published` names what the last build published, `damaged` what of it is no longer
    intact; `fallback_updated` dates a site with no story yet. A feed's three formats and
    its page are rendered together: when one of them is missing or damaged, or the feed
    changed in its first `max_items`.
    """
    from aggregator.output.render.channel import asset_url, channel_for
    from aggregator.output.render.entry import entry_html, per_story
    from aggregator.output.render.jsonfeed import json_item, render_json
    from aggregator.output.render.links import (
        FORMATS,
        INDEX_FILE,
        OPML_FILE,
        FeedLinks,
        feed_file,
        page_file,
    )
    from aggregator.output.render.pages import Site, has_page, render_front, render_topic
    from aggregator.output.render.site import render_opml
    from aggregator.output.render.static import static_files
    from aggregator.output.render.xmlfeeds import feed_entry, render_atom, render_rss
    from aggregator.selection.catalog import ALL_SLUG, Feed, feed_infos, updated_from_sort_key

    totals = {
        slug: (count, updated_from_sort_key(key)) for slug, (count, key) in source.feed_totals().items()
    }
    names = source.topic_names()
    infos = feed_infos(config, sorted(totals), names, totals)
    statics = static_files()
    expected = {feed_file(info.slug, fmt) for info in infos for fmt in FORMATS}
    expected |= {page_file(info.slug) for info in infos if has_page(info)}
    expected |= {INDEX_FILE, OPML_FILE, *statics}
    damaged = {slug for name in set(damaged) | (expected - set(published)) if (slug := slug_of(name))}
    wanted = [
        info
        for info in infos
        if outcome.render_all
        or info.total == 0
        or info.slug in outcome.feeds_to_render
        or info.slug in damaged
    ]
    by_slug = {info.slug: info for info in infos}
    front = by_slug[ALL_SLUG]
    ids = {info.slug: source.feed_top(info.slug, info.cap) for info in [*wanted, front]}
    stories = source.stories_of(sorted({i for chosen in ids.values() for i in chosen}))
    links = FeedLinks(config.base_url)
    site = Site(
        links,
        config.site_title,
        config.site_description,
        config.language,
        asset_url(config.site_icon, "icon", links),
    )
    fallback = totals.get(ALL_SLUG, (0, None))[1] or fallback_updated
    memo: dict = {}  # this build's story articles, shared by the pages
    files: dict[str, bytes] = {}
    # What a story renders to, made once per build for every feed and format holding it.
    html = per_story(entry_html)
    entries = per_story(functools.partial(feed_entry, html=html))
    items = per_story(functools.partial(json_item, html=html))
    for info in wanted:
        feed = Feed(info, tuple(stories[i] for i in ids[info.slug]))
        args = (
            feed,
            links,
            config.site_title,
            config.language,
            fallback,
            channel_for(config, links, info.slug),
        )
        files[feed_file(info.slug, "atom")] = render_atom(*args, entries=entries)
        files[feed_file(info.slug, "rss")] = render_rss(*args, entries=entries)
        files[feed_file(info.slug, "json")] = render_json(*args, items=items)
        if has_page(info):
            files[page_file(info.slug)] = render_topic(feed, site, memo)
    front_feed = Feed(front, tuple(stories[i] for i in ids[ALL_SLUG]))
    files[INDEX_FILE] = render_front(front_feed, infos, site, memo)
    files[OPML_FILE] = render_opml(infos, links, config.site_title, fallback)
    files.update(statics)
    assets = site_assets(config)
    files.update(assets)
    expected |= set(assets)
    return files, expected, infos


def site_assets(config: Config) -> dict[str, bytes]:
    """The configured icon and logo files, by their names in the output folder."""
    from aggregator.output.render.channel import asset_file

    assets: dict[str, bytes] = {}
    for which, value in (("icon", config.site_icon), ("logo", config.site_logo)):
        name = asset_file(value, which)
        if name:
            try:
                assets[name] = Path(value).read_bytes()
            except OSError as exc:
                raise BuildError(f"site.{which}: cannot read {value}: {exc.strerror or exc}") from None
    return assets


def slug_of(name: str) -> str | None:
    """The feed a published file belongs to (`feeds/ai.atom`, `topics/ai/index.html`), if any."""
    folder, _, rest = name.partition("/")
    if folder == "feeds" and "." in rest and "/" not in rest:
        return rest.rsplit(".", 1)[0]
    if folder == "topics" and rest.endswith("/index.html") and rest.count("/") == 1:
        return rest.split("/", 1)[0]
    return None
