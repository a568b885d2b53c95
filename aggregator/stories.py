"""Merging related articles into stories, and giving each story a lasting id.

A story is a cluster of coverage of one event. Members are keyed by canonical URL, so
two files for one article, or a `related` entry that also exists as its own file, are
one member. Clusters form by union-find over three kinds of evidence, each recorded as
the member's `reason`: the same canonical URL (`url`), a declared `related` entry
(`related`), and near-identical headlines within a time window (`headline`), guarded
against chaining.

Everything here is pure: articles and the previous id table in, stories out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import re
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .articles import Article, Image, Provider, RelatedItem, Topic
from .config import StoryOptions

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# An ASCII headline's words, less those of one letter (a single digit counts).
_ASCII_SIGNIFICANT = re.compile(r"[a-z0-9]{2,}|[0-9]")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "new",
        "of",
        "on",
        "or",
        "over",
        "says",
        "say",
        "said",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "up",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "after",
        "about",
        "amid",
        "more",
        "most",
        "than",
        "your",
        "you",
        "our",
        "we",
        "they",
        "he",
        "she",
        "his",
        "her",
        "them",
        "not",
        "no",
        "just",
        "can",
        "could",
        "would",
        "should",
        "may",
        "might",
        "now",
        "out",
        "off",
        "via",
        "vs",
    ]
)
_STORY_NAMESPACE = uuid.UUID("6f1d3b8e-4c52-5a8e-9b77-2a4d1c0e9f31")


@dataclass(slots=True, unsafe_hash=True)
class Member:
    """One piece of coverage in a story: a file, a `related` entry, or both."""

    canonical: str
    url: str
    title: str
    excerpt: str
    provider: Provider
    published: dt.datetime | None
    quality: int | None
    heat: int | None
    image: Image | None
    paths: tuple[str, ...]  # content files holding this article; empty if known only from `related`
    reason: str  # why it joined: "file", "url", "related" or "headline"
    via: str  # the file or member that brought it in


@dataclass(unsafe_hash=True)
class Story:
    id: str
    primary: Member
    members: tuple[Member, ...]  # primary first, then the rest by date and URL
    topics: tuple[Topic, ...]
    categories: tuple[str, ...]
    published: dt.datetime
    updated: dt.datetime
    fingerprint: str

    @property
    def others(self) -> tuple[Member, ...]:
        return self.members[1:]

    @property
    def file_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.paths)


@dataclass(unsafe_hash=True)
class StoryRecord:
    """What the state store remembers of a story between builds."""

    id: str
    first_seen: dt.datetime
    fingerprint: str
    changed_at: dt.datetime | None


@dataclass(unsafe_hash=True)
class Cluster:
    """A story before it has an id."""

    members: tuple[Member, ...]
    articles: tuple[Article, ...]  # the file members' articles (what a story takes from them needs no order)


# --- clustering -----------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key not in self.parent:
            self.parent[key] = key
            self.size[key] = 1

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: str, b: str) -> bool:
        """Union; True if the two were apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self._link(ra, rb)
        return True

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        return ra if ra == rb else self._link(ra, rb)

    def _link(self, ra: str, rb: str) -> str:
        if (self.size[ra], rb) < (self.size[rb], ra):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


def significant_words(title: str) -> frozenset[str]:
    """The words that carry a headline's meaning, for near-duplicate detection.

    Remembered (a build asks for each title more than once), up to a bound."""
    words = _WORDS.get(title)
    if words is None:
        words = _find_significant_words(title)
        _remember(title, words)
    return words


def headline_words_text(title: str, *, remember: bool = True) -> str:
    """A headline's significant words, sorted and space-separated: as stored, and as a
    parse worker sends them along with an article (without remembering them: a
    worker's memo would only grow)."""
    return " ".join(sorted(significant_words(title) if remember else _find_significant_words(title)))


def remember_headline_words(title: str, text: str) -> None:
    """Take a title's words as a parse worker found them (`headline_words_text`): on a
    cold build, the workers' spare share of the second core does this work."""
    if title not in _WORDS:
        _remember(title, frozenset(text.split()))


