"""Read-only views of the content: what `check`, `topics`, `stories` and `explain` show.

They run the same reader, clusterer and catalog as a build, in memory, and write
nothing: not the output folder, not the state store.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.config import Config
from aggregator.ingest.parse import ParseJob, parse_entry
from aggregator.ingest.scan import scan
from aggregator.ingest.urls import canonical_url
from aggregator.model import Article, Cluster, Story, StoryRecord
from aggregator.report import BuildError, Problem
from aggregator.selection.catalog import build_catalog
from aggregator.stories.clustering import (
    Grouping,
    HeadlineTrace,
    cluster_articles,
    describe_group,
    group_members,
)
from aggregator.stories.copies import notices_by_link
from aggregator.stories.explain import explain_pair, explain_story, story_of
from aggregator.stories.headlines import HeadlineWords
from aggregator.stories.identity import assign_ids


class UnknownArticle(BuildError):
    """`explain` was given a path or link that names no published article."""


@dataclass
class ContentView:
    files: int
    articles: list[Article]
    drafts: int
    problems: list[Problem]
    warnings: list[Problem]


def read_content(config: Config) -> ContentView:
    """Every file read and parsed exactly as a build reads it (`parsing.parse_entry`)."""
    try:
        scanned = scan(config.content_dir, config.patterns)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise BuildError(str(exc)) from None
    job = ParseJob(
        config.content_dir, config.max_file_bytes, config.stories.url_aliases, dt.datetime.now(dt.UTC)
    )
    problems = [Problem(p.path, p.reason) for p in scanned.problems]
    warnings: list[Problem] = []
    articles: list[Article] = []
    drafts = 0
    for entry in scanned.files:
        parsed = parse_entry(job, entry, None, entry.mtime_ns)
        if parsed is None:
            continue  # vanished since the walk
        record = parsed.record
        if record.status == "skipped":
            problems.append(Problem(entry.path, record.reason or "skipped"))
            continue
        warnings.extend(Problem(entry.path, w) for w in record.warnings)
        if record.status == "draft":
            drafts += 1
        elif parsed.visible is not None:
            articles.append(parsed.visible)
    for notices in notices_by_link(articles).values():
        warnings.extend(Problem(path, message) for path, message, _paths in notices)
    return ContentView(len(scanned.files), articles, drafts, problems, warnings)


def check_content(config: Config) -> dict[str, Any]:
    view = read_content(config)
    return {
        "files": view.files,
        "articles": len(view.articles),
        "drafts": view.drafts,
        "problems": [{"path": p.path, "reason": p.reason} for p in view.problems],
        "warnings": [{"path": p.path, "reason": p.reason} for p in view.warnings],
    }


def current_stories(config: Config) -> list[Story]:
    """The stories a build would publish now, with the ids the state store holds."""
    view = read_content(config)
    return _with_ids(config, cluster_articles(view.articles, config.stories))


def _with_ids(config: Config, clusters: list[Cluster]) -> list[Story]:
    """Stories under the ids the state store holds (derived ones where it has none)."""
    members: dict[str, str] = {}
    records: dict[str, StoryRecord] = {}
    if config.state_url or config.state_path.is_file():
        from aggregator.state.opening import open_state
        from aggregator.state.store import StateStore

        try:
            # Read only: a SQLite file is opened as it is (a damaged one is left for the
            # next build to set aside, and named in its report).
            opened = (
                open_state(config.state_url, config.state_path)
                if config.state_url
                else StateStore(config.state_path)
            )
            with opened as store:
                members, records = store.memberships(), store.story_records()
        except sqlite3.DatabaseError:
            pass  # a damaged store: the next build sets it aside; ids derive from content
    stories, _ = assign_ids(clusters, members, records, dt.datetime.now(dt.UTC))
    return stories


def explain(config: Config, refs: list[str]) -> dict[str, Any]:
    """`aggregator explain`: one article's story and its evidence, or why two are (not) one."""
    view = read_content(config)
    trace = HeadlineTrace()
    words = HeadlineWords()  # this explanation's memo, as a build has its own
    grouping = group_members(view.articles, config.stories, words, trace)
    stories = _with_ids(config, [describe_group(grouping, keys) for keys in grouping.groups])
    keys = [resolve_ref(config, view, grouping, ref) for ref in refs]
    if len(keys) == 1:
        story = story_of(stories, keys[0])
        assert story is not None  # every member is in a story
        return {"article": keys[0], **explain_story(story, grouping, trace, words)}
    return explain_pair((keys[0], keys[1]), stories, grouping, trace, config.stories, words)


def resolve_ref(config: Config, view: ContentView, grouping: Grouping, ref: str) -> str:
    """The member (canonical URL) a path or link names; UnknownArticle says why none."""
    if ref.startswith(("http://", "https://")):
        key = canonical_url(ref, config.stories.url_aliases)
        if key in grouping.by_canonical or key in grouping.related_info:
            return key
        raise UnknownArticle(f"no published article or related entry has the link {ref}")
    path = _content_path(config.content_dir, ref)
    for article in view.articles:
        if article.path == path:
            return article.canonical
    for problem in view.problems:
        if problem.path == path:
            raise UnknownArticle(f"{path} was skipped: {problem.reason}")
    if (config.content_dir / path).is_file():
        raise UnknownArticle(f"{path} is not published (a draft, dated in the future, or not a content file)")
    raise UnknownArticle(f"no such file in the content folder {config.content_dir}: {ref}")


def _content_path(content_dir: Path, ref: str) -> str:
    """A path relative to the content folder (POSIX), from one relative to it or absolute;
    a relative path that only exists from the working folder is taken from there."""
    given = Path(ref)
    root = content_dir.resolve()
    if not given.is_absolute() and not (content_dir / given).exists() and given.exists():
        given = given.resolve()
    if given.is_absolute():
        try:
            return given.resolve().relative_to(root).as_posix()
        except ValueError:
            return given.as_posix()
    return given.as_posix()


def list_feeds(config: Config) -> list[dict[str, Any]]:
    view = read_content(config)
    clusters = cluster_articles(view.articles, config.stories)
    stories, _ = assign_ids(clusters, {}, {}, dt.datetime.now(dt.UTC))
    return [
        {"slug": f.slug, "title": f.title, "kind": f.info.kind, "entries": len(f.stories), "stories": f.total}
        for f in build_catalog(stories, config)
    ]


def story_summary(story: Story) -> dict[str, Any]:
    """A story as `aggregator stories` shows it: who is in it and why."""
    return {
        "id": story.id,
        "title": story.primary.title,
        "published": story.published.isoformat(),
        "updated": story.updated.isoformat(),
        "topics": [t.slug for t in story.topics],
        "members": [
            {
                "primary": member is story.primary,
                "url": member.url,
                "canonical": member.canonical,
                "title": member.title,
                "provider": member.provider.name,
                "published": member.published.isoformat() if member.published else None,
                "quality": member.quality,
                "files": list(member.paths),
                "reason": member.reason,
                "via": member.via,
            }
            for member in story.members
        ],
    }
