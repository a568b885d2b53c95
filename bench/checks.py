"""Proof that a timed build did its job: the change is in the feeds on disk.

A build that returns quickly because it missed the change would make the best figure
in the table, so every incremental step is checked against the published JSON feeds
and the run stops loudly when the feeds do not show the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .floors import front_matter


class CheckFailed(AssertionError):
    """The feeds on disk do not show what the last build should have published."""


@dataclass(frozen=True)
class Article:
    path: Path
    url: str
    title: str
    excerpt: str
    topics: tuple[str, ...]


def read_article(path: Path) -> Article:
    data = yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=yaml.CSafeLoader)
    return Article(
        path=path,
        url=data["webUrl"],
        title=data["title"],
        excerpt=data.get("excerpt", ""),
        topics=tuple(data.get("topics") or ()),
    )


def json_feeds(output: Path) -> dict[str, dict[str, Any]]:
    """Every JSON Feed in the output folder, by file name."""
    feeds = {}
    for path in sorted((output / "feeds").glob("*.json")):
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and "items" in data:
            feeds[path.name] = data
    if "all.json" not in feeds:
        raise CheckFailed(f"no all.json in {output}")
    return feeds


def _urls(item: dict[str, Any]) -> set[str]:
    members = item.get("_story", {}).get("members", [])
    return {item.get("url", "")} | {m.get("url", "") for m in members}


def feeds_with(output: Path, url: str) -> dict[str, dict[str, Any]]:
    """The feeds (by file name) whose entries name `url`, with the entry that does."""
    found = {}
    for name, feed in json_feeds(output).items():
        for item in feed["items"]:
            if url in _urls(item):
                found[name] = item
    return found


def check_present(output: Path, article: Article, what: str) -> dict[str, dict[str, Any]]:
    found = feeds_with(output, article.url)
    if not found:
        raise CheckFailed(f"{what}: {article.url} ({article.path}) is in no feed in {output}")
    return found


def check_edited(output: Path, article: Article) -> None:
    """Every feed entry whose primary is the edited article shows the new excerpt."""
    found = check_present(output, article, "edited article")
    shown = {name: item for name, item in found.items() if item.get("url") == article.url}
    if not shown:
        raise CheckFailed(f"edited article {article.url} is in feeds only as other coverage")
    prefix = article.excerpt.split("]", 1)[0] + "]"
    stale = [name for name, item in shown.items() if not str(item.get("summary", "")).startswith(prefix)]
    if stale:
        raise CheckFailed(f"edited excerpt {prefix!r} of {article.url} is not in {', '.join(stale)}")


def check_absent(output: Path, urls: list[str], what: str) -> None:
    """None of `urls` appears in any output file (feeds, index, OPML)."""
    blobs = [(p.relative_to(output).as_posix(), p.read_bytes()) for p in output.rglob("*") if p.is_file()]
    for url in urls:
        needle = url.encode("utf-8")
        hits = [name for name, data in blobs if needle in data]
        if hits:
            raise CheckFailed(f"{what} {url} still appears in {', '.join(hits[:5])}")


def check_scan(report: dict[str, Any], named: bool) -> None:
    """A build told the changed path stats that path alone; any other walks the folder."""
    expected = "named" if named else "walk"
    if report.get("scan", "walk") != expected:
        raise CheckFailed(f"the build's scan was {report.get('scan')!r}, expected {expected!r}")