_WORDS: dict[str, frozenset[str]] = {}
_WORDS_LIMIT = 1 << 18


def _remember(title: str, words: frozenset[str]) -> None:
    if len(_WORDS) >= _WORDS_LIMIT:
        _WORDS.clear()
    _WORDS[title] = words


def _find_significant_words(title: str) -> frozenset[str]:
    if title.isascii():  # most are: there casefold is lower, a word is [a-z0-9]+
        return frozenset(_ASCII_SIGNIFICANT.findall(title.lower())).difference(STOPWORDS)
    words = set(_WORD.findall(title.casefold()))
    words -= STOPWORDS
    return frozenset([w for w in words if len(w) > 1 or w.isdigit()])


_NO_DATE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _sort_key_date(value: dt.datetime | None) -> dt.datetime:
    """Dated members first, oldest first; undated ones last."""
    return _NO_DATE if value is None else value


def index_articles(
    articles: Iterable[Article],
) -> tuple[list[Article], dict[str, list[Article]], dict[str, tuple[Article, int]]]:
    """Files by path, files by canonical URL, and where each related-only member is described.

    A member that exists as its own file is described by that file; one known only from
    `related` entries is described by the first file (by path) that names it.
    """
    files = sorted(articles, key=lambda a: a.path)
    by_canonical: dict[str, list[Article]] = defaultdict(list)
    for article in files:
        by_canonical[article.canonical].append(article)
    related_info: dict[str, tuple[Article, int]] = {}
    for article in files:
        for index, item in enumerate(article.related):
            if item.canonical not in by_canonical and item.canonical not in related_info:
                related_info[item.canonical] = (article, index)
    return files, by_canonical, related_info


@dataclass(frozen=True)
class Grouping:
    """Which members make each story, before any member is described.

    The part of clustering that needs every article (union-find over all evidence);
    describing a group (`describe_group`) then needs that group alone.
    """

    groups: list[list[str]]  # member keys per story in member order (anchor first); in story order
    by_canonical: dict[str, list[Article]]
    related_info: dict[str, tuple[Article, int]]
    reason: dict[str, tuple[str, str]]


def group_members(articles: Iterable[Article], options: StoryOptions) -> Grouping:
    """Group published articles' members (drafts must already be left out) into stories.

    The result for each connected group of evidence depends only on that group, so a
    rebuild that re-clusters just the groups a change touched gets what a full
    rebuild would.
    """
    files, by_canonical, related_info = index_articles(articles)

    uf = _UnionFind()
    reason: dict[str, tuple[str, str]] = {}
    for canonical, group in by_canonical.items():
        uf.add(canonical)
        reason[canonical] = ("url", group[1].path) if len(group) > 1 else ("file", group[0].path)
    for article in files:
        for item in article.related:
            uf.add(item.canonical)
            if item.canonical == article.canonical:
                continue
            if uf.join(item.canonical, article.canonical):
                reason.setdefault(item.canonical, ("related", article.path))
            if reason[item.canonical][0] == "file":
                reason[item.canonical] = ("related", article.path)

    headlines = [_headline(key, by_canonical, related_info) for key in uf.parent]
    if options.headline_matching:
        _merge_headlines(uf, headlines, reason, options)

    # Members ordered by date then URL (as `order_members` orders them): the first is the
    # story's anchor, and stories are ordered by their anchors.
    keyed: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for key, _title, published, _is_file in headlines:
        keyed[uf.find(key)].append((_sort_key_date(published), key))
    ordered = sorted(
        sorted(members)
        for members in keyed.values()
        if any(key in by_canonical for _date, key in members)  # a group needs a file
    )
    groups = [[key for _date, key in members] for members in ordered]
    return Grouping(groups, by_canonical, related_info, reason)


def describe_group(grouping: Grouping, keys: Sequence[str]) -> Cluster:
    """The cluster of one group's keys, already in member order."""
    by_canonical, related_info, reason = grouping.by_canonical, grouping.related_info, grouping.reason
    members = [describe_member(k, by_canonical, related_info, *reason.get(k, ("related", ""))) for k in keys]
    articles = tuple(a for k in keys for a in by_canonical.get(k, ()))
    return Cluster(members=tuple(members), articles=articles)


