"""The public URLs of the site, in one place so every renderer agrees on them."""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("atom", "rss", "json")
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
    "opml": "text/x-opml",
    "html": "text/html",
}


@dataclass(frozen=True)
class FeedLinks:
    base_url: str  # ends with "/"

    @property
    def home(self) -> str:
        return self.base_url

    def feed(self, slug: str, fmt: str) -> str:
        return f"{self.base_url}feeds/{slug}.{fmt}"

    @property
    def opml(self) -> str:
        return f"{self.base_url}feeds.opml"


def feed_filename(slug: str, fmt: str) -> str:
    return f"{slug}.{fmt}"
