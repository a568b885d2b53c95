"""Read-only views of the content: what `check`, `topics` and `stories` show.

They run the same reader, clusterer and catalog as a build, in memory, and write
nothing: not the output folder, not the state store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aggregator.config import Config
from aggregator.ingest.parse import ParseJob, parse_entry
from aggregator.ingest.scan import scan
from aggregator.model import Article, Story, StoryRecord
from aggregator.report import BuildError, Problem
from aggregator.selection.catalog import build_catalog
from aggregator.stories.clustering import cluster_articles
from aggregator.stories.identity import assign_ids


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
    members: dict[str, str] = {}
    records: dict[str, StoryRecord] = {}
    if config.state_url or config.state_path.is_file():
        from aggregator.state.opening import open_state

        with open_state(config.state_url, config.state_path) as store:
            members, records = store.memberships(), store.story_records()
    clusters = cluster_articles(view.articles, config.stories)
    stories, _ = assign_ids(clusters, members, records, dt.datetime.now(dt.UTC))
    return stories


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
