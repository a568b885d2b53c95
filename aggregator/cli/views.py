"""The read-only commands: `check`, `topics` and `stories` (they write nothing)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from aggregator.cli.app import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    common_options,
    content_view,
    fail,
    load_cli_config,
    main,
)
from aggregator.model import Story, Topic
from aggregator.report import plural

KNOWN_TOPICS_SHOWN = 40  # an unknown --topic lists this many known ones, then a count


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
def check(config_path: Path | None, content: Path | None, output: Path | None, as_json: bool) -> None:
    """Validate the content folder without writing anything; exit 1 on any problem."""
    from aggregator.preview import check_content

    config = load_cli_config(config_path, content, output)
    result = content_view(check_content, config)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        from aggregator.report import display_path

        for problem in result["problems"]:
            click.echo(f"{display_path(problem['path'])}: {problem['reason']}")
        for warning in result["warnings"]:
            click.echo(f"{display_path(warning['path'])}: warning: {warning['reason']}")
        click.echo(
            f"{plural(result['files'], 'file')}: {plural(result['articles'], 'article')}, "
            f"{plural(result['drafts'], 'draft')}, {plural(len(result['problems']), 'problem')}, "
            f"{plural(len(result['warnings']), 'warning')}."
        )
    if result["problems"]:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the feeds as JSON on stdout.")
def topics(config_path: Path | None, content: Path | None, output: Path | None, as_json: bool) -> None:
    """List the feeds with their entry counts (without writing anything)."""
    from aggregator.preview import list_feeds

    config = load_cli_config(config_path, content, output)
    feeds = content_view(list_feeds, config)
    if as_json:
        click.echo(json.dumps(feeds, indent=2, ensure_ascii=False))
        return
    width = max((len(f["slug"]) for f in feeds), default=4)
    click.echo(f"{'FEED':<{width}}  {'ENTRIES':>7}  {'STORIES':>7}  TITLE")
    for feed in feeds:
        click.echo(f"{feed['slug']:<{width}}  {feed['entries']:>7}  {feed['stories']:>7}  {feed['title']}")


@main.command()
@common_options
@click.option(
    "--topic",
    metavar="TOPIC",
    help="Only stories in this topic: its name or slug, any case (e.g. 'Computer Vision').",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON on stdout.")
def stories(
    config_path: Path | None, content: Path | None, output: Path | None, topic: str | None, as_json: bool
) -> None:
    """List stories, newest first: id, dates, primary article, members and why each joined.

    PUBLISHED is the story's first publication (its oldest member); UPDATED is the
    `updated` its feeds carry: the newest member date or edit, or the time a build saw
    the story change."""
    from aggregator.preview import current_stories, story_summary
    from aggregator.selection.catalog import sort_key

    config = load_cli_config(config_path, content, output)
    found = content_view(current_stories, config)
    if topic is not None:
        found = stories_in_topic(found, topic)
    summaries = [story_summary(s) for s in sorted(found, key=sort_key, reverse=True)]
    if as_json:
        click.echo(json.dumps(summaries, indent=2, ensure_ascii=False))
        return
    if summaries:
        click.echo(f"{'STORY':<{len(summaries[0]['id'])}}  {'PUBLISHED':<20}  {'UPDATED':<20}  TOPICS")
    for summary in summaries:
        click.echo(
            f"{summary['id']}  {_date(summary['published']):<20}  {_date(summary['updated']):<20}  "
            f"{', '.join(summary['topics'])}"
        )
        for member in summary["members"]:
            mark = "*" if member["primary"] else "-"
            where = f" ({', '.join(member['files'])})" if member["files"] else ""
            click.echo(f"  {mark} {member['reason']:<8} {member['provider']}: {member['title']}{where}")
            published = f"published {_date(member['published'])}  " if member["published"] else ""
            click.echo(f"    {published}{member['url']}")
    click.echo(f"{plural(len(summaries), 'story', 'stories')}.")


def stories_in_topic(found: Sequence[Story], wanted: str) -> list[Story]:
    """The stories in the topic named by `wanted` (name or slug, any case); exits 2 naming
    the known topics when none has that name."""
    from aggregator.names import topic_slug

    slug = topic_slug(wanted.strip())
    matching = [s for s in found if any(t.slug == slug for t in s.topics)]
    if matching:
        return matching
    known: dict[str, Topic] = {}
    for story in found:
        for item in story.topics:
            known.setdefault(item.slug, item)
    names = [f"{t.name} ({t.slug})" for t in sorted(known.values(), key=lambda t: t.slug)]
    shown = ", ".join(names[:KNOWN_TOPICS_SHOWN])
    if len(names) > KNOWN_TOPICS_SHOWN:
        shown += f" and {len(names) - KNOWN_TOPICS_SHOWN} more (aggregator topics lists them)"
    fail(f"no topic matches {wanted!r}; known topics: {shown or 'none'}", EXIT_USAGE)
    return []


def _date(iso: Any) -> str:
    """An ISO date as the listing shows it: to the second, UTC marked Z."""
    text = str(iso)
    return text[:19] + "Z" if text.endswith("+00:00") else text
