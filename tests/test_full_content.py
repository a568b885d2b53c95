"""`feeds.content: full`: the article's Markdown body, rendered, sanitised and made absolute."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import Workspace, article, related
from feedcheck import assert_valid

from aggregator.ingest.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

HOSTILE = """
# Hello

<script>alert("body")</script>
<img src="x.png" onerror="alert(1)">
<p onclick="steal()" style="color:red">Click me</p>
<a href="javascript:alert(1)">js link</a>

[md js link](javascript:alert(2)) and [data link](data:text/html;base64,PHNjcmlwdD4=)

<iframe src="https://evil.example/"></iframe>
<svg><script>alert(3)</script></svg>
<a href=" JaVaScRiPt:alert(4)">spaced</a>
<style>body{display:none}</style>
"""

RELATIVE = """
A [sibling page](other.html), a [parent page](../index.html), a [root page](/about),
a [fragment](#notes) and an ![inline picture](img/chart.png "Chart").

<img src="//cdn.example.net/wide.jpg" alt="protocol-relative">
"""


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed_html(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = Collect()
    collector.feed(markup)
    return collector.tags


def contents(ws: Workspace, slug: str = "ai") -> dict[str, str]:
    """The first entry's HTML content in each format, as a feed reader gets it."""
    atom = feedparser.parse(ws.read(f"{slug}.atom")).entries[0]
    rss = feedparser.parse(ws.read(f"{slug}.rss")).entries[0]
    item = json.loads(ws.read(f"{slug}.json"))["items"][0]
    return {"atom": atom.content[0].value, "rss": rss.content[0].value, "json": item["content_html"]}


def summaries(ws: Workspace, slug: str = "ai") -> dict[str, str]:
    atom = feedparser.parse(ws.read(f"{slug}.atom")).entries[0]
    rss = feedparser.parse(ws.read(f"{slug}.rss")).entries[0]
    return {
        "atom": atom.summary,
        "rss": rss.summary,
        "json": json.loads(ws.read(f"{slug}.json"))["items"][0]["summary"],
    }


@pytest.fixture
def full(ws: Workspace) -> Workspace:
    ws.write_config({"feeds": {"content": "full"}})
    return ws


def test_hostile_body_never_yields_active_markup(full: Workspace) -> None:
    full.add("a.md", article("Robots learn to fold laundry", "https://example.com/news/a"), body=HOSTILE)
    full.build()
    for fmt, html in contents(full).items():
        assert "Click me" in html and "<h1>Hello</h1>" in html, fmt
        lowered = html.lower()
        for bad in ("<script", "<iframe", "<style", "<svg", "onerror=", "onclick=", 'href="javascript'):
            assert bad not in lowered, (fmt, bad)
        for tag, attrs in parsed_html(html):
            assert tag in ALLOWED_TAGS, (fmt, tag)
            for name, value in attrs.items():
                assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (fmt, tag, name)
                if name in ("href", "src"):
                    assert urlsplit(value or "").scheme in ("http", "https"), (fmt, value)
    for fmt in ("atom", "rss", "json"):
        assert_valid(fmt, full.read(f"ai.{fmt}"))


def test_relative_links_and_images_are_made_absolute(full: Workspace) -> None:
    full.add(
        "a.md", article("Robots learn to fold laundry", "https://example.com/news/2024/a.html"), body=RELATIVE
    )
    full.build()
    for fmt, html in contents(full).items():
        urls = {
            attrs.get("href") or attrs.get("src") for tag, attrs in parsed_html(html) if tag in ("a", "img")
        }
        assert {
            "https://example.com/news/2024/other.html",
            "https://example.com/news/index.html",
            "https://example.com/about",
            "https://example.com/news/2024/a.html#notes",
            "https://example.com/news/2024/img/chart.png",
            "https://cdn.example.net/wide.jpg",
        } <= urls, fmt
        assert all(urlsplit(u or "").scheme in ("http", "https") for u in urls), (fmt, urls)


def test_content_order_is_image_body_coverage_and_summary_stays_the_excerpt(full: Workspace) -> None:
    data = article(
        "Robots learn to fold laundry",
        "https://example.com/news/a",
        images=[{"url": "https://img.example.com/robot.jpg", "width": 800, "height": 400}],
        related=[related("Laundry robots arrive", "https://other.example/laundry")],
    )
    full.add("a.md", data, body="The **whole** story, told at length.\n")
    full.build()
    for fmt, html in contents(full).items():
        image, body, more = (
            html.find("robot.jpg"),
            html.find("<strong>whole</strong>"),
            html.find("More coverage"),
        )
        assert -1 < image < body < more, (fmt, html)
        assert "Excerpt of Robots" not in html, fmt  # the body takes the excerpt's place
    assert set(summaries(full).values()) == {"Excerpt of Robots learn to fold laundry."}


def test_summary_is_the_default_and_a_feed_may_choose_full(ws: Workspace) -> None:
    ws.write_config(
        {
            "feeds": {
                "extra": [
                    {"slug": "robots-full", "title": "Robots in full", "topics": ["AI"], "content": "full"}
                ]
            }
        }
    )
    ws.add("a.md", article("Robots learn to fold laundry"), body="Body text only in full feeds.\n")
    ws.build()
    assert all("Body text only" not in html for html in contents(ws, "ai").values())
    assert all("Excerpt of Robots" in html for html in contents(ws, "ai").values())
    assert all("Body text only in full feeds." in html for html in contents(ws, "robots-full").values())

    ws.write_config(
        {"feeds": {"content": "full", "extra": [{"slug": "brief", "title": "Brief", "content": "summary"}]}}
    )
    ws.build()
    assert all("Body text only" in html for html in contents(ws, "ai").values())
    assert all("Body text only" not in html for html in contents(ws, "brief").values())


def test_an_article_without_a_body_keeps_the_excerpt(full: Workspace) -> None:
    full.add("a.md", article("Robots learn to fold laundry"), body="\n   \n")
    full.build()
    assert all("<p>Excerpt of Robots learn to fold laundry.</p>" in html for html in contents(full).values())


def test_an_edited_body_reaches_the_feed(full: Workspace) -> None:
    full.add("a.md", article("Robots learn to fold laundry"), body="First version.\n")
    full.build()
    full.add("a.md", article("Robots learn to fold laundry"), body="Second version.\n")
    report = full.build()
    assert "feeds/ai.atom" in report["written"]
    assert all("Second version." in html for html in contents(full).values())


def test_bad_content_mode_is_a_config_error(ws: Workspace) -> None:
    ws.write_config({"feeds": {"content": "everything"}})
    assert "feeds.content: must be one of summary, full" in ws.cli("build", expect=2).output
    ws.write_config({"feeds": {"extra": [{"slug": "x", "title": "X", "content": 1}]}})
    assert "feeds.extra[0].content: must be one of summary, full" in ws.cli("build", expect=2).output
