"""Atom 1.0 and RSS 2.0 through feedgen, with feedgen 1.0.0's traps handled here only.

The traps, and what this module does about each:
- entries are prepended by default: every entry is added with `order="append"`;
- feed `updated`/`lastBuildDate` and entry `updated` default to now(): all are set
  from the stories' own dates, so the same content gives the same bytes;
- Atom entry links lose `rel` and `type` (upstream issue #135): only the alternate
  link goes through feedgen (its rel and type are put back); related and enclosure
  links, the RSS enclosure and the Media RSS elements are written by the
  `_StoryEntryExtension` below;
- lxml raises on XML-illegal characters: all text has passed `text.xml_safe` in the
  model, and `_safe` guards what is built here;
- the RSS channel `<link>` is the last link added: self is added first, alternate last;
- RSS `<author>` needs an e-mail address: the outlet goes to `dc:creator` instead;
- RSS drops every `atom:link` but self, so `rel="hub"` (upstream issue 122): the feed
  extension writes the hub links itself, right after the self link.
- an entry's elements are built anew for every feed holding it: `_SharedEntry` builds
  them once and copies them, setting only the feed's own `updated`;
- feedgen writes no processing instructions: the `xml-stylesheet` one that makes a feed
  readable in a browser goes in right after the XML declaration (`_with_stylesheet`).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.ingest.text import xml_safe
from aggregator.model import Story
from aggregator.output.render.channel import Channel
from aggregator.output.render.entry import distinct_updated, entry_html, image_type, plausible
from aggregator.output.render.links import FEED_CSS, MEDIA_TYPES, FeedLinks, outlet_url
from aggregator.selection.catalog import Feed

MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "aggregator"
NO_EXTRAS = Channel()


def _safe(text: str) -> str:
    return xml_safe(text)


class _StoryFeedExtension(BaseExtension):
    def __init__(self) -> None:
        self.hubs: tuple[str, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {"media": MEDIA_NS, "dc": DC_NS}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed.find("channel")
        if channel is None or not self.hubs:
            return feed
        link_tag = f"{{{ATOM_NS}}}link"
        self_link = next((el for el in channel.iter(link_tag) if el.get("rel") == "self"), None)
        at = list(channel).index(self_link) + 1 if self_link is not None else len(channel)
        for offset, hub in enumerate(self.hubs):
            link = etree.Element(link_tag, href=hub, rel="hub")
            link.tail = self_link.tail if self_link is not None else None
            channel.insert(at + offset, link)
        return feed


class _StoryEntryExtension(BaseEntryExtension):
    """Writes what feedgen would get wrong: typed links, Media RSS, dc:creator."""

    def __init__(self) -> None:
        self.story: Story | None = None

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        assert self.story is not None
        story = self.story
        # feedgen's Atom elements carry no namespace prefix of their own (the root's
        # xmlns is a plain attribute), so ours are created the same way.
        for link in entry.findall("link"):
            link.set("rel", "alternate")  # the only link feedgen writes: the primary's page
            link.set("type", "text/html")
        for member in story.others:
            etree.SubElement(
                entry,
                "link",
                rel="related",
                type="text/html",
                href=member.url,
                title=_safe(f"{member.provider.name}: {member.title}"),
            )
        image = story.primary.image
        media_type = image_type(image.url) if image else None
        if image is not None and media_type:
            etree.SubElement(entry, "link", rel="enclosure", type=media_type, href=image.url)
        self._media(entry)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        assert self.story is not None
        image = self.story.primary.image
        media_type = image_type(image.url) if image else None
        if image is not None and media_type:
            # RSS 2.0 requires a length; 0 is the documented value for "unknown".
            etree.SubElement(item, "enclosure", url=image.url, length="0", type=media_type)
        creator = etree.SubElement(item, f"{{{DC_NS}}}creator")
        creator.text = _safe(self.story.primary.provider.name)
        self._media(item)
        return item

    def _media(self, parent: etree._Element) -> None:
        assert self.story is not None
        image = self.story.primary.image
        if image is None:
            return
        attrs = {"url": image.url, "medium": "image"}
        media_type = image_type(image.url)
        if media_type:
            attrs["type"] = media_type
        if image.width and image.height:
            attrs["width"], attrs["height"] = str(image.width), str(image.height)
        etree.SubElement(parent, f"{{{MEDIA_NS}}}content", attrs)
        thumb = {k: v for k, v in attrs.items() if k in ("url", "width", "height")}
        etree.SubElement(parent, f"{{{MEDIA_NS}}}thumbnail", thumb)


class _SharedEntry(FeedEntry):
    """An entry that many feeds hold: its Atom element and RSS item are built once, and
    each feed gets a copy (an element has one parent), the Atom one with the feed's own
    `updated`, the only part of an entry that differs from feed to feed."""

    def __init__(self) -> None:
        super().__init__()
        self._atom: etree._Element | None = None
        self._rss: etree._Element | None = None

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        if not extensions:
            return super().atom_entry(extensions)
        if self._atom is None:
            self._atom = super().atom_entry(extensions)
        entry = copy.deepcopy(self._atom)
        updated = entry.find("updated")
        assert updated is not None  # feedgen writes it always
        updated.text = self.updated().isoformat()
        return entry

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        if not extensions:
            return super().rss_entry(extensions)
        if self._rss is None:
            self._rss = super().rss_entry(extensions)
        return copy.deepcopy(self._rss)


def feed_updated(feed: Feed, fallback: dt.datetime) -> dt.datetime:
    """The newest entry's date: the same content always gives the same bytes."""
    return max((s.updated for s in feed.stories), default=plausible(fallback))


