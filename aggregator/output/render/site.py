"""The HTML index page and the OPML subscription list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lxml import etree

from aggregator.ingest.text import escape
from aggregator.output.render.entry import human_date, image_type, plausible
from aggregator.output.render.links import MEDIA_TYPES, FeedLinks
from aggregator.selection.catalog import FeedInfo

_FORMAT_LABELS = (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))
_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}"
    "td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd}"
    "a{color:#0645ad}.n{text-align:right}.muted{color:#666;font-size:.9rem}"
)


def render_index(
    feeds: Sequence[FeedInfo],
    links: FeedLinks,
    site_title: str,
    site_description: str,
    language: str,
    fallback: dt.datetime,
    icon: str | None = None,
) -> bytes:
    """Every feed with subscribe links, and autodiscovery for each in the head."""
    head_links = [icon_link(icon)] if icon else []
    rows = []
    for feed in feeds:
        for fmt, label in _FORMAT_LABELS:
            head_links.append(
                f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" title="{escape(feed.title)} ({label})" '
                f'href="{escape(links.feed(feed.slug, fmt))}">'
            )
        subscribe = " · ".join(
            f'<a href="{escape(links.feed(feed.slug, fmt))}" type="{MEDIA_TYPES[fmt]}">{label}</a>'
            for fmt, label in _FORMAT_LABELS
        )
        newest = human_date(feed.newest) if feed.newest else "-"
        rows.append(
            f'<tr><td>{escape(feed.title)}<div class="muted">{escape(feed.description)}</div></td>'
            f'<td class="n">{feed.total}</td><td>{escape(newest)}</td><td>{subscribe}</td></tr>'
        )
    page = f"""<!DOCTYPE html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(site_title)}</title>
{chr(10).join(head_links)}
<style>{_STYLE}</style>
</head>
<body>
<h1>{escape(site_title)}</h1>
<p>{escape(site_description)}</p>
<table>
<thead><tr><th>Feed</th><th class="n">Stories</th><th>Latest</th><th>Subscribe</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="muted">All feeds as <a href="{escape(links.opml)}" type="{MEDIA_TYPES["opml"]}">OPML</a>.</p>
</body>
</html>
"""
    return page.encode("utf-8")


def icon_link(icon: str) -> str:
    """The page's `<link rel="icon">`, typed when the URL's extension names an image type."""
    kind = image_type(icon) or ("image/x-icon" if icon.lower().endswith(".ico") else None)
    typed = f' type="{kind}"' if kind else ""
    return f'<link rel="icon" href="{escape(icon)}"{typed}>'


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
            htmlUrl=links.home,
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
