"""Rules with one home each: topic slugs, bare hosts, display spellings, feed caps,
dates and file names, checked through the config, a build and the functions themselves."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import Workspace, article, front_matter

from aggregator.config import config_from_mapping
from aggregator.model import iso_z
from aggregator.names import bare_host, most_used_spellings, topic_slug

LONG = "The Remarkably Long And Winding Story Of European Quantum Computing Research Funding"
TOPICS = [LONG, "Économie française", "日本のロボット", "🚀🛰️", "AI"]


@pytest.mark.parametrize("name", TOPICS)
def test_configured_feed_selects_stories_of_any_topic_name(ws: Workspace, name: str) -> None:
    ws.add("a.md", article(title=f"News on {name}", url="https://example.com/a", topics=[name]))
    ws.add("b.md", article(title="Something else entirely", url="https://example.com/b", topics=["Other"]))
    ws.write_config({"feeds": {"extra": [{"slug": "mine", "title": "Mine", "topics": [name]}]}})
    ws.build()
    items = json.loads(ws.read("mine.json"))["items"]
    assert [item["url"] for item in items] == ["https://example.com/a"]
    topic_feed = f"{topic_slug(name)}.json"  # the topic's own feed has the same story
    assert [i["url"] for i in json.loads(ws.read(topic_feed))["items"]] == ["https://example.com/a"]


def test_config_and_articles_share_the_topic_slug() -> None:
    config = config_from_mapping({"feeds": {"extra": [{"slug": "x", "title": "X", "topics": TOPICS}]}})
    assert config.extra_feeds[0].topics == tuple(topic_slug(t) for t in TOPICS)


def test_topic_slug_is_short_ascii_and_stable() -> None:
    long = topic_slug(LONG)
    assert len(long) <= 60 and not long.endswith("-") and LONG.lower().startswith(long.replace("-", " "))
    assert topic_slug("Économie française") == "economie-francaise"
    emoji = topic_slug("🚀🛰️")
    assert emoji.startswith("topic-") and emoji == topic_slug("🚀🛰️") != topic_slug("🛰️")


def test_bare_host_drops_only_a_leading_www() -> None:
    assert bare_host("www.example.com") == "example.com"
    assert bare_host("wwwx.example.com") == "wwwx.example.com"
    assert bare_host("news.www.example.com") == "news.www.example.com"


def test_most_used_spelling_wins_ties_alphabetically_and_unused_do_not_count() -> None:
    rows = [("ai", "AI", 2), ("ai", "Ai", 3), ("cv", "Computer Vision", 1), ("cv", "computer vision", 1)]
    rows += [("gone", "Gone", 0), ("ai", "A.I.", 0)]
    assert most_used_spellings(rows) == {"ai": "Ai", "cv": "Computer Vision"}


def test_a_configured_feed_keeps_its_own_cap_in_full_and_incremental_builds(ws: Workspace) -> None:
    for day in range(1, 6):
        title = f"Story {day} of {'abcde'[day - 1]} kind"
        ws.add(f"{day}.md", article(title, f"https://e.example/{day}", date=f"2024-05-0{day}T10:00:00Z"))
    extra = [{"slug": "mine", "title": "Mine", "topics": ["AI"], "max_items": 4}]
    ws.write_config({"feeds": {"max_items": 2, "extra": extra}})
    ws.build()
    assert len(json.loads(ws.read("mine.json"))["items"]) == 4
    assert len(json.loads(ws.read("ai.json"))["items"]) == 2
    ws.remove("2.md")  # the fourth newest: in `mine`, not in `ai`
    assert ws.build()["files_removed"] == 1  # an incremental build
    items = json.loads(ws.read("mine.json"))["items"]
    assert [i["url"] for i in items] == [f"https://e.example/{d}" for d in (5, 4, 3, 1)]


def test_iso_z_is_utc_to_the_second() -> None:
    moment = dt.datetime(2024, 5, 1, 12, 30, 15, 999_000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert iso_z(moment) == "2024-05-01T10:30:15Z"


def test_the_build_writes_and_removes_only_the_files_it_names(ws: Workspace) -> None:
    ws.add("a.md", article(topics=["Chess"]))
    ws.build()
    names = {p.relative_to(ws.output).as_posix() for p in ws.output.rglob("*") if p.is_file()}
    assert names == {f"feeds/{s}.{f}" for s in ("all", "chess") for f in ("atom", "rss", "json")} | {
        "index.html",
        "feeds.opml",
        "feed.css",
        "assets/site.css",
        "assets/site.js",
        "topics/chess/index.html",
    }
    (ws.output / "notes.txt").write_text("mine")
    (ws.output / "feeds" / "old-topic.rss").write_text("stale")
    ws.write_config({"site": {"title": "Renamed"}})
    ws.build()
    assert (ws.output / "notes.txt").read_text() == "mine"
    assert not (ws.output / "feeds" / "old-topic.rss").exists()


def test_the_content_folder_may_be_a_symlink_that_moves_between_builds(ws: Workspace, tmp_path) -> None:
    """Nothing of one build's paths is kept for the next (the daemon builds for days)."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, name in ((first, "a"), (second, "b")):
        folder.mkdir()
        (folder / f"{name}.md").write_text(
            front_matter(article(f"Story {name}", f"https://e.example/{name}"))
        )
    link = tmp_path / "current"
    link.symlink_to(first)
    ws.write_config({"content": {"dir": str(link)}})
    assert ws.build()["articles"] == 1
    link.unlink()
    link.symlink_to(second)  # a deploy swaps the folder in place
    report = ws.build()
    assert report["skipped"] == [] and report["articles"] == 1
    assert [i["url"] for i in json.loads(ws.read("all.json"))["items"]] == ["https://e.example/b"]


