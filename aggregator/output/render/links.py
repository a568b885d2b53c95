"""The public URLs of the site, in one place so every renderer agrees on them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The site's file names, for the renderers, the publisher (which files are its own) and
# the web app (which names it serves).
FORMATS = ("atom", "rss", "json")
FEED_SUFFIXES = tuple(f".{fmt}" for fmt in FORMATS)
INDEX_FILE = "index.html"
OPML_FILE = "feeds.opml"
SITE_FILES = (INDEX_FILE, OPML_FILE)
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
    "opml": "text/x-opml",
    "html": "text/html",
    "css": "text/css",
    "js": "text/javascript",
}


# A public DNS name: dotted labels ending in a letter label. `localhost`, bare words
# and IP literals are valid link hosts but not an outlet's home page validators accept.
_PUBLIC_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")


def outlet_url(domain: str) -> str | None:
    """The outlet's home page, or None when its domain is not a public host name."""
    return f"https://{domain}/" if _PUBLIC_HOST.fullmatch(domain) else None


@dataclass(frozen=True)
class FeedLinks:
    base_url: str  # ends with "/"

    @property
    def home(self) -> str:
        return self.base_url

    def feed(self, slug: str, fmt: str) -> str:
        return f"{self.base_url}{feed_file(slug, fmt)}"

    @property
    def opml(self) -> str:
        return f"{self.base_url}{OPML_FILE}"

    def page(self, slug: str) -> str:
        """A feed's web page; the `all` feed's page is the front page."""
        return (
            self.base_url
            if slug == ALL_PAGE
            else f"{self.base_url}{page_file(slug).removesuffix('index.html')}"
        )

    def asset(self, name: str) -> str:
        return f"{self.base_url}{name}"


# Where each kind of file lives in the output folder, which mirrors the URL space.
ALL_PAGE = "all"
FEED_CSS = "feed.css"
SITE_CSS = "assets/site.css"
SITE_JS = "assets/site.js"


def feed_file(slug: str, fmt: str) -> str:
    """The file of one feed in one format; its URL path is the same."""
    return f"feeds/{slug}.{fmt}"


def page_file(slug: str) -> str:
    return f"topics/{slug}/index.html"
