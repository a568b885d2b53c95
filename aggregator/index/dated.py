"""Stored members' headline words by day, for the incremental headline walk.

The walk asks, for each member it reaches, which stored members dated within the window
may match its headline. Comparing it with every member of the window costs thousands of
comparisons a member in a dense folder; instead each day of members is read from the
store once per pass, indexed by word, and a headline looks up its rarest words only.
Re-clustering the area the walk found asks the same questions again (`StoredMatcher`),
and gets the walk's answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from aggregator.config import StoryOptions
from aggregator.state.protocol import StateBackend
from aggregator.stories.candidates import Headline, Match, PrefixPostings, word_order
from aggregator.stories.headlines import (
    epoch_seconds,
    headlines_match,
    required_overlap,
    similarity,
    window_seconds,
)

DAY = 86_400
Entry = tuple[str, int, frozenset[str]]  # canonical, date (epoch seconds), headline words


class DatedHeadlines:
    """Owned by one incremental pass (its store's rows do not change while it walks)."""

    def __init__(self, store: StateBackend) -> None:
        self.store = store
        self._days: dict[int, dict[str, list[Entry]]] = {}
        self._around: dict[tuple[frozenset[str], int, int, int], list[Entry]] = {}

    def around(self, words: frozenset[str], ts: int, window: int, overlap: int) -> list[Entry]:
        """`candidates` within `window` seconds either side of `ts`, remembered for the pass."""
        key = (words, ts, window, overlap)
        found = self._around.get(key)
        if found is None:
            found = self._around[key] = list(self.candidates(words, ts - window, ts + window, overlap))
        return found

    def candidates(self, words: frozenset[str], start: int, end: int, overlap: int) -> Iterable[Entry]:
        """Stored members dated in [start, end] sharing at least `overlap` of `words`.

        Any two word sets sharing `overlap` words share one among any
        `len(words) - overlap + 1` of the first set's, so only the words with the
        shortest postings are looked up; the rest is checked here.
        """
        if overlap > len(words):
            return []
        days = [self._day(day) for day in range(start // DAY, end // DAY + 1)]
        load = {word: sum(len(day.get(word, ())) for day in days) for word in words}
        lookup = sorted(words, key=lambda word: (load[word], word))[: len(words) - overlap + 1]
        found: dict[str, Entry] = {}
        for day in days:
            for word in lookup:
                for entry in day.get(word, ()):
                    if start <= entry[1] <= end and len(words & entry[2]) >= overlap:
                        found[entry[0]] = entry
        return [found[key] for key in sorted(found)]

    def _day(self, day: int) -> dict[str, list[Entry]]:
        postings = self._days.get(day)
        if postings is None:
            postings = defaultdict(list)
            for canonical, ts, text in self.store.nodes_between(day * DAY, day * DAY + DAY - 1):
                entry = (canonical, ts, frozenset(text.split()))
                for word in entry[2]:
                    postings[word].append(entry)
            self._days[day] = postings
        return postings


class StoredMatcher:
    """A `HeadlineMatcher` for re-clustering an incremental area from the store's rows.

    A member whose stored row (date and words) is what the area describes now is found
    through `DatedHeadlines.around`, which the walk has asked for most of the area
    already; one whose row differs or is new (the change itself, mostly) is searched in
    memory among the area's members. Candidates from the store are checked against the
    area's own dates and words, so the matches are those of `PrefixPostings` exactly.
    """

    def __init__(
        self,
        dated: DatedHeadlines,
        stored: Mapping[str, tuple[int | None, frozenset[str]]],  # canonical -> stored date, words
        options: StoryOptions,
        headlines: Sequence[Headline],
        words: Mapping[str, frozenset[str]],
    ) -> None:
        self.dated = dated
        self.options = options
        self.seconds = window_seconds(options)
        self.same = {
            h.canonical
            for h in headlines
            if stored.get(h.canonical) == (epoch_seconds(h.published), words[h.canonical])
        }
        self.fresh = PrefixPostings(options, word_order(words.values()))  # the members not in `same`
        self.visited: dict[str, Headline] = {}

    def visit(self, member: Headline, words: frozenset[str]) -> list[Match]:
        best: list[Match] = []
        if len(words) >= self.options.headline_min_shared:
            overlap = required_overlap(len(words), self.options)
            ts = epoch_seconds(member.published)
            for key, _ts, theirs in self.dated.around(words, ts, self.seconds, overlap):
                other = self.visited.get(key)  # visited before, and its stored row is its own
                if other is not None and headlines_match(
                    words, theirs, member.published, other.published, self.options
                ):
                    best.append((-similarity(words, theirs), key, other))
        # Members whose rows differ are searched in memory, among those visited before.
        remember = member.canonical not in self.same
        if not remember:
            self.visited[member.canonical] = member
        return best + self.fresh.visit(member, words, remember=remember)