def _generator(
    feed: Feed,
    links: FeedLinks,
    site_title: str,
    language: str,
    fmt: str,
    fallback: dt.datetime,
    channel: Channel,
    entries: Callable[[Story, bool], FeedEntry],
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("story", _StoryFeedExtension, _StoryEntryExtension, atom=True, rss=True)
    fg.id(links.feed(feed.slug, "atom"))
    fg.title(_safe(feed.title))
    fg.subtitle(_safe(feed.description)) if fmt == "atom" else fg.description(_safe(feed.description))
    fg.author({"name": _safe(site_title)})
    fg.language(language)
    fg.generator(GENERATOR)
    # The RSS channel <link> is the last link added: self first, alternate last.
    fg.link(href=links.feed(feed.slug, fmt), rel="self", type=MEDIA_TYPES[fmt])
    if fmt == "atom":
        for hub in channel.hubs:
            fg.link(href=hub, rel="hub")
    else:
        fg.story.hubs = channel.hubs
    fg.link(href=links.home, rel="alternate", type="text/html")
    _pictures(fg, feed, links, fmt, channel)
    if fmt == "rss" and channel.ttl_minutes:
        fg.ttl(channel.ttl_minutes)
    updated = feed_updated(feed, fallback)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for story, entry_updated in zip(feed.stories, distinct_updated(feed.stories), strict=True):
        fe = entries(story, channel.full_content)
        fe.updated(entry_updated)
        fg.add_entry(fe, order="append")  # its extension is registered already: feedgen skips it
    return fg


def _pictures(fg: FeedGenerator, feed: Feed, links: FeedLinks, fmt: str, channel: Channel) -> None:
    """Atom icon and logo; the RSS image (the logo, else the icon), titled and linked as
    the channel is, which validators check."""
    if fmt == "atom":
        if channel.icon:
            fg.icon(channel.icon)
        if channel.logo:
            fg.logo(channel.logo)
    elif channel.logo or channel.icon:
        fg.image(url=channel.logo or channel.icon, title=_safe(feed.title), link=links.home)


def feed_entry(story: Story, full: bool, html: Callable[[Story, bool], str] = entry_html) -> FeedEntry:
    """The story as a feedgen entry for both formats, every field set but `updated`
    (which each feed sets: `distinct_updated` depends on the feed's other entries).

    A memo of it (`per_story`) lets a story in many feeds be described once; the feeds
    are written one after the other, each setting its own dates just before.
    """
    primary = story.primary
    fe = _SharedEntry()
    fe.register_extension("story", _StoryEntryExtension, atom=True, rss=True)
    fe.story.story = story
    fe.id(story.id)
    fe.guid(story.id, permalink=False)
    fe.title(_safe(primary.title))
    fe.link(href=primary.url, rel="alternate")
    fe.published(story.published)
    fe.pubDate(story.published)
    author = {"name": _safe(primary.provider.name)}
    if home := outlet_url(primary.provider.domain):
        author["uri"] = home
    fe.author(author)
    summary = _safe(primary.excerpt or primary.title)
    fe.summary(summary)
    fe.description(summary)
    fe.content(html(story, full), type="html")
    for topic in story.topics:
        fe.category(term=topic.slug, label=_safe(topic.name))
    return fe


def _with_stylesheet(document: bytes, links: FeedLinks) -> bytes:
    """The document with `<?xml-stylesheet?>` naming feed.css after its XML declaration.

    A CSS stylesheet, not XSLT: browsers are removing XSLT, while CSS on XML stays.
    """
    declaration, newline, rest = document.partition(b"\n")
    if not declaration.startswith(b"<?xml ") or not newline:
        raise ValueError("feedgen output without an XML declaration line")
    href = links.asset(FEED_CSS).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    instruction = f'<?xml-stylesheet type="text/css" href="{href}"?>\n'.encode()
    return declaration + newline + instruction + rest


def render_atom(
    feed: Feed,
    links: FeedLinks,
    site_title: str,
    language: str,
    fallback: dt.datetime,
    channel: Channel = NO_EXTRAS,
    entries: Callable[[Story, bool], FeedEntry] = feed_entry,
) -> bytes:
    """`entries` gives a story's feedgen entry, full content or not: the caller may pass
    a memo of `feed_entry` (`per_story`) shared by every feed and both XML formats."""
    fg = _generator(feed, links, site_title, language, "atom", fallback, channel, entries)
    return _with_stylesheet(fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True), links)


def render_rss(
    feed: Feed,
    links: FeedLinks,
    site_title: str,
    language: str,
    fallback: dt.datetime,
    channel: Channel = NO_EXTRAS,
    entries: Callable[[Story, bool], FeedEntry] = feed_entry,
) -> bytes:
    """As `render_atom`."""
    fg = _generator(feed, links, site_title, language, "rss", fallback, channel, entries)
    return _with_stylesheet(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True), links)