def cluster_articles(articles: Iterable[Article], options: StoryOptions) -> list[Cluster]:
    """Every story's members and files, in story order (see `group_members`)."""
    grouping = group_members(articles, options)
    return [describe_group(grouping, keys) for keys in grouping.groups]


def order_members(members: Iterable[Member]) -> tuple[Member, ...]:
    return tuple(sorted(members, key=lambda m: (_sort_key_date(m.published), m.canonical)))


def _headline(
    key: str, by_canonical: Mapping[str, list[Article]], related_info: Mapping[str, tuple[Article, int]]
) -> tuple[str, str, dt.datetime | None, bool]:
    """(canonical, title, date, is a file) of a member, as `describe_member` would give them."""
    if key in by_canonical:
        article = by_canonical[key][0]
        return key, article.title, article.published, True
    source, index = related_info[key]
    item = source.related[index]
    return key, item.title, item.published, False


def describe_member(
    key: str,
    by_canonical: Mapping[str, list[Article]],
    related_info: Mapping[str, tuple[Article, int]],
    reason: str | None = None,
    via: str | None = None,
) -> Member:
    """A member as its own file describes it, or else as the first `related` entry does."""
    source: Article | RelatedItem
    if key in by_canonical:
        source = by_canonical[key][0]
        paths = tuple(a.path for a in by_canonical[key])
        default_reason, default_via = "file", ""
    else:
        article, index = related_info[key]
        source = article.related[index]
        paths = ()
        default_reason, default_via = "related", article.path
    return Member(
        canonical=key,
        url=source.url,
        title=source.title,
        excerpt=source.excerpt,
        provider=source.provider,
        published=source.published,
        quality=source.quality,
        heat=source.heat,
        image=source.image,
        paths=paths,
        reason=reason or default_reason,
        via=default_via if via is None else via,
    )


def headlines_match(
    words_a: frozenset[str],
    words_b: frozenset[str],
    published_a: dt.datetime | None,
    published_b: dt.datetime | None,
    options: StoryOptions,
) -> bool:
    """Whether two headlines are close enough in words and time to be one story."""
    if published_a is None or published_b is None:
        return False
    if abs(published_a - published_b) > dt.timedelta(hours=options.headline_window_hours):
        return False
    shared = len(words_a & words_b)
    if shared < options.headline_min_shared:
        return False
    return shared / len(words_a | words_b) >= options.headline_threshold


def _required_overlap(size: int, options: StoryOptions) -> int:
    """Fewest shared words a headline of `size` words needs to match any other."""
    return max(options.headline_min_shared, math.ceil(options.headline_threshold * size - 1e-9))


class _Headline(NamedTuple):
    # Date first: headlines sort by date, then by URL (unique), as plain tuples.
    published: dt.datetime
    canonical: str
    title: str
    is_file: bool


