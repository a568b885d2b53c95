"""Which feeds exist and which stories each one holds.

One feed per topic, the `all` feed, and the feeds defined in the config. A story is in
every feed one of its topics (or filters) selects; each feed is newest first and capped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .config import Config, FeedSpec
from .stories import Story

ALL_SLUG = "all"


@dataclass(frozen=True)
class Feed:
    slug: str
    title: str
    description: str
    stories: tuple[Story, ...]  # newest first, capped
    total: int  # stories matching before the cap
    kind: str  # "all", "topic" or "custom"


def story_order(story: Story) -> tuple[str, str, str]:
    return (story.updated.isoformat(), story.published.isoformat(), story.id)


def newest_first(stories: Sequence[Story]) -> list[Story]:
    return sorted(stories, key=story_order, reverse=True)


def topic_names(stories: Sequence[Story]) -> dict[str, str]:
    """One display name per topic slug: the most used spelling, ties alphabetically."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for story in stories:
        for topic in story.topics:
            counts[topic.slug][topic.name] += 1
    return {slug: min(names, key=lambda n: (-names[n], n)) for slug, names in counts.items()}


def matches(spec: FeedSpec, story: Story) -> bool:
    if spec.topics and not any(t.slug in spec.topics for t in story.topics):
        return False
    if spec.categories and not any(c in spec.categories for c in story.categories):
        return False
    if spec.providers:
        names = {p for m in story.file_members for p in (m.provider.name.lower(), m.provider.domain.lower())}
        if not names.intersection(spec.providers):
            return False
    if spec.min_quality is not None:
        quality = story.primary.quality
        if quality is None or quality < spec.min_quality:
            return False
    return True


def build_catalog(stories: Sequence[Story], config: Config) -> list[Feed]:
    """Every feed, sorted by slug, with its capped, ordered stories."""
    ordered = newest_first(stories)
    names = topic_names(ordered)
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in ordered:
        for topic in story.topics:
            by_topic[topic.slug].append(story)

    feeds: dict[str, Feed] = {}
    site = config.site_title

    def add(slug: str, title: str, description: str, selected: list[Story], kind: str, cap: int) -> None:
        feeds[slug] = Feed(slug, title, description, tuple(selected[:cap]), len(selected), kind)

    add(ALL_SLUG, f"{site}: all stories", config.site_description, ordered, "all", config.max_items)
    for slug, selected in by_topic.items():
        if slug == ALL_SLUG or slug in {s.slug for s in config.extra_feeds}:
            continue  # a configured feed or `all` owns that slug
        name = names[slug]
        add(slug, f"{site}: {name}", f"Stories about {name}.", selected, "topic", config.max_items)
    for spec in config.extra_feeds:
        selected = [s for s in ordered if matches(spec, s)]
        description = spec.description or f"{spec.title}, from {site}."
        add(spec.slug, spec.title, description, selected, "custom", spec.max_items or config.max_items)
    return [feeds[slug] for slug in sorted(feeds)]
