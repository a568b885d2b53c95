"""What a feed says about itself besides its entries: WebSub hubs, icon and logo, the
polling hint (RSS `ttl`) and whether entries carry the article's full text."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from aggregator.config import Config
from aggregator.output.render.links import FeedLinks

ASSET_NAMES = ("icon", "logo")  # published as icon.<ext> and logo.<ext> beside index.html


@dataclass(frozen=True)
class Channel:
    hubs: tuple[str, ...] = ()
    icon: str | None = None  # absolute URL
    logo: str | None = None  # absolute URL
    ttl_minutes: int | None = None
    full_content: bool = False


def asset_file(value: str, which: str) -> str | None:
    """The output name of a configured icon or logo file, or None for a URL (or nothing)."""
    if not value or value.startswith(("http://", "https://")):
        return None
    return f"{which}{Path(value).suffix.lower()}"


def asset_url(value: str, which: str, links: FeedLinks) -> str | None:
    """The public URL of the configured icon or logo."""
    if not value:
        return None
    name = asset_file(value, which)
    return links.home + name if name else value


def feed_content(config: Config, slug: str) -> str:
    """'summary' or 'full' for one feed: its own `content:`, else `feeds.content`."""
    for spec in config.extra_feeds:
        if spec.slug == slug and spec.content:
            return spec.content
    return config.content_mode


def channel_for(config: Config, links: FeedLinks, slug: str) -> Channel:
    return Channel(
        hubs=config.hubs,
        icon=asset_url(config.site_icon, "icon", links),
        logo=asset_url(config.site_logo, "logo", links),
        # Readers such as Miniflux schedule polls by it; a rebuild can come any minute.
        ttl_minutes=max(1, math.ceil(config.interval_seconds / 60)),
        full_content=feed_content(config, slug) == "full",
    )
