"""The HTTP answer for one published file: status, headers and body, decided purely.

Both the Flask routes and the lean feed path (fastpath.py) answer through `answer`,
so validators, gzip and caching headers are the same whichever path a request took.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_date

from aggregator.configschema import ASSET_TYPES
from aggregator.output.render.links import MEDIA_TYPES as RENDERED_MEDIA_TYPES
from aggregator.serve.filecache import Published

# The published files' media types, as the renderers name them, with their charset.
MEDIA_TYPES = {kind: f"{media_type}; charset=utf-8" for kind, media_type in RENDERED_MEDIA_TYPES.items()}
MEDIA_TYPES.update(
    {suffix[1:]: media_type for suffix, media_type in ASSET_TYPES.items()}
)  # images: no charset
_TAG_RE = re.compile(r'(?:W/)?"[^"]*"')
# What a browser gets an Atom or RSS feed as, so that it applies the feed's stylesheet.
XML_FOR_BROWSERS = "application/xml; charset=utf-8"
# A feed opened in a browser loads feed.css and nothing else.
FEED_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'"
NEGOTIATED = frozenset({"atom", "rss"})


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Conditions:
    """What the client sent that decides the answer (raw header values, None if absent)."""

    accept_encoding: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    accept: str | None = None


def answer(published: Published, kind: str, asked: Conditions, max_age: int, now: datetime) -> Answer:
    """200 with the (possibly gzipped) bytes, or 304 when the client's copy is current.

    Atom and RSS are negotiated: a browser asking for a page gets the feed as
    `application/xml` (another representation, so another strong tag), which lets it
    apply the feed's stylesheet."""
    use_gzip = published.compressible and accepts_gzip(asked.accept_encoding)
    etag = published.gzip_etag if use_gzip else published.etag
    negotiated = kind in NEGOTIATED
    as_xml = negotiated and for_a_browser(asked.accept, kind)
    if as_xml:
        etag = etag[:-1] + '-xml"'
    held = _current_tag(published, etag, asked, now)
    headers: list[tuple[str, str]]
    if held is not None:
        status, body, headers = 304, b"", [("ETag", held)]
    else:
        status = 200
        body = published.gzipped() if use_gzip else published.body
        headers = [("Content-Type", XML_FOR_BROWSERS if as_xml else MEDIA_TYPES[kind]), ("ETag", etag)]
        if use_gzip:
            headers.append(("Content-Encoding", "gzip"))
    if settled(published.modified, now):
        headers.append(("Last-Modified", http_date(published.modified)))
    headers += [
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Vary", "Accept, Accept-Encoding" if negotiated else "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if negotiated:
        headers.append(("Content-Security-Policy", FEED_CSP))
    return Answer(status, headers, body)


def for_a_browser(accept: str | None, kind: str) -> bool:
    """Whether the client prefers a page to the feed's own media type.

    Browsers show `application/atom+xml` and `application/rss+xml` as plain text, so the
    feed's stylesheet never applies. A browser navigating asks for `text/html` first;
    feed readers ask for feed types, or `*/*`, or nothing, and get the feed's own type.
    """
    if not accept:
        return False
    offered = parse_accept_header(accept, MIMEAccept)
    return offered.best_match([RENDERED_MEDIA_TYPES[kind], "text/html"]) == "text/html"


def accepts_gzip(header: str | None) -> bool:
    return bool(header) and parse_accept_header(header)["gzip"] > 0


def _current_tag(published: Published, etag: str, asked: Conditions, now: datetime) -> str | None:
    """The tag to name in a 304 when the client's copy is current (RFC 9110 13.2.2), else None.

    If-None-Match wins over If-Modified-Since when both are sent. It uses the weak
    comparison RFC 9110 prescribes, against every representation of the current
    version: a client holding the identity bytes that now also accepts gzip still has
    a current copy, and the 304 names the tag it holds, so its cache can match it.
    Dates have one-second precision, so Last-Modified is only sent once the second
    of the file's mtime has passed (RFC 9110 section 8.8.2.2): a client never holds a
    date that a second rebuild within that same second would also carry.
    """
    if asked.if_none_match is not None:
        return _matching_tag(asked.if_none_match, published, etag)
    if asked.if_modified_since is None:
        return None
    since = parse_date(asked.if_modified_since)
    modified = published.modified.replace(microsecond=0)
    # A date later than now is invalid (RFC 9110 section 13.1.3): ignored, as if not sent.
    if since is not None and since <= now and settled(published.modified, now) and modified <= since:
        return etag
    return None


def settled(modified: datetime, now: datetime) -> bool:
    return modified.replace(microsecond=0) < now.replace(microsecond=0)


def _matching_tag(header: str, published: Published, etag: str) -> str | None:
    if header.strip() == "*":
        return etag
    offered = {_opaque(tag) for tag in _TAG_RE.findall(header)}
    for candidate in [etag, *published.tags()]:
        if candidate in offered:
            return candidate
    return None


def _opaque(tag: str) -> str:
    """Weak comparison: W/"x" and "x" are the same tag."""
    return tag[2:] if tag.startswith("W/") else tag


def http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
