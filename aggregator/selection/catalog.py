"""Which feeds exist and which stories each one holds.

One feed per topic, the `all` feed, and the feeds defined in the config. A story is in
every feed one of its topics (or filters) selects; each feed is newest first and capped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aggregator.config import Config, FeedSpec
from aggregator.model import Story, iso_z
from aggregator.names import most_used_spellings

ALL_SLUG = "all"


@dataclass(frozen=True)
class FeedInfo:
    """A feed without its entries: what the index page and OPML list need."""

    slug: str
    title: str
    description: str
    kind: str  # "all", "topic" or "custom"
    cap: int
    total: int = 0  # stories it holds before the cap
    newest: dt.datetime | None = None  # its newest entry's `updated`
    name: str = ""  # what a page calls it: the topic's name, the feed's title, "All stories"


@dataclass(frozen=True)
class Feed:
    info: FeedInfo
    stories: tuple[Story, ...]  # newest first, capped

    @property
    def slug(self) -> str:
        return self.info.slug

    @property
    def title(self) -> str:
        return self.info.title

    @property
    def description(self) -> str:
        return self.info.description

    @property
    def total(self) -> int:
        return self.info.total


def sort_key(story: Story) -> str:
    """Feed order as one string: newest `updated` first, then `published`, then id."""
    return f"{iso_z(story.updated)}|{iso_z(story.published)}|{story.id}"


def updated_from_sort_key(key: str) -> dt.datetime:
    return dt.datetime.strptime(key[:20], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def newest_first(stories: Sequence[Story]) -> list[Story]:
    return sorted(stories, key=sort_key, reverse=True)


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


def reserved_slugs(config: Config) -> set[str]:
    """Slugs a topic cannot take: `all` and the configured feeds own them."""
    return {ALL_SLUG, *(spec.slug for spec in config.extra_feeds)}


def feeds_of(story: Story, config: Config) -> list[str]:
    """Every feed slug that holds this story."""
    reserved = reserved_slugs(config)
    slugs = [ALL_SLUG]
    slugs += [t.slug for t in story.topics if t.slug not in reserved]
    slugs += [spec.slug for spec in config.extra_feeds if matches(spec, story)]
    return slugs


def topic_spellings(story: Story) -> tuple[tuple[str, str], ...]:
    return tuple([(t.slug, t.name) for t in story.topics])


def feed_cap(spec: FeedSpec, config: Config) -> int:
    """How many entries a configured feed holds: its own `max_items`, else `feeds.max_items`."""
    return spec.max_items or config.max_items


def feed_infos(
    config: Config,
    topic_slugs: Sequence[str],
    names: Mapping[str, str],
    totals: Mapping[str, tuple[int, dt.datetime | None]],
) -> list[FeedInfo]:
    """Every feed that exists, sorted by slug: `all`, configured ones, topics with stories."""
    site = config.site_title
    infos = [
        FeedInfo(
            ALL_SLUG,
            f"{site}: all stories",
            config.site_description,
            "all",
            config.max_items,
            name="All stories",
        )
    ]
    reserved = reserved_slugs(config)
    for slug in topic_slugs:
        if slug not in reserved:
            name = names.get(slug, slug)
            infos.append(
                FeedInfo(
                    slug, f"{site}: {name}", f"Stories about {name}.", "topic", config.max_items, name=name
                )
            )
    for spec in config.extra_feeds:
        description = spec.description or f"{spec.title}, from {site}."
        infos.append(
            FeedInfo(spec.slug, spec.title, description, "custom", feed_cap(spec, config), name=spec.title)
        )
    result = []
    for info in sorted(infos, key=lambda i: i.slug):
        total, newest = totals.get(info.slug, (0, None))
        result.append(dataclasses.replace(info, total=total, newest=newest))
    return result


def build_catalog(stories: Sequence[Story], config: Config) -> list[Feed]:
    """Every feed with its capped, ordered stories, all in memory (for previews)."""
    ordered = newest_first(stories)
    counts: Counter[tuple[str, str]] = Counter()
    members: dict[str, list[Story]] = defaultdict(list)
    for story in ordered:
        for slug, name in topic_spellings(story):
            counts[slug, name] += 1
        for slug in feeds_of(story, config):
            members[slug].append(story)
    totals = {slug: (len(held), held[0].updated) for slug, held in members.items()}
    topics = sorted({t.slug for s in ordered for t in s.topics})
    infos = feed_infos(
        config,
        topics,
        most_used_spellings((slug, name, uses) for (slug, name), uses in counts.items()),
        totals,
    )
    return [Feed(info, tuple(members.get(info.slug, [])[: info.cap])) for info in infos]
