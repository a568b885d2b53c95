"""Published links carry no tracking parameters, in every format and on the pages."""

from __future__ import annotations

import json

import feedparser

from aggregator.ingest.urls import without_tracking
from tests.conftest import Workspace, article, related

ENTRY = "https://news.example/a?id=7&utm_source=x&fbclid=IwAR0abc#top"
ENTRY_CLEAN = "https://news.example/a?id=7#top"
RELATED = "https://other.example/b?utm_medium=feed&Ref=keep&gclid=1"
RELATED_CLEAN = "https://other.example/b?Ref=keep"


def test_entry_and_related_links_lose_tracking_parameters_everywhere(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Tracking parameters never reach readers",
            ENTRY,
            related=[related("Coverage elsewhere of the same thing", RELATED)],
        ),
    )
    ws.build()
    files = {p.relative_to(ws.output).as_posix(): p.read_bytes() for p in ws.output.rglob("*") if p.is_file()}
    assert any(name.endswith(".html") for name in files)
    for name, data in files.items():
        for marker in (b"utm_", b"fbclid", b"gclid"):
            assert marker not in data, (name, marker)

    atom = feedparser.parse(files["feeds/all.atom"]).entries[0]
    assert atom.link == ENTRY_CLEAN
    assert RELATED_CLEAN in atom.content[0].value
    rss = feedparser.parse(files["feeds/all.rss"]).entries[0]
    assert rss.link == ENTRY_CLEAN
    item = json.loads(files["feeds/all.json"])["items"][0]
    assert item["url"] == ENTRY_CLEAN
    assert RELATED_CLEAN in item["content_html"]
    # The index page lists feeds, not entries; it is among the files checked above.


def test_other_parameters_stay_as_written() -> None:
    assert without_tracking("https://a.example/p?b=2&a=1&UTM_Campaign=z") == "https://a.example/p?b=2&a=1"
    assert without_tracking("https://a.example/p?utm_source=x") == "https://a.example/p"
    assert (
        without_tracking("https://a.example/p?x=%20y&pk_kwd=1#f?utm_x=1")
        == "https://a.example/p?x=%20y#f?utm_x=1"
    )
    assert (
        without_tracking("https://a.example/p#frag?utm_source=x") == "https://a.example/p#frag?utm_source=x"
    )
    unchanged = "https://a.example/p?q=1&&r=&mc=2"
    assert without_tracking(unchanged) == unchanged
