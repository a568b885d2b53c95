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


def render_outputs(
    source: FeedSource,
    config: Config,
    outcome: Outcome,
    published: Set[str],
    damaged: Set[str],
    fallback_updated: dt.datetime,
) -> tuple[dict[str, bytes], set[str], list[FeedInfo]]:
    """Render the feeds that need it, the index and the OPML; name every file that should exist.

    `published` names what the last build published, `damaged` what of it is no longer
    intact; `fallback_updated` dates a site with no story yet.
    """
    from aggregator.output.render.channel import asset_url, channel_for
    from aggregator.output.render.entry import entry_html
    from aggregator.output.render.jsonfeed import render_json
    from aggregator.output.render.links import (
        FORMATS,
        INDEX_FILE,
        OPML_FILE,
        SITE_FILES,
        FeedLinks,
        feed_file,
    )
    from aggregator.output.render.site import render_index, render_opml
    from aggregator.output.render.xmlfeeds import render_atom, render_rss
    from aggregator.selection.catalog import ALL_SLUG, Feed, feed_infos, updated_from_sort_key

    totals = {
        slug: (count, updated_from_sort_key(key)) for slug, (count, key) in source.feed_totals().items()
    }
    names = source.topic_names()
    infos = feed_infos(config, sorted(totals), names, totals)
    expected = {feed_file(info.slug, fmt) for info in infos for fmt in FORMATS} | set(SITE_FILES)
    damaged = {name.rsplit(".", 1)[0] for name in set(damaged) | (expected - set(published))}
    wanted = [
        info
        for info in infos
        if outcome.render_all
        or info.total == 0
        or info.slug in outcome.feeds_to_render
        or info.slug in damaged
    ]
    ids = {info.slug: source.feed_top(info.slug, info.cap) for info in wanted}
    stories = source.stories_of(sorted({i for chosen in ids.values() for i in chosen}))
    links = FeedLinks(config.base_url)
    fallback = totals.get(ALL_SLUG, (0, None))[1] or fallback_updated
    files: dict[str, bytes] = {}
    renderers = {"atom": render_atom, "rss": render_rss, "json": render_json}
    html = functools.cache(entry_html)  # this call's memo: a story is in several feeds and formats
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
        for fmt, render in renderers.items():
            files[feed_file(info.slug, fmt)] = render(*args, html=html)
    assets = site_assets(config)
    files.update(assets)
    expected |= set(assets)
    files[INDEX_FILE] = render_index(
        infos,
        links,
        config.site_title,
        config.site_description,
        config.language,
        fallback,
        icon=asset_url(config.site_icon, "icon", links),
    )
    files[OPML_FILE] = render_opml(infos, links, config.site_title, fallback)
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
