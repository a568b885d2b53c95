"""An edited copy beside the original: the later revision is published, whatever the names."""

from __future__ import annotations

import json

import feedparser
import pytest

from tests.conftest import Workspace, article

LINK = "https://example.com/news/launch"
ORIGINAL = article(
    "Original headline about the launch of the rocket", LINK, "2024-05-01T10:00:00Z", topics=["AI"]
)


def edited(**changes: object) -> dict:
    data = article(
        "Edited headline about the launch of the rocket",
        LINK + "?utm_source=newsletter",
        "2024-05-01T10:00:00Z",
        topics=["Robotics"],
        updatedDateTime="2024-05-01T12:00:00Z",
    )
    data.update(changes)
    return data


def titles(ws: Workspace, slug: str = "all") -> list[str]:
    return [e.title for e in feedparser.parse(ws.read(f"{slug}.atom")).entries]


def copy_warnings(warnings: list[dict]) -> list[dict]:
    return [w for w in warnings if "same article link" in w["reason"]]


@pytest.mark.parametrize("copy_name", ["000-copy.md", "zzz-copy.md"])
def test_the_later_revision_is_published_whatever_the_names(ws: Workspace, copy_name: str) -> None:
    ws.add("launch.md", ORIGINAL)
    ws.add(copy_name, edited())
    report = ws.build()
    assert titles(ws) == ["Edited headline about the launch of the rocket"]
    # The superseded copy counts for nothing: its topic has no feed.
    assert (ws.output / "robotics.atom").exists()
    assert not (ws.output / "ai.atom").exists()
    (warning,) = copy_warnings(report["warnings"])
    assert warning["path"] == "launch.md"
    assert f"{copy_name} is published" in warning["reason"]
    assert "updatedDateTime is later" in warning["reason"]

    human = ws.cli("build").output
    assert f"warning launch.md: same article link as {copy_name}; {copy_name} is published" in human

    checked = json.loads(ws.cli("check", "--json").stdout)
    assert copy_warnings(checked["warnings"]) == [{"path": warning["path"], "reason": warning["reason"]}]
    assert f"launch.md: warning: same article link as {copy_name}" in ws.cli("check").output


@pytest.mark.parametrize("copy_name", ["000-copy.md", "zzz-copy.md"])
def test_an_original_revised_later_than_the_copy_wins(ws: Workspace, copy_name: str) -> None:
    ws.add("launch.md", ORIGINAL | {"updatedDateTime": "2024-05-02T09:00:00Z"})
    ws.add(copy_name, edited())
    report = ws.build()
    assert titles(ws) == ["Original headline about the launch of the rocket"]
    (warning,) = copy_warnings(report["warnings"])
    assert warning["path"] == copy_name
    assert "launch.md is published" in warning["reason"]


def test_without_updated_the_later_published_date_wins(ws: Workspace) -> None:
    ws.add("b.md", ORIGINAL)
    ws.add("a.md", edited(updatedDateTime=None, publishedDateTime="2024-05-01T09:00:00Z"))
    report = ws.build()
    assert titles(ws) == ["Original headline about the launch of the rocket"]
    (warning,) = copy_warnings(report["warnings"])
    assert warning["path"] == "a.md"
    assert "b.md is published" in warning["reason"] and "publishedDateTime is later" in warning["reason"]


def test_a_full_tie_publishes_the_path_that_sorts_first(ws: Workspace) -> None:
    ws.add("b.md", ORIGINAL)
    ws.add("a.md", edited(updatedDateTime=None))
    report = ws.build()
    assert titles(ws) == ["Edited headline about the launch of the rocket"]
    (warning,) = copy_warnings(report["warnings"])
    assert warning["path"] == "b.md"
    assert "dates are the same and its path sorts first" in warning["reason"]


def test_incremental_builds_agree_with_a_full_build(ws: Workspace) -> None:
    ws.add("launch.md", ORIGINAL)
    ws.add("other.md", article("Something else entirely different today", "https://example.com/x"))
    ws.build()
    steps = [
        lambda: ws.add("zzz-copy.md", edited()),  # the copy arrives: it wins
        lambda: ws.add("launch.md", ORIGINAL | {"updatedDateTime": "2024-05-03T00:00:00Z"}),  # back
        lambda: ws.remove("launch.md"),  # the copy is alone
    ]
    for step in steps:
        step()
        incremental = ws.build()
        published = ws.outputs()
        full = ws.build("--full")  # the same content re-clustered from scratch
        assert full["written"] == []
        assert ws.outputs() == published
        assert copy_warnings(incremental["warnings"]) == copy_warnings(full["warnings"])
    assert sorted(titles(ws)) == [
        "Edited headline about the launch of the rocket",
        "Something else entirely different today",
    ]
    assert copy_warnings(ws.build()["warnings"]) == []
