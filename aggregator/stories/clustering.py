"""Grouping members into stories: union-find over shared URLs, `related` entries and headlines.

A story is a cluster of coverage of one event. Members are keyed by canonical URL, so
two files for one article, or a `related` entry that also exists as its own file, are
one member. Clusters form by union-find over three kinds of evidence, each recorded as
the member's `reason`: the same canonical URL (`url`), a declared `related` entry
(`related`), and near-identical headlines within a time window (`headline`), guarded
against chaining.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aggregator.config import StoryOptions
from aggregator.model import Article, Cluster, Member, RelatedItem
from aggregator.stories.candidates import (
    DatedWords,
    Headline,
    HeadlineMatcher,
    MatcherFactory,
    PrefixPostings,
)
from aggregator.stories.copies import in_publishing_order
from aggregator.stories.headlines import significant_words

WordsOf = Callable[[str], frozenset[str]]  # a headline's significant words


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


_NO_DATE = dt.datetime.max.replace(tzinfo=dt.UTC)
_NO_WORDS: frozenset[str] = frozenset()


def sort_key_date(value: dt.datetime | None) -> dt.datetime:
    """Dated members first, oldest first; undated ones last."""
    return _NO_DATE if value is None else value


def index_articles(
    articles: Iterable[Article],
) -> tuple[list[Article], dict[str, list[Article]], dict[str, tuple[Article, int]]]:
    """Published files by path, files by canonical URL, and where each related-only member
    is described.

    A member that exists as its own file is described by that file: of two or more
    files with one link, by the copy `in_publishing_order` puts first, and the others
    count for nothing else. One known only from `related` entries is described by the
    first published file (by path) that names it.
    """
    by_canonical: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_canonical[article.canonical].append(article)
    for canonical, copies in by_canonical.items():
        if len(copies) > 1:
            by_canonical[canonical] = in_publishing_order(copies)
    files = sorted((copies[0] for copies in by_canonical.values()), key=lambda a: a.path)
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


@dataclass
class HeadlineTrace:
    """What headline matching did, kept only when asked (`aggregator explain`).

    Keys are (later member, earlier member) canonical URLs, as the pair was tried.
    """

    joined: dict[tuple[str, str], float] = field(default_factory=dict)  # -> similarity
    refused: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)  # -> guard


def group_members(
    articles: Iterable[Article],
    options: StoryOptions,
    words: WordsOf = significant_words,
    trace: HeadlineTrace | None = None,
    matcher: MatcherFactory | None = None,
) -> Grouping:
    """Group published articles' members (drafts must already be left out) into stories.

    The result for each connected group of evidence depends only on that group, so a
    rebuild that re-clusters just the groups a change touched gets what a full
    rebuild would.
    """
    files, by_canonical, related_info = index_articles(articles)
    # Every member's headline, and the search among them started, before the union-find:
    # a matcher may search elsewhere meanwhile (`helper`).
    headlines = [member_headline(key, by_canonical, related_info) for key in (*by_canonical, *related_info)]
    search = None
    if options.headline_matching:
        dated = sorted(
            Headline(published, key, title, is_file)
            for key, title, published, is_file in headlines
            if published
        )
        words_of_dated = DatedWords({h.canonical: h.title for h in dated}, words)
        search = (matcher or PrefixPostings.factory(options))(dated, words_of_dated)

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

    if search is not None:
        _merge_headlines(uf, dated, words_of_dated, search, reason, options, trace)

    # Members ordered by date then URL (as `order_members` orders them): the first is the
    # story's anchor, and stories are ordered by their anchors.
    keyed: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for key, _title, published, _is_file in headlines:
        keyed[uf.find(key)].append((sort_key_date(published), key))
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
    articles = tuple(by_canonical[k][0] for k in keys if k in by_canonical)  # published copies only
    return Cluster(members=tuple(members), articles=articles)


def cluster_articles(
    articles: Iterable[Article],
    options: StoryOptions,
    words: WordsOf = significant_words,
    matcher: MatcherFactory | None = None,
) -> list[Cluster]:
    """Every story's members and files, in story order (see `group_members`); `words`
    finds a headline's significant words (a build passes its `HeadlineWords` memo), and
    `matcher` the earlier headlines that match each (in memory unless given)."""
    grouping = group_members(articles, options, words, matcher=matcher)
    return [describe_group(grouping, keys) for keys in grouping.groups]


def order_members(members: Iterable[Member]) -> tuple[Member, ...]:
    return tuple(sorted(members, key=lambda m: (sort_key_date(m.published), m.canonical)))


def member_headline(
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
        body = source.body
    else:
        article, index = related_info[key]
        source = article.related[index]
        paths = ()
        default_reason, default_via = "related", article.path
        body = ""
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
        body=body,
    )


def _merge_headlines(
    uf: _UnionFind,
    dated: Sequence[Headline],
    words: Mapping[str, frozenset[str]],
    search: HeadlineMatcher,
    reason: dict[str, tuple[str, str]],
    options: StoryOptions,
    trace: HeadlineTrace | None = None,
) -> None:
    """Join near-identical headlines published within the window of each other.

    Members are visited by date; each is compared with the earlier ones inside the
    window that pass `headlines_match` (found by `search`, see `candidates`), best
    match first.

    Chaining guard: an edge merges two clusters only if the joining headline also
    shares `headline_min_shared` significant words with the anchor of the cluster it
    joins (its earliest headline of its own files: `related` entries may word the story
    differently), and the merged cluster stays within `max_cluster_size`.
    """
    anchors: dict[str, Headline] = {}
    for member in dated:
        if member.is_file:  # every story has a file; `related` wording may differ from it
            anchors.setdefault(uf.find(member.canonical), member)
    visit = search.visit
    ahead = getattr(search, "searched_ahead", False)  # then its answers need no words
    for member in dated:
        best = visit(member, _NO_WORDS if ahead else words[member.canonical])
        if best:
            for neg, _key, other in sorted(best, key=lambda item: (item[0], item[1])):
                refused = _try_join(uf, member, other, words, anchors, reason, options)
                if trace is not None:
                    pair = (member.canonical, other.canonical)
                    if refused is None:
                        trace.joined[pair] = -neg
                    elif refused:
                        trace.refused[pair] = refused


def _try_join(
    uf: _UnionFind,
    member: Headline,
    other: Headline,
    words: Mapping[str, frozenset[str]],
    anchors: dict[str, Headline],
    reason: dict[str, tuple[str, str]],
    options: StoryOptions,
) -> dict[str, object] | None:
    """Join two matching headlines' clusters unless a guard refuses: None if joined,
    the guard that refused (empty if they were already one cluster)."""
    root_m, root_o = uf.find(member.canonical), uf.find(other.canonical)
    if root_m == root_o:
        return {}
    size = uf.size[root_m] + uf.size[root_o]
    if size > options.max_cluster_size:
        return {"guard": "size_cap", "size": size, "max": options.max_cluster_size}
    anchor_o, anchor_m = anchors[root_o], anchors[root_m]
    mine = words[member.canonical]
    minimum = options.headline_min_shared
    if len(mine & words[anchor_o.canonical]) < minimum:
        return _anchor_refusal(member, anchor_o, mine & words[anchor_o.canonical], minimum)
    if len(words[other.canonical] & words[anchor_m.canonical]) < minimum:
        return _anchor_refusal(other, anchor_m, words[other.canonical] & words[anchor_m.canonical], minimum)
    merged = uf.union(root_m, root_o)
    anchors[merged] = min(anchor_o, anchor_m, key=lambda m: (m.published, m.canonical))
    if reason.get(member.canonical, ("file", ""))[0] == "file":
        reason[member.canonical] = ("headline", other.canonical)
    return None


def _anchor_refusal(
    joining: Headline, anchor: Headline, shared: frozenset[str], minimum: int
) -> dict[str, object]:
    return {
        "guard": "anchor",
        "member": joining.canonical,
        "anchor": anchor.canonical,
        "shared": sorted(shared),
        "needed": minimum,
    }


# --- stories --------------------------------------------------------------------------