def _merge_headlines(
    uf: _UnionFind,
    headlines: Iterable[tuple[str, str, dt.datetime | None, bool]],
    reason: dict[str, tuple[str, str]],
    options: StoryOptions,
) -> None:
    """Join near-identical headlines published within the window of each other.

    Members are visited by date; each is compared with the earlier ones inside the
    window that pass `headlines_match`, best match first. Candidates come from prefix
    filtering: with words ordered rarest first, two headlines sharing at least k words
    share one among each other's first `len - k + 1` words, so only those are indexed.

    Chaining guard: an edge merges two clusters only if the joining headline also
    shares `headline_min_shared` significant words with the anchor of the cluster it
    joins (its earliest headline of its own files: `related` entries may word the story
    differently), and the merged cluster stays within `max_cluster_size`.
    """
    window = dt.timedelta(hours=options.headline_window_hours)
    dated = sorted(
        _Headline(published, key, title, is_file) for key, title, published, is_file in headlines if published
    )
    words = {h.canonical: significant_words(h.title) for h in dated}
    frequency: Counter[str] = Counter(itertools.chain.from_iterable(words.values()))
    # Rarest first, ties by the word itself: one total order for every headline.
    rank = {w: i for i, w in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}
    anchors: dict[str, _Headline] = {}
    for member in dated:
        if member.is_file:  # every story has a file; `related` wording may differ from it
            anchors.setdefault(uf.find(member.canonical), member)
    # Postings hold (date, key, words, headline), so the inner loop reads no other table.
    postings: dict[str, deque[tuple[dt.datetime, str, frozenset[str], _Headline]]] = defaultdict(deque)
    minimum, threshold = options.headline_min_shared, options.headline_threshold
    prefix_length = {n: n - _required_overlap(n, options) + 1 for n in {len(w) for w in words.values()}}
    by_rank = rank.__getitem__
    for member in dated:
        mine = words[member.canonical]
        size = len(mine)
        if size < minimum:
            continue  # too short to match anything
        assert member.published is not None
        oldest = member.published - window
        entry = (member.published, member.canonical, mine, member)
        seen: set[str] = set()
        best: list[tuple[float, str, _Headline]] = []
        for word in sorted(mine, key=by_rank)[: prefix_length[size]]:
            posting = postings[word]
            while posting and posting[0][0] < oldest:
                posting.popleft()
            for _published, key, theirs, other in posting:
                if key in seen:
                    continue
                seen.add(key)
                # headlines_match, inlined: the window is already ensured by the postings.
                shared = len(mine & theirs)
                if shared >= minimum:
                    similarity = shared / (size + len(theirs) - shared)
                    if similarity >= threshold:
                        best.append((-similarity, key, other))
            posting.append(entry)
        if best:
            for _neg, _key, other in sorted(best, key=lambda item: (item[0], item[1])):
                _try_join(uf, member, other, words, anchors, reason, options)


def _try_join(
    uf: _UnionFind,
    member: _Headline,
    other: _Headline,
    words: Mapping[str, frozenset[str]],
    anchors: dict[str, _Headline],
    reason: dict[str, tuple[str, str]],
    options: StoryOptions,
) -> None:
    root_m, root_o = uf.find(member.canonical), uf.find(other.canonical)
    if root_m == root_o:
        return
    if uf.size[root_m] + uf.size[root_o] > options.max_cluster_size:
        return
    anchor_o, anchor_m = anchors[root_o], anchors[root_m]
    mine = words[member.canonical]
    if len(mine & words[anchor_o.canonical]) < options.headline_min_shared:
        return
    if len(words[other.canonical] & words[anchor_m.canonical]) < options.headline_min_shared:
        return
    merged = uf.union(root_m, root_o)
    anchors[merged] = min(anchor_o, anchor_m, key=lambda m: (m.published, m.canonical))
    if reason.get(member.canonical, ("file", ""))[0] == "file":
        reason[member.canonical] = ("headline", other.canonical)


# --- stories --------------------------------------------------------------------------


def choose_primary(members: Sequence[Member]) -> Member:
    """Highest quality, then heat, then earliest, then URL (so the choice is stable)."""
    return min(
        members,
        key=lambda m: (
            -(m.quality if m.quality is not None else -1),
            -(m.heat if m.heat is not None else -1),
            _sort_key_date(m.published),
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
    topic_names: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for topic in article.topics:
            topic_names[topic.slug].append(topic.name)
    topics = tuple(Topic(name=min(names), slug=slug) for slug, names in sorted(topic_names.items()))
    categories = tuple(sorted({a.category for a in articles if a.category}))
    published = ordered_members[0].published  # the oldest: undated members come last
    assert published is not None  # every story has a file, and every file is dated
    dates = [m.published for m in members if m.published is not None]
    dates += [a.updated for a in articles if a.updated is not None]
    newest_real = max(dates)
    fingerprint = _fingerprint(primary, others, topics)

    first_seen = old.first_seen if old else now
    changed_at = old.changed_at if old else None
    if old is not None and old.fingerprint != fingerprint:
        changed_at = now
    updated = max(newest_real, changed_at) if changed_at else newest_real
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
