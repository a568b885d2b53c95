"""A story's primary member, its lasting id, and when readers should see it as updated.

Readers key unread state on the id, so it is assigned once and kept: it survives a
change of primary, new members joining and rebuilds; when stories merge the older id
wins; a lost state store gives back the same ids, since they derive from content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from aggregator.model import Article, Cluster, Member, Story, StoryRecord, Topic
from aggregator.stories.clustering import sort_key_date

_TOPIC_NAME = operator.attrgetter("name")
_STORY_NAMESPACE = uuid.UUID("6f1d3b8e-4c52-5a8e-9b77-2a4d1c0e9f31")


def choose_primary(members: Sequence[Member]) -> Member:
    """Highest quality, then heat, then earliest, then URL (so the choice is stable)."""
    return min(
        members,
        key=lambda m: (
            -(m.quality if m.quality is not None else -1),
            -(m.heat if m.heat is not None else -1),
            sort_key_date(m.published),
            m.canonical,
        ),
    )


def derived_story_id(anchor_canonical: str, attempt: int = 0) -> str:
    """A story id from its earliest member's URL, so a lost state store gives it back."""
    name = anchor_canonical if attempt == 0 else f"{anchor_canonical}#{attempt}"
    return f"urn:uuid:{uuid.uuid5(_STORY_NAMESPACE, name)}"


def _fingerprint(primary: Member, members: Sequence[Member], topics: Sequence[Topic]) -> str:
    """What readers see of a story, hashed: a change moves the story's `updated`."""
    parts: list[str] = []
    for member in (primary, *members):
        parts += (
            member.canonical,
            member.url,
            member.title,
            member.excerpt,
            member.provider.name,
            member.published.isoformat() if member.published else "",
            member.image.url if member.image else "",
            "\x1e",
        )
    for topic in topics:
        parts += (topic.slug, topic.name)
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def story_ids(
    groups: Sequence[Sequence[str]],
    previous_members: Mapping[str, str],
    previous: Mapping[str, StoryRecord],
    taken_elsewhere: Callable[[str], bool] = lambda story_id: False,
) -> list[str]:
    """The lasting id of each group of member keys (anchor first, groups in story order).

    `previous_members` maps canonical URL -> story id from the last build. A group
    keeps the id most of its members had (the oldest, when stories merged); a group
    split off an old story, or never seen, gets an id derived from its anchor.
    `taken_elsewhere` tells whether an id belongs to a story outside these groups.
    """
    claims: dict[str, list[tuple[int, int]]] = defaultdict(list)  # old id -> (members, group index)
    for index, keys in enumerate(groups):
        counts: dict[str, int] = defaultdict(int)
        for key in keys:
            old = previous_members.get(key)
            if old is not None and old in previous:
                counts[old] += 1
        for old, count in counts.items():
            claims[old].append((count, index))

    # Each old id goes to the group holding most of its members (earliest group on ties).
    winner_of: dict[str, int] = {old: min(c, key=lambda ci: (-ci[0], ci[1]))[1] for old, c in claims.items()}
    won: dict[int, list[str]] = defaultdict(list)
    for old, winner in winner_of.items():
        won[winner].append(old)
    chosen = {index: min(ids, key=lambda old: (previous[old].first_seen, old)) for index, ids in won.items()}

    used = set(chosen.values())
    ids: list[str] = []
    for index, keys in enumerate(groups):
        story_id = chosen.get(index)
        if story_id is None:
            attempt = 0
            while (story_id := derived_story_id(keys[0], attempt)) in used or (
                story_id not in previous and taken_elsewhere(story_id)
            ):
                attempt += 1
            used.add(story_id)
        ids.append(story_id)
    return ids


def assign_ids(
    clusters: Sequence[Cluster],
    previous_members: Mapping[str, str],
    previous: Mapping[str, StoryRecord],
    now: dt.datetime,
    taken_elsewhere: Callable[[str], bool] = lambda story_id: False,
) -> tuple[list[Story], dict[str, StoryRecord]]:
    """Each cluster's story under its lasting id (`story_ids`), with its `updated`."""
    groups = [[m.canonical for m in cluster.members] for cluster in clusters]
    stories: list[Story] = []
    records: dict[str, StoryRecord] = {}
    for story_id, cluster in zip(
        story_ids(groups, previous_members, previous, taken_elsewhere), clusters, strict=True
    ):
        story, record = build_story(story_id, cluster.members, cluster.articles, previous.get(story_id), now)
        stories.append(story)
        records[story_id] = record
    return stories, records


def build_story(
    story_id: str,
    ordered_members: Sequence[Member],
    articles: Sequence[Article],
    old: StoryRecord | None,
    now: dt.datetime,
) -> tuple[Story, StoryRecord]:
    """The story of these members (in member order, as `order_members` gives them);
    `updated` moves only when its content changed."""
    primary = choose_primary(ordered_members)
    others = tuple(m for m in ordered_members if m is not primary)
    members = (primary, *others)
    spellings: dict[str, list[Topic]] = defaultdict(list)
    for article in articles:
        for topic in article.topics:
            spellings[topic.slug].append(topic)
    # Each slug under its first spelling in sort order; the articles' own objects, shared
    # by the decoder, rather than one new one a story.
    topics = tuple(min(found, key=_TOPIC_NAME) for _slug, found in sorted(spellings.items()))
    categories = tuple(sorted({a.category for a in articles if a.category}))
    published = ordered_members[0].published  # the oldest: undated members come last
    assert published is not None  # every story has a file, and every file is dated
    dates = [m.published for m in members if m.published is not None]
    dates += [a.updated for a in articles if a.updated is not None]
    newest_real = max(dates)
    fingerprint = _fingerprint(primary, others, topics)

    # Every published date is in whole seconds, a build's clock too (and so what is stored).
    moment = now.replace(microsecond=0)
    first_seen = old.first_seen if old else moment
    changed_at = old.changed_at if old else None
    if old is not None and old.fingerprint != fingerprint:
        changed_at = moment
    updated = max(newest_real, changed_at) if changed_at else newest_real
    updated = updated.replace(microsecond=0)  # also for a store written before this rule
    story = Story(
        id=story_id,
        primary=primary,
        members=members,
        topics=topics,
        categories=categories,
        published=published,
        updated=updated,
        fingerprint=fingerprint,
    )
    return story, StoryRecord(
        id=story_id, first_seen=first_seen, fingerprint=fingerprint, changed_at=changed_at
    )
