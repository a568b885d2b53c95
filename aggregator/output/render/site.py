"""The OPML subscription list (the HTML pages are in `pages`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lxml import etree

from aggregator.output.render.entry import plausible
from aggregator.output.render.links import FeedLinks
from aggregator.selection.catalog import FeedInfo


def render_opml(feeds: Sequence[FeedInfo], links: FeedLinks, site_title: str, fallback: dt.datetime) -> bytes:
    """OPML 2.0 listing every feed's Atom URL, for importing into a reader at once."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = site_title
    newest = max((f.newest for f in feeds if f.newest), default=plausible(fallback))
    etree.SubElement(head, "dateModified").text = newest.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = etree.SubElement(root, "body")
    for feed in feeds:
        etree.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.title,
            title=feed.title,
            xmlUrl=links.feed(feed.slug, "atom"),
            htmlUrl=links.page(feed.slug),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
