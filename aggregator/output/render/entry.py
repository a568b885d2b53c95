"""What every format says about one story: HTML content, image type, dates."""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from aggregator.ingest.text import escape, sanitize_html
from aggregator.model import Story

T = TypeVar("T")

_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}


def image_type(url: str) -> str | None:
    """The media type an image URL's extension names, or None when it names none."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    if dot == -1:
        return None
    found = _IMAGE_TYPES.get(path[dot:])
    if found:
        return found
    guessed, _ = mimetypes.guess_type("x" + path[dot:])
    return guessed if guessed and guessed.startswith("image/") else None


# An empty site has no newest entry to date its feeds by. The build's stand-in, the
# Unix epoch, is a date validators flag as implausible; this fixed one keeps an empty
# feed valid and its bytes the same from build to build.
EMPTY_SITE_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def plausible(fallback: dt.datetime) -> dt.datetime:
    """The date of a feed with no entries."""
    return fallback if fallback >= EMPTY_SITE_DATE else EMPTY_SITE_DATE


def human_date(moment: dt.datetime | None) -> str:
    return moment.strftime("%d %b %Y") if moment else ""


def entry_html(story: Story, full: bool = False) -> str:
    """The entry's HTML body: image, excerpt (or, with `full`, the article's rendered
    body when it has one), source link and 'More coverage'."""
    primary = story.primary
    parts: list[str] = []
    if primary.image:
        size = ""
        if primary.image.width and primary.image.height:
            size = f' width="{primary.image.width}" height="{primary.image.height}"'
        parts.append(f'<p><img src="{escape(primary.image.url)}" alt="{escape(primary.title)}"{size}></p>')
    body = ""
    if full and primary.body:
        from aggregator.output.render.body import body_html  # only feeds with full content load it

        body = body_html(primary.body, primary.url)
    if body:
        parts.append(body)
    elif primary.excerpt:
        parts.append(f"<p>{escape(primary.excerpt)}</p>")
    parts.append(
        f'<p><a href="{escape(primary.url)}">Read at {escape(primary.provider.name)}</a>'
        f" ({escape(human_date(primary.published))})</p>"
    )
    if story.others:
        items = []
        for member in story.others:
            date = f" ({escape(human_date(member.published))})" if member.published else ""
            link = f'<a href="{escape(member.url)}">{escape(member.title)}</a>'
            items.append(f"<li>{escape(member.provider.name)} - {link}{date}</li>")
        parts.append("<p><strong>More coverage</strong></p><ul>" + "".join(items) + "</ul>")
    return sanitize_html("".join(parts))


def distinct_updated(stories: Sequence[Story]) -> list[dt.datetime]:
    """Each entry's `updated`, made distinct within one feed.

    The W3C validator warns when two Atom entries share an `updated` value
    (DuplicateUpdated). Stories can genuinely share one, so a later duplicate in feed
    order is moved back by whole seconds until it is unique: deterministic, and never
    later than the real date.
    """
    used: set[dt.datetime] = set()
    result = []
    for story in stories:
        moment = story.updated
        while moment in used:
            moment -= dt.timedelta(seconds=1)
        used.add(moment)
        result.append(moment)
    return result


def per_story(render: Callable[[Story, bool], T]) -> Callable[[Story, bool], T]:
    """`render(story, full)` once per story and content choice, for one build's feeds.

    A story sits in several feeds (its topics', `all`, configured ones) and each feed has
    three formats: what a story renders to is made once. Keyed by the story's id, which
    names one story within a build (hashing a whole `Story` costs about what rendering
    it does); the memo is the caller's and goes with it.
    """
    made: dict[tuple[str, bool], T] = {}

    def memo(story: Story, full: bool = False) -> T:
        key = (story.id, full)
        found = made.get(key)
        if found is None:
            found = made[key] = render(story, full)
        return found

    return memo
