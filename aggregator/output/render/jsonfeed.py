"""JSON Feed 1.1, with the story's members in the `_story` extension object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aggregator.jsontext import compact_json_bytes
from aggregator.model import Member, Story, iso_z
from aggregator.output.render.channel import Channel
from aggregator.output.render.entry import distinct_updated, entry_html
from aggregator.output.render.links import FeedLinks, outlet_url
from aggregator.selection.catalog import Feed

VERSION = "https://jsonfeed.org/version/1.1"
NO_EXTRAS = Channel()


def _member(member: Member) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": member.url,
        "title": member.title,
        "provider": {"name": member.provider.name, "domain": member.provider.domain},
        "reason": member.reason,
    }
    if member.published:
        data["date_published"] = iso_z(member.published)
    return data


def json_item(story: Story, full: bool, html: Callable[[Story, bool], str] = entry_html) -> dict[str, Any]:
    """The story as a JSON Feed item, but for `date_modified`, which each feed sets in its
    own copy (`distinct_updated` depends on the feed's other items); a memo of it
    (`per_story`) describes a story in many feeds once."""
    primary = story.primary
    item: dict[str, Any] = {
        "id": story.id,
        "url": primary.url,
        "title": primary.title,
        "content_html": html(story, full),
        "summary": primary.excerpt or primary.title,
        "date_published": iso_z(story.published),
        "date_modified": None,
        "authors": [_author(primary.provider.name, primary.provider.domain)],
    }
    if primary.image:
        item["image"] = primary.image.url
    if story.topics:
        item["tags"] = [topic.name for topic in story.topics]
    item["_story"] = {
        "primary": primary.url,
        "members": [_member(m) for m in story.members],
    }
    return item


def render_json(
    feed: Feed,
    links: FeedLinks,
    site_title: str,
    language: str,
    fallback: dt.datetime,
    channel: Channel = NO_EXTRAS,
    items: Callable[[Story, bool], dict[str, Any]] = json_item,
) -> bytes:
    """As `render_atom`, with `items` for its `entries`."""
    full = channel.full_content
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": links.home,
        "feed_url": links.feed(feed.slug, "json"),
        "description": feed.description,
        "language": language,
        "authors": [{"name": site_title, "url": links.home}],
    }
    # JSON Feed's `icon` is the large picture (the logo) and `favicon` the small one.
    if channel.logo or channel.icon:
        document["icon"] = channel.logo or channel.icon
    if channel.icon:
        document["favicon"] = channel.icon
    if channel.hubs:
        document["hubs"] = [{"type": "WebSub", "url": hub} for hub in channel.hubs]
    stories = feed.stories
    document["items"] = [
        _dated(items(s, full), u) for s, u in zip(stories, distinct_updated(stories), strict=True)
    ]
    return compact_json_bytes(document) + b"\n"


def _dated(item: dict[str, Any], updated: dt.datetime) -> dict[str, Any]:
    dated = dict(item)  # the key keeps its place, after date_published
    dated["date_modified"] = iso_z(updated)
    return dated


def _author(name: str, domain: str) -> dict[str, str]:
    url = outlet_url(domain)
    return {"name": name, "url": url} if url else {"name": name}
