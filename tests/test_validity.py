"""Every file the build writes is valid to the letter: the strict checker and feedparser."""

from __future__ import annotations

import json

import feedparser
from conftest import Workspace, article
from feedcheck import assert_valid

KIND = {".atom": "atom", ".rss": "rss", ".json": "json", ".opml": "opml"}


def assert_all_valid(ws: Workspace) -> int:
    checked = 0
    for name, data in ws.outputs().items():
        suffix = name[name.rfind(".") :]
        if suffix in KIND:
            assert_valid(KIND[suffix], data)
            checked += 1
        if suffix in (".atom", ".rss"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (name, parsed.bozo_exception)
        if suffix == ".json":
            json.loads(data)
    return checked


def rich_folder(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.add(
        "a.md",
        article(
            "Parliament passes the budget <em>at last</em> & more",
            "https://news.example/budget?utm_source=x",
            "2024-05-01T10:00:00+02:00",
            topics=["Politics", "Economy"],
            images=[{"url": "https://img.example/budget.webp", "width": 800, "height": 600}],
            related=[
                {
                    "title": "Budget passes",
                    "webUrl": "https://other.example/budget",
                    "publishedDateTime": "2024-05-01T09:00:00Z",
                    "provider": {"name": "Other", "domain": "other.example"},
                },
                {
                    "title": "MPs approve spending plan",
                    "webUrl": "https://third.example/spend",
                    "provider": {"name": "Third"},
                },
            ],
        ),
    )
    ws.add(
        "b.md",
        article(
            "Comet seen over desert \x0b with no image type",
            "https://sky.example/comet",
            "2024-05-01T10:00:00Z",
            topics=["Space", "Science"],
            images=[{"url": "https://img.example/comet"}],
        ),
    )
    ws.add(
        "nested/deeper/c.md",
        article(
            "Chess champion retires after 20 years",
            "https://chess.example/r",
            "2024-04-30T08:00:00Z",
            topics=["Chess 🏆", "Ünïcödé"],
        ),
    )
    ws.add(
        "empty-topic.md",
        article(
            "Bakery wins national bread prize", "https://bread.example/p", "2024-04-29T08:00:00Z", topics=[]
        ),
    )


def test_every_output_is_valid(ws: Workspace) -> None:
    rich_folder(ws)
    ws.write_config(
        {
            "feeds": {
                "extra": [
                    {"slug": "quality", "title": "Quality picks", "min_quality": 40},
                    {"slug": "nothing", "title": "An empty feed", "topics": ["no-such-topic"]},
                ]
            }
        }
    )
    ws.build()
    assert (ws.output / "feeds/nothing.atom").exists()
    assert assert_all_valid(ws) >= 3 * 10 + 1


def test_seed_feeds_are_valid(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.build()
    assert assert_all_valid(ws) == 10


def test_entries_sharing_an_updated_time_stay_valid(ws: Workspace) -> None:
    for i, title in enumerate(
        ["Volcano erupts near island", "Parliament passes budget", "Comet seen over desert"]
    ):
        ws.add(f"s{i}.md", article(title, f"https://e.example/{i}", "2024-05-01T10:00:00Z"))
    ws.build()
    assert_all_valid(ws)
    updated = [e.updated for e in feedparser.parse(ws.read("feeds/ai.atom")).entries]
    assert len(set(updated)) == 3