def test_name_memo_answers_as_the_rules_do_and_stays_bounded(monkeypatch) -> None:
    from aggregator.ingest.normalise import ParseMemo, parse_article

    monkeypatch.setattr(ParseMemo, "LIMIT", 2)
    memo = ParseMemo()
    for index in range(6):
        name = TOPICS[index % len(TOPICS)]
        data = front_matter(article(f"Story {index}", f"https://e.example/{index}", topics=[name])).encode()
        with_memo = parse_article("a.md", data, None, memo).article
        assert with_memo == parse_article("a.md", data).article
        assert with_memo.topics[0].slug == topic_slug(name)
        assert len(memo._slugs) <= 2 and len(memo._providers) <= 2


NAMES = [
    "a.md",
    "a.MD",
    "a.md~",
    "a.markdown",
    "md",
    "a.md.txt",
    "x.txt",
    "notes-1.txt",
    "b.md\n",
    "é.md",
    "[a].md",
]
PATTERN_SETS = [
    ("*.md", "*.markdown", "*.txt"),  # the default: plain suffixes take `str.endswith`
    ("*.md",),
    ("*.md", "notes-*.txt"),  # any other pattern: the regex for all
    ("[ab].md", "*.m?"),
]  # an empty list is a config error (content.patterns must list at least one pattern)


@pytest.mark.parametrize("patterns", PATTERN_SETS)
def test_file_names_match_content_patterns_as_fnmatch_does(patterns: tuple[str, ...]) -> None:
    import fnmatch

    from aggregator.ingest.scan import name_matcher

    matches = name_matcher(patterns)
    expected = [n for n in NAMES if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    assert [n for n in NAMES if matches(n)] == expected


def test_a_scan_takes_only_the_configured_patterns(ws: Workspace) -> None:
    for name in ("a.md", "notes-1.txt", "other.txt", "c.md~"):
        ws.add(name, article(title=f"About {name}", url=f"https://example.com/{name}"))
    ws.write_config({"content": {"patterns": ["*.md", "notes-*.txt"]}})
    assert ws.build()["files_scanned"] == 2
    ws.write_config({})
    assert ws.build()["files_scanned"] == 3  # the default: *.md, *.markdown, *.txt
