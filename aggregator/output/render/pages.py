"""The HTML pages: the front page and one page per topic and configured feed.

Jinja2 with autoescaping on: every value is escaped unless it is a fragment this module
rendered itself (a story's `<article>`), so a headline, excerpt, outlet or topic name
can never become markup. URLs also pass `http_url`, which lets only http(s) through.
Pure: the same feeds give the same bytes (no build time appears in a page).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from aggregator.model import Image, Story, iso_z
from aggregator.output.render.entry import human_date, image_type
from aggregator.output.render.links import (
    ALL_PAGE,
    FORMATS,
    MEDIA_TYPES,
    SITE_CSS,
    SITE_JS,
    FeedLinks,
)
from aggregator.selection.catalog import Feed, FeedInfo

FORMAT_LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
# The box an image without known dimensions is shown in (16:9, cropped to fit by CSS).
DEFAULT_IMAGE_SIZE = (640, 360)


def http_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL, else an empty link (never `javascript:`)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("aggregator.output.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(http_url=http_url, iso=iso_z, human_date=human_date)
    return env


# Compiled once at import: the templates are constants, rendering keeps no state.
_ENV = _environment()
_STORY = _ENV.get_template("story.html")
_FRONT = _ENV.get_template("front.html")
_TOPIC = _ENV.get_template("topic.html")


@dataclass(frozen=True)
class Site:
    """What every page says about the site."""

    links: FeedLinks
    title: str
    description: str
    language: str
    icon: str | None = None  # the configured icon's public URL, for `<link rel="icon">`


def icon_type(icon: str) -> str | None:
    """The media type a `<link rel="icon">` names, when the URL's extension tells it."""
    return image_type(icon) or ("image/x-icon" if icon.lower().endswith(".ico") else None)


def story_article(story: Story, links: FeedLinks) -> Markup:
    """One story as an `<article>`: its first link is the primary article's URL."""
    primary = story.primary
    image = _sized(primary.image) if primary.image and http_url(primary.image.url) else None
    return Markup(
        _STORY.render(
            story=story,
            others=story.others,
            date=primary.published or story.published,
            image=image,
            page_url=links.page,
        )
    )


def _sized(image: Image) -> Image:
    if image.width and image.height:
        return image
    return Image(image.url, *DEFAULT_IMAGE_SIZE)


def _articles(feed: Feed, links: FeedLinks, memo: MutableMapping[str, Markup]) -> list[Markup]:
    """The feed's stories as articles; `memo` (one build's) renders a story once for all pages."""
    result = []
    for story in feed.stories:
        article = memo.get(story.id)  # within one build, one id is one story
        if article is None:
            article = memo[story.id] = story_article(story, links)
        result.append(article)
    return result


def _common(info: FeedInfo, site: Site, alternates: list[dict[str, str]], show_opml: bool) -> dict:
    links = site.links
    return {
        "language": site.language,
        "icon": site.icon,
        "icon_type": icon_type(site.icon) if site.icon else None,
        "site_title": site.title,
        "site_description": site.description,
        "description": info.description,
        "home": links.home,
        "opml": links.opml,
        "asset_css": links.asset(SITE_CSS),
        "asset_js": links.asset(SITE_JS),
        "alternates": alternates,
        "feed_name": info.name or info.title,
        "show_opml": show_opml,
        "formats": [
            {
                "key": fmt,
                "label": FORMAT_LABELS[fmt],
                "media_type": MEDIA_TYPES[fmt],
                "href": links.feed(info.slug, fmt),
            }
            for fmt in FORMATS
        ],
    }


def _alternates(info: FeedInfo, links: FeedLinks) -> list[dict[str, str]]:
    return [
        {
            "media_type": MEDIA_TYPES[fmt],
            "title": f"{info.title} ({FORMAT_LABELS[fmt]})",
            "href": links.feed(info.slug, fmt),
        }
        for fmt in FORMATS
    ]


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"


def _count_text(shown: int, total: int) -> str:
    if shown == total:
        return f"{_stories(shown)}."
    return f"The {shown} newest of {total} stories."


def render_front(
    feed: Feed, infos: Sequence[FeedInfo], site: Site, memo: MutableMapping[str, Markup]
) -> bytes:
    """The front page: the `all` feed's stories and a navigation to every feed's page.

    Autodiscovery names every feed, the site's own first.
    """
    links = site.links
    alternates = _alternates(feed.info, links)
    for info in infos:
        if info.slug != feed.slug:
            alternates += _alternates(info, links)
    nav = [
        {
            "href": links.page(i.slug),
            "title": i.name or i.title,
            "count": _stories(i.total),
            "newest": i.newest,
        }
        for i in _nav_order(infos)
    ]
    page = _FRONT.render(
        **_common(feed.info, site, alternates, show_opml=True),
        articles=_articles(feed, links, memo),
        nav=nav,
        count_text=_count_text(len(feed.stories), feed.total),
    )
    return page.encode("utf-8")


def _nav_order(infos: Sequence[FeedInfo]) -> list[FeedInfo]:
    """`all` first, then configured feeds, then topics, each by name."""
    rank = {"all": 0, "custom": 1, "topic": 2}
    return sorted(infos, key=lambda i: (rank.get(i.kind, 3), (i.name or i.title).casefold(), i.slug))


def render_topic(feed: Feed, site: Site, memo: MutableMapping[str, Markup]) -> bytes:
    """A topic's or configured feed's page: its stories, in the feed's order.

    It shows nothing beyond the feed's own entries, so it changes exactly when they do.
    """
    page = _TOPIC.render(
        **_common(feed.info, site, _alternates(feed.info, site.links), show_opml=False),
        articles=_articles(feed, site.links, memo),
        count_text=_count_text(len(feed.stories), len(feed.stories)),
    )
    return page.encode("utf-8")


def has_page(info: FeedInfo) -> bool:
    """Every feed but `all` has a page of its own under topics/; `all`'s is the front page."""
    return info.slug != ALL_PAGE


__all__ = ["Site", "has_page", "http_url", "render_front", "render_topic", "story_article"]
