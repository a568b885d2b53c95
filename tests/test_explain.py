"""`aggregator explain A [B]`: the evidence behind a story, and the rule that kept two apart."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Workspace, article, related


def explain(ws: Workspace, *refs: str, expect: int = 0) -> dict[str, Any]:
    result = ws.cli("explain", "--json", *refs, expect=expect)
    return json.loads(result.stdout)


def evidence(story: dict[str, Any], url: str) -> list[dict[str, Any]]:
    [member] = [m for m in story["members"] if m["url"] == url]
    return member["evidence"]


def test_same_url_names_both_files(ws: Workspace) -> None:
    ws.add("a.md", article("Rocket lands on barge", "https://news.example/rocket"))
    ws.add("copy.md", article("Rocket lands on barge", "https://www.news.example/rocket?utm_source=x"))
    story = explain(ws, "a.md")
    assert story["article"] == "https://news.example/rocket"
    [member] = story["members"]
    assert member["evidence"] == [{"rule": "url", "files": ["a.md", "copy.md"]}]
    human = ws.cli("explain", "a.md").stdout
    assert "same URL in 2 files: a.md, copy.md" in human
    assert story["story"] in human


def test_related_names_the_file_that_declared_it(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Rocket lands on barge",
            "https://a.example/rocket",
            related=[related("Booster recovered at sea", "https://b.example/booster")],
        ),
    )
    ws.add("b.md", article("Booster recovered at sea", "https://b.example/booster", "2024-05-03T10:00:00Z"))
    # By link, and by absolute path: the same story either way.
    story = explain(ws, "https://b.example/booster")
    assert story == {**explain(ws, str(ws.content / "b.md")), "article": story["article"]}
    edge = {
        "rule": "related",
        "file": "a.md",
        "from": "https://a.example/rocket",
        "to": "https://b.example/booster",
    }
    assert evidence(story, "https://b.example/booster") == [edge]
    assert evidence(story, "https://a.example/rocket") == [edge]
    assert "named in related by a.md" in ws.cli("explain", "b.md").stdout
    pair = explain(ws, "a.md", "b.md")
    assert pair["same_story"] is True and pair["story_a"] == pair["story_b"] == story["story"]


def test_headline_match_shows_shared_words_and_score(ws: Workspace) -> None:
    ws.add("a.md", article("Apple unveils new iPhone 15 with USB-C port", "https://a.example/iphone"))
    ws.add(
        "b.md",
        article(
            "Apple unveils the new iPhone 15 with a USB-C port",
            "https://b.example/15",
            "2024-05-01T12:00:00Z",
        ),
    )
    story = explain(ws, "b.md")
    [edge] = evidence(story, "https://b.example/15")
    assert edge == {
        "rule": "headline",
        "from": "https://b.example/15",
        "to": "https://a.example/iphone",
        "shared": ["15", "apple", "iphone", "port", "unveils", "usb"],
        "score": 1.0,
    }
    assert "headline match with https://a.example/iphone: score 1.000" in ws.cli("explain", "b.md").stdout


def apart(ws: Workspace, a: str, b: str) -> dict[str, Any]:
    pair = explain(ws, a, b)
    assert pair["same_story"] is False and pair["story_a"] != pair["story_b"]
    return pair


def test_window_threshold_and_minimum_shared_words(ws: Workspace) -> None:
    ws.add(
        "a.md", article("Storm hits harbour town overnight", "https://s.example/a", "2024-05-01T10:00:00Z")
    )
    ws.add(
        "late.md", article("Storm hits harbour town overnight", "https://s.example/l", "2024-05-09T10:00:00Z")
    )
    ws.add(
        "loose.md", article("Storm hits harbour town, ferries halted, schools shut", "https://s.example/t")
    )
    ws.add("few.md", article("Harbour town celebrates", "https://s.example/f", "2024-05-01T11:00:00Z"))
    window = apart(ws, "a.md", "late.md")
    assert window["rule"] == "window" and window["setting"] == "stories.headline_window_hours"
    assert window["headlines"]["hours_apart"] == 192
    threshold = apart(ws, "a.md", "loose.md")
    assert threshold["rule"] == "threshold" and threshold["headlines"]["score"] < 0.6
    few = apart(ws, "a.md", "few.md")
    assert few["rule"] == "min_shared" and few["headlines"]["shared"] == ["harbour", "town"]
    human = ws.cli("explain", "a.md", "loose.md").stdout
    assert "kept apart (threshold): headline similarity below the threshold" in human
    assert "[stories.headline_threshold]" in human
    # The operator lowers the threshold: the same pair now shares a story.
    ws.write_config({"stories": {"headline_threshold": 0.4}})
    assert explain(ws, "a.md", "loose.md")["same_story"] is True


def test_anchor_guard(ws: Workspace) -> None:
    ws.add("a.md", article("Storm hits harbour", "https://s.example/a", "2024-05-01T10:00:00Z"))
    ws.add("b.md", article("Storm hits harbour town", "https://s.example/b", "2024-05-01T11:00:00Z"))
    ws.add("c.md", article("Hits harbour town hard", "https://s.example/c", "2024-05-01T12:00:00Z"))
    pair = apart(ws, "c.md", "b.md")
    assert pair["headlines"]["rule"] is None  # the headlines match...
    assert pair["rule"] == "anchor"  # ...but C would chain onto A's story
    assert pair["guard"]["anchor"] == "https://s.example/a"
    assert pair["guard"]["shared"] == ["harbour", "hits"] and pair["guard"]["needed"] == 3
    assert "anchor guard" in ws.cli("explain", "c.md", "b.md").stdout


def test_size_cap(ws: Workspace) -> None:
    ws.write_config({"stories": {"max_cluster_size": 2}})
    for index in range(3):
        ws.add(
            f"s{index}.md",
            article(
                "Storm hits harbour town overnight",
                f"https://s{index}.example/x",
                f"2024-05-01T1{index}:00:00Z",
            ),
        )
    pair = apart(ws, "s2.md", "s0.md")
    assert pair["rule"] == "size_cap"
    assert pair["guard"] == {"guard": "size_cap", "size": 3, "max": 2}
    assert "at most 2" in ws.cli("explain", "s2.md", "s0.md").stdout


def test_headline_matching_disabled(ws: Workspace) -> None:
    ws.write_config({"stories": {"headline_matching": False}})
    ws.add("a.md", article("Apple unveils new iPhone 15 with USB-C port", "https://a.example/iphone"))
    ws.add("b.md", article("Apple unveils the new iPhone 15 with a USB-C port", "https://b.example/15"))
    pair = apart(ws, "a.md", "b.md")
    assert pair["rule"] == "disabled" and pair["setting"] == "stories.headline_matching"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("missing.md", "no such file in the content folder"),
        ("broken.md", "broken.md was skipped: missing required field 'title'"),
        ("draft.md", "draft.md is not published"),
        ("https://nowhere.example/x", "no published article or related entry has the link"),
    ],
)
def test_unknown_articles_exit_2_with_the_reason(ws: Workspace, ref: str, message: str) -> None:
    ws.add("a.md", article())
    ws.add("broken.md", "---\nwebUrl: https://e.example/x\npublishedDateTime: 2024-05-01\n---\n")
    ws.add("draft.md", article(url="https://e.example/draft", published=False))
    result = ws.cli("explain", ref, expect=2)
    assert message in result.stderr and "Traceback" not in result.output


def test_explain_writes_nothing(ws: Workspace) -> None:
    ws.add("a.md", article())
    explain(ws, "a.md")
    assert not ws.output.exists() and not ws.state.exists()
