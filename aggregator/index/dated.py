"""Stored members' headline words by day, for the incremental headline walk.

The walk asks, for each member it reaches, which stored members dated within the window
may match its headline. Comparing it with every member of the window costs thousands of
comparisons a member in a dense folder; instead each day of members is read from the
store once per pass, indexed by word, and a headline looks up its rarest words only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from aggregator.state.protocol import StateBackend

DAY = 86_400
Entry = tuple[str, int, frozenset[str]]  # canonical, date (epoch seconds), headline words


class DatedHeadlines:
    """Owned by one incremental pass (its store's rows do not change while it walks)."""

    def __init__(self, store: StateBackend) -> None:
        self.store = store
        self._days: dict[int, dict[str, list[Entry]]] = {}

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
