"""Keeping the state store's stories and feed memberships up to date with the content.

Two ways to get there, with the same result:
- `apply_full`: every visible article clustered in memory, every table rewritten;
- `apply_incremental`: only the *neighbourhood* of the changed files is re-clustered.
  The neighbourhood is every member reachable from a changed file through shared URLs,
  `related` entries, old story membership, or a possible headline match, before or
  after the change. Clustering is decided within such connected groups alone, so
  re-clustering the whole neighbourhood gives what a full rebuild would.
Both return which feeds need rendering again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .articles import Article, as_of
from .catalog import feeds_of, most_used, sort_key, topic_spellings
from .config import Config
from .store import NodeRow, StateStore, story_row
from .stories import (
    Story,
    assign_ids,
    build_story,
    cluster_articles,
    describe_member,
    headline_words_text,
    headlines_match,
    index_articles,
    order_members,
    significant_words,
)

# Beyond this many members, re-clustering everything is cheaper than walking the graph.
NEIGHBOURHOOD_LIMIT = 20_000


@dataclass
class Snapshot:
    """What rendering needs, straight from a full pass: the same answers the store's
    tables give once written, without reading them back (or waiting for their indexes)."""

    stories: dict[str, Story]
    feed_rows: list[tuple[str, str, str]]  # (slug, sort key, story id), sorted
    spellings: dict[tuple[str, str], int]  # (topic slug, name) -> stories using it
    _by_slug: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        """slug -> (number of stories, newest sort key), as `StateStore.feed_totals`."""
        totals: dict[str, tuple[int, str]] = {}
        for slug, key, _story_id in self.feed_rows:  # sorted, so the last key is the newest
            count = totals[slug][0] if slug in totals else 0
            totals[slug] = (count + 1, key)
        return totals

    def feed_top(self, slug: str, limit: int) -> list[str]:
        """The feed's newest `limit` story ids, as `StateStore.feed_top`."""
        if not self._by_slug:
            for row_slug, _key, story_id in self.feed_rows:  # oldest first within a slug
                self._by_slug.setdefault(row_slug, []).append(story_id)
        return self._by_slug.get(slug, [])[: -limit - 1 : -1] if limit > 0 else []

    def stories_of(self, ids: Sequence[str]) -> dict[str, Story]:
        return {story_id: self.stories[story_id] for story_id in ids}

    def topic_names(self) -> dict[str, str]:
        """slug -> its most used spelling (ties: alphabetical), as `StateStore.topic_names`."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for (slug, name), uses in self.spellings.items():
            if uses > 0:
                counts[slug][name] = uses
        return most_used(counts)


class StoredFeeds:
    """The same questions as `Snapshot`, answered from the store's tables (after an
    incremental pass, which holds only the stories it touched)."""

    def __init__(self, store: StateStore, now: dt.datetime, decode: Callable[[str], Article]) -> None:
        self.store, self.now, self.decode = store, now, decode
        self.feed_totals = store.feed_totals
        self.feed_top = store.feed_top
        self.topic_names = store.topic_names

    def stories_of(self, ids: Sequence[str]) -> dict[str, Story]:
        return load_stories(self.store, ids, self.now, self.decode)


@dataclass
class Outcome:
    feeds_to_render: set[str] = field(default_factory=set)
    render_all: bool = False
    snapshot: Snapshot | None = None  # set by a full pass


def links_of(article: Article) -> set[str]:
    return {article.canonical, *(r.canonical for r in article.related)}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _epoch(moment: dt.datetime | None) -> int | None:
    return (moment - _EPOCH) // _SECOND if moment else None


_SECOND = dt.timedelta(seconds=1)


def _node_rows(stories: Iterable[Story]) -> list[NodeRow]:
    rows = [
        NodeRow(
            m.canonical,
            s.id,
            m.reason,
            m.via,
            _epoch(m.published),
            headline_words_text(m.title),
        )
        for s in stories
        for m in s.members
    ]
    rows.sort()  # primary-key order (canonical URLs are unique): the fastest way into SQLite
    return rows


def _feed_rows(stories: Iterable[Story], config: Config) -> list[tuple[str, str, str]]:
    rows = []
    for story in stories:
        key = sort_key(story)
        rows += [(slug, key, story.id) for slug in feeds_of(story, config)]
    rows.sort()
    return rows


def apply_full(store: StateStore, config: Config, articles: Sequence[Article], now: dt.datetime) -> Outcome:
    """Re-cluster everything and rewrite every derived table (ids keep their history).

    Most rows and every index go in on the store's helper thread (`StateStore.load_rows`,
    `settle` waits for them): the links and the `files` indexes while clustering runs,
    the rest while the feeds are rendered from the returned snapshot.
    """
    previous_members = store.memberships()
    previous = store.story_records()
    with store.bulk_load():
        store.restore_file_indexes()
        store.load_rows("links", sorted((a.path, c) for a in articles for c in links_of(a)))
        clusters = cluster_articles(articles, config.stories)
        stories, records = assign_ids(clusters, previous_members, previous, now)
        store.settle()  # long done: clustering takes longer than the links
        store.delete_stories(set(previous) - set(records))
        store.load_rows("nodes", _node_rows(stories))
        feed_rows = _feed_rows(stories, config)
        store.load_rows("feed_entries", feed_rows)
        spellings: dict[tuple[str, str], int] = defaultdict(int)
        story_rows = []
        for story in sorted(stories, key=lambda s: s.id):
            pairs = topic_spellings(story)
            for pair in pairs:
                spellings[pair] += 1
            story_rows.append(story_row(records[story.id], pairs))
        store.load_rows("stories", story_rows)
        store.load_rows(
            "topic_names", [(*pair, uses) for pair, uses in sorted(spellings.items()) if uses > 0]
        )
    snapshot = Snapshot({story.id: story for story in stories}, feed_rows, dict(spellings))
    return Outcome(render_all=True, snapshot=snapshot)


class _Neighbourhood:
    """Walks the evidence graph outward from the changed files (see the module doc)."""

    def __init__(
        self,
        store: StateStore,
        config: Config,
        overlay: Mapping[str, Article | None],
        load: Callable[[Sequence[str]], dict[str, Article]],
    ) -> None:
        self.store = store
        self.options = config.stories
        self.overlay = overlay  # changed path -> its visible new version, or None if gone/hidden
        self.load = load  # unchanged paths -> their visible articles
        self.nodes: set[str] = set()
        self.paths: set[str] = set()
        self.articles: dict[str, Article] = {}
        self._overlay_by_canonical: dict[str, set[str]] = defaultdict(set)
        for path, article in overlay.items():
            if article is not None:
                for canonical in links_of(article):
                    self._overlay_by_canonical[canonical].add(path)

    def walk(self, seeds: set[str]) -> bool:
        """Fill `nodes`, `paths` and `articles`; False if it grew past the limit."""
        frontier = set(seeds)
        while frontier:
            batch = sorted(frontier - self.nodes)
            frontier = set()
            if not batch:
                break
            self.nodes.update(batch)
            if len(self.nodes) > NEIGHBOURHOOD_LIMIT:
                return False
            frontier |= self._files_of(batch)
            frontier |= {row.canonical for row in self.store.nodes_of_stories(self._old_story_ids(batch))}
            if self.options.headline_matching:
                frontier |= self._headline_neighbours(batch)
        return True

    def _old_story_ids(self, canonicals: Sequence[str]) -> list[str]:
        return sorted({row.story_id for row in self.store.nodes(canonicals)})

    def _files_of(self, canonicals: Sequence[str]) -> set[str]:
        """Bring in every file linking to these members; return the members they link to."""
        linked = {path for path, _c in self.store.paths_of_canonicals(canonicals)}
        for canonical in canonicals:
            linked |= self._overlay_by_canonical.get(canonical, set())
        new_paths = sorted(linked - self.paths)
        self.paths.update(new_paths)
        unchanged = [p for p in new_paths if p not in self.overlay]
        self.articles.update(self.load(unchanged))
        for path in new_paths:
            if path in self.overlay and self.overlay[path] is not None:
                self.articles[path] = self.overlay[path]  # type: ignore[assignment]
        reached: set[str] = set()
        for _path, canonical in self.store.links_of_paths(new_paths):
            reached.add(canonical)  # old links (the graph before the change)
        for path in new_paths:
            if path in self.articles:
                reached |= links_of(self.articles[path])
        return reached

    def _headline_neighbours(self, canonicals: Sequence[str]) -> set[str]:
        """Members whose headline may match one of these, before or after the change."""
        window = int(self.options.headline_window_hours * 3600)
        _files, by_canonical, related_info = index_articles(self.articles.values())
        old_rows = {row.canonical: row for row in self.store.nodes(canonicals)}
        found: set[str] = set()
        for canonical in canonicals:
            versions: list[tuple[frozenset[str], dt.datetime]] = []
            old = old_rows.get(canonical)
            if old is not None and old.ts is not None:
                versions.append((frozenset(old.words.split()), _from_epoch(old.ts)))
            if canonical in by_canonical or canonical in related_info:
                member = describe_member(canonical, by_canonical, related_info)
                if member.published is not None:
                    versions.append((significant_words(member.title), member.published))
            for words, published in versions:
                if len(words) < self.options.headline_min_shared:
                    continue
                ts = int(published.timestamp())
                for other, other_ts, other_words in self.store.nodes_between(ts - window, ts + window):
                    if other not in self.nodes and headlines_match(
                        words, frozenset(other_words.split()), published, _from_epoch(other_ts), self.options
                    ):
                        found.add(other)
        return found


def _from_epoch(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def apply_incremental(
    store: StateStore,
    config: Config,
    overlay: Mapping[str, Article | None],
    old_links: Mapping[str, set[str]],
    load: Callable[[Sequence[str]], dict[str, Article]],
    now: dt.datetime,
) -> Outcome | None:
    """Re-cluster the neighbourhood of the changed paths; None if a full pass is cheaper."""
    seeds: set[str] = set()
    for links in old_links.values():
        seeds |= links
    for article in overlay.values():
        if article is not None:
            seeds |= links_of(article)
    area = _Neighbourhood(store, config, overlay, load)
    if not area.walk(seeds):
        return None

    nodes = sorted(area.nodes)
    old_rows = store.nodes(nodes)
    previous_members = {row.canonical: row.story_id for row in old_rows}
    old_ids = sorted(set(previous_members.values()))
    previous = store.story_records(old_ids)
    old_id_set = set(old_ids)

    clusters = cluster_articles(area.articles.values(), config.stories)
    stories, records = assign_ids(
        clusters,
        previous_members,
        previous,
        now,
        taken_elsewhere=lambda story_id: story_id not in old_id_set and store.story_exists(story_id),
    )

    outcome = Outcome()
    old_feed_rows = store.feed_slugs_of_stories(old_ids)
    new_feed_rows = _feed_rows(stories, config)
    touched = defaultdict(list)
    for slug, key, _story_id in old_feed_rows + new_feed_rows:
        touched[slug].append(key)
    caps = {spec.slug: spec.max_items or config.max_items for spec in config.extra_feeds}
    old_cutoffs = {slug: store.rank_cutoff(slug, caps.get(slug, config.max_items)) for slug in touched}

    spellings: dict[tuple[str, str], int] = defaultdict(int)
    for pairs in store.story_topics(old_ids).values():
        for pair in pairs:
            spellings[pair] -= 1
    for story in stories:
        for pair in topic_spellings(story):
            spellings[pair] += 1
    names_before = store.topic_names(sorted({slug for slug, _name in spellings}))

    changed_paths = sorted(overlay)
    store.delete_stories(old_id_set - set(records))
    store.put_stories((records[s.id], topic_spellings(s)) for s in stories)
    store.replace_links(
        changed_paths,
        ((path, c) for path, article in overlay.items() if article is not None for c in links_of(article)),
    )
    store.replace_nodes(nodes, _node_rows(stories))
    store.delete_feed_entries(old_ids)
    store.put_feed_entries(new_feed_rows)
    store.adjust_topic_names(dict(spellings))
    names_after = store.topic_names(sorted(names_before))

    for slug, keys in touched.items():
        cap = caps.get(slug, config.max_items)
        new_cutoff = store.rank_cutoff(slug, cap)
        cutoffs = [c for c in (old_cutoffs[slug], new_cutoff) if c is not None]
        # The feed's first `cap` entries changed if a touched story sits (or sat) among them.
        if len(cutoffs) < 2 or any(key >= min(cutoffs) for key in keys):
            outcome.feeds_to_render.add(slug)
    outcome.feeds_to_render |= {
        slug for slug in names_after if names_after.get(slug) != names_before.get(slug)
    }
    outcome.feeds_to_render |= {slug for slug in names_before if slug not in names_after}
    return outcome


def visible_articles(
    records: Iterable[tuple[str, str | None, str]], now: dt.datetime, decode: Callable[[str], Article]
) -> dict[str, Article]:
    """(path, article JSON, status) rows to the articles that are visible at `now`."""
    found: dict[str, Article] = {}
    for path, article_json, status in records:
        if status in ("ok", "scheduled") and article_json:
            shown, _due = as_of(decode(article_json), now)
            if shown is not None:
                found[path] = shown
    return found


def load_stories(
    store: StateStore, ids: Sequence[str], now: dt.datetime, decode: Callable[[str], Article]
) -> dict[str, Story]:
    """Rebuild stories from the store exactly as they were computed (no re-clustering)."""
    rows = store.nodes_of_stories(ids)
    by_story: dict[str, list[NodeRow]] = defaultdict(list)
    for row in rows:
        by_story[row.story_id].append(row)
    paths = sorted({path for path, _c in store.paths_of_canonicals([r.canonical for r in rows])})
    articles = visible_articles(
        ((r.path, r.article_json, r.status) for r in store.file_records(paths)), now, decode
    )
    records = store.story_records(ids)
    _files, by_canonical, related_info = index_articles(articles.values())
    stories: dict[str, Story] = {}
    for story_id, members in by_story.items():
        described = order_members(
            describe_member(r.canonical, by_canonical, related_info, r.reason, r.via) for r in members
        )
        keys = {r.canonical for r in members}
        story_articles = [a for a in articles.values() if a.canonical in keys]
        story, _record = build_story(story_id, described, story_articles, records.get(story_id), now)
        stories[story_id] = story
    return stories
