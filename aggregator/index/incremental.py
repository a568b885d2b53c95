"""An incremental pass: only the neighbourhood of the changed files is re-clustered.

Two neighbourhoods each give what a full rebuild would; the pass takes the smaller:

- **Connected evidence**: every member reachable from a changed file through shared
  URLs, `related` entries, old story membership, or a possible headline match, before
  or after the change. Clustering is decided within such connected groups alone.
- **A time suffix**: where headlines are so dense that possible matches chain across
  the whole folder, the first walk never closes. Headline matching visits members by
  date, so everything before the earliest date T of the change's own stories is
  decided as it was; after T, a match reaches back at most one window W. Re-clustering
  every story with a member dated from T - W on (plus the change's own stories) is
  exact, and for a change to recent articles it is a few days of stories.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from aggregator.config import Config
from aggregator.index.dated import DatedHeadlines, StoredMatcher
from aggregator.index.full import Outcome, feed_rows_of, links_of, node_rows_of
from aggregator.model import Article
from aggregator.selection.catalog import feed_cap, topic_spellings
from aggregator.state.protocol import StateBackend
from aggregator.state.rows import NodeRow
from aggregator.stories.candidates import Headline, MatcherFactory
from aggregator.stories.clustering import cluster_articles, describe_member, index_articles
from aggregator.stories.copies import notices_by_link
from aggregator.stories.headlines import (
    HeadlineWords,
    epoch_seconds,
    headlines_match,
    required_overlap,
    window_seconds,
)
from aggregator.stories.identity import assign_ids

# Beyond this many members, re-clustering everything is cheaper than walking the graph.
NEIGHBOURHOOD_LIMIT = 20_000
# A member reached by the headline walk costs about as much as re-clustering this many
# members of a time suffix (its loads and headline look-ups against grouping one;
# bench/README.md), so the walk is given up once it has reached 1/HEADLINE_WALK_COST of
# the suffix's size.
HEADLINE_WALK_COST = 2
HEADLINE_WALK_MIN = 64


class _Neighbourhood:
    """Walks the evidence graph outward from the changed files (see the module doc)."""

    def __init__(
        self,
        store: StateBackend,
        config: Config,
        overlay: Mapping[str, Article | None],
        load: Callable[[Sequence[str]], dict[str, Article]],
        words: HeadlineWords,
    ) -> None:
        self.store = store
        self.words = words
        self.options = config.stories
        self.overlay = overlay  # changed path -> its visible new version, or None if gone/hidden
        self.load = load  # unchanged paths -> their visible articles
        self.nodes: set[str] = set()
        self.paths: set[str] = set()
        self.articles: dict[str, Article] = {}
        self.dated = DatedHeadlines(store)
        self._old_dates: list[int] = []  # stored dates of the members reached, for `earliest`
        self.searched_headlines = False  # whether `dated` holds the walk's headline search
        self._overlay_by_canonical: dict[str, set[str]] = defaultdict(set)
        for path, article in overlay.items():
            if article is not None:
                for canonical in links_of(article):
                    self._overlay_by_canonical[canonical].add(path)

    def walk(self, seeds: set[str], limit: int = NEIGHBOURHOOD_LIMIT, headlines: bool = True) -> bool:
        """Add to `nodes`, `paths` and `articles`; False if they grew past `limit` members.

        Without `headlines`, only URLs, `related` entries and old stories are followed."""
        frontier = set(seeds)
        while frontier:
            batch = sorted(frontier - self.nodes)
            frontier = set()
            if not batch:
                break
            self.nodes.update(batch)
            if len(self.nodes) > limit:
                return False
            old_rows = {row.canonical: row for row in self.store.nodes(batch)}
            self._old_dates.extend(row.ts for row in old_rows.values() if row.ts is not None)
            frontier |= self._files_of(batch)
            old_story_ids = sorted({row.story_id for row in old_rows.values()})
            frontier |= {row.canonical for row in self.store.nodes_of_stories(old_story_ids)}
            if headlines and self.options.headline_matching:
                self.searched_headlines = True
                frontier |= self._headline_neighbours(batch, old_rows)
        return True

    def earliest(self) -> int | None:
        """The earliest date (epoch seconds) of a member reached, before or after the change."""
        dates = list(self._old_dates)
        for article in self.articles.values():
            for published in (article.published, *(item.published for item in article.related)):
                if published is not None:
                    dates.append(epoch_seconds(published))
        return min(dates, default=None)

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

    def _headline_neighbours(self, canonicals: Sequence[str], old_rows: Mapping[str, NodeRow]) -> set[str]:
        """Members whose headline may match one of these, before or after the change."""
        window = window_seconds(self.options)
        _files, by_canonical, related_info = index_articles(self.articles.values())
        found: set[str] = set()
        for canonical in canonicals:
            versions: list[tuple[frozenset[str], dt.datetime]] = []
            old = old_rows.get(canonical)
            if old is not None and old.ts is not None:
                versions.append((frozenset(old.words.split()), _from_epoch(old.ts)))
            if canonical in by_canonical or canonical in related_info:
                member = describe_member(canonical, by_canonical, related_info)
                if member.published is not None:
                    versions.append((self.words(member.title), member.published))
            for words, published in versions:
                if len(words) < self.options.headline_min_shared:
                    continue
                overlap = required_overlap(len(words), self.options)  # any match shares this many
                # Asked as re-clustering the area will ask again (`StoredMatcher`).
                for other, other_ts, other_words in self.dated.around(
                    words, epoch_seconds(published), window, overlap
                ):
                    if other not in self.nodes and headlines_match(
                        words, other_words, published, _from_epoch(other_ts), self.options
                    ):
                        found.add(other)
        return found


def _from_epoch(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def _neighbourhood(
    store: StateBackend,
    config: Config,
    overlay: Mapping[str, Article | None],
    load: Callable[[Sequence[str]], dict[str, Article]],
    words: HeadlineWords,
    seeds: set[str],
) -> _Neighbourhood | None:
    """The smaller exact neighbourhood of the change (see the module doc), or None when
    both are past NEIGHBOURHOOD_LIMIT and a full pass is cheaper."""
    evidence = _Neighbourhood(store, config, overlay, load, words)
    if not evidence.walk(seeds, headlines=False):
        return None
    if not config.stories.headline_matching:
        return evidence
    start = evidence.earliest()
    if start is None:  # nothing dated: no headline comparison involves the change
        return evidence
    since = start - window_seconds(config.stories)
    suffix = store.count_dated_from(since)
    matched = _Neighbourhood(store, config, overlay, load, words)
    limit = min(NEIGHBOURHOOD_LIMIT, max(HEADLINE_WALK_MIN, suffix // HEADLINE_WALK_COST))
    if matched.walk(seeds, limit=limit):
        return matched
    if suffix > NEIGHBOURHOOD_LIMIT:
        return None
    return evidence if evidence.walk(set(store.dated_from(since)), headlines=False) else None


def apply_incremental(
    store: StateBackend,
    config: Config,
    overlay: Mapping[str, Article | None],
    old_links: Mapping[str, set[str]],
    load: Callable[[Sequence[str]], dict[str, Article]],
    now: dt.datetime,
    words: HeadlineWords,
) -> Outcome | None:
    """Re-cluster the neighbourhood of the changed paths; None if a full pass is cheaper."""
    seeds: set[str] = set()
    for links in old_links.values():
        seeds |= links
    for article in overlay.values():
        if article is not None:
            seeds |= links_of(article)
    area = _neighbourhood(store, config, overlay, load, words, seeds)
    if area is None:
        return None

    nodes = sorted(area.nodes)
    old_rows = store.nodes(nodes)
    previous_members = {row.canonical: row.story_id for row in old_rows}
    old_ids = sorted(set(previous_members.values()))
    previous = store.story_records(old_ids)
    old_id_set = set(old_ids)

    matcher: MatcherFactory | None = None  # in memory, unless the walk searched already
    if area.searched_headlines:
        stored = {row.canonical: (row.ts, frozenset(row.words.split())) for row in old_rows}
        dated = area.dated

        def matcher(headlines: Sequence[Headline], found: Mapping[str, frozenset[str]]) -> StoredMatcher:
            return StoredMatcher(dated, stored, config.stories, headlines, found)

    clusters = cluster_articles(area.articles.values(), config.stories, words, matcher)
    stories, records = assign_ids(
        clusters,
        previous_members,
        previous,
        now,
        taken_elsewhere=lambda story_id: story_id not in old_id_set and store.story_exists(story_id),
    )

    outcome = Outcome(copies=notices_by_link(area.articles.values()), copies_scope=set(area.nodes))
    old_feed_rows = store.feed_slugs_of_stories(old_ids)
    new_feed_rows = feed_rows_of(stories, config)
    touched = defaultdict(list)
    for slug, key, _story_id in old_feed_rows + new_feed_rows:
        touched[slug].append(key)
    caps = {spec.slug: feed_cap(spec, config) for spec in config.extra_feeds}
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
    store.replace_nodes(nodes, node_rows_of(stories, words))
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
