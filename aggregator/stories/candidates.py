"""Which earlier headlines may match a member's: the seam between grouping and search.

Headline matching (`clustering._merge_headlines`) visits members by date and asks a
`HeadlineMatcher` for the earlier members, within the window, whose headlines match.
A cold build searches in memory (`PrefixPostings`); an incremental pass has already
searched the stored members while walking the neighbourhood of its change, and its
matcher answers from that search (`aggregator.index.dated.StoredMatcher`), so the
area is not searched twice. Both give exactly the same matches.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple, Protocol

from aggregator.config import StoryOptions
from aggregator.stories.headlines import required_overlap


class Headline(NamedTuple):
    # Date first: headlines sort by date, then by URL (unique), as plain tuples.
    published: dt.datetime
    canonical: str
    title: str
    is_file: bool


Match = tuple[float, str, Headline]  # (-similarity, canonical, the earlier headline)


class HeadlineMatcher(Protocol):
    """A matcher whose answers were all searched before the first visit may say so with
    a true `searched_ahead` attribute: it is then visited without each member's words."""

    def visit(self, member: Headline, words: frozenset[str]) -> list[Match]:
        """The members visited before this one, published at most the window earlier,
        whose headlines match its own (`headlines_match`); then remember this one.

        Members are visited in date order, then by canonical URL."""
        ...


class DatedWords(Mapping[str, frozenset[str]]):
    """Each dated member's significant words by canonical URL, made only when asked for
    (from the build's memo): a split search sends most members to its helper as text
    (`text`), and their sets would be made for nothing."""

    def __init__(self, titles: Mapping[str, str], words: Callable[[str], frozenset[str]]) -> None:
        self._titles, self._words = titles, words
        self._text: Callable[[str], str] = getattr(
            words, "text", lambda title: " ".join(sorted(words(title)))
        )

    def __getitem__(self, canonical: str) -> frozenset[str]:
        return self._words(self._titles[canonical])

    def __iter__(self) -> Iterator[str]:
        return iter(self._titles)

    def __len__(self) -> int:
        return len(self._titles)

    def text(self, canonical: str) -> str:
        """The words sorted and joined by spaces (`headline_words_text`)."""
        return self._text(self._titles[canonical])


# Builds the matcher for one grouping, from its dated headlines (in visiting order) and
# their significant words.
MatcherFactory = Callable[[Sequence[Headline], DatedWords], HeadlineMatcher]


def word_order(words: Iterable[frozenset[str]]) -> Callable[[str], int]:
    """Rarest first, ties by the word itself: one total order for every headline of a
    grouping, as the rank of each of its words."""
    frequency: Counter[str] = Counter(itertools.chain.from_iterable(words))
    rank = {w: i for i, w in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}
    return rank.__getitem__


class PrefixPostings:
    """Searches in memory by prefix filtering: with words ordered rarest first, two
    headlines sharing at least k words share one among each other's first `len - k + 1`
    words, so only those are indexed and looked up."""

    def __init__(self, options: StoryOptions, order: Callable[[str], int]) -> None:
        self.window = dt.timedelta(hours=options.headline_window_hours)
        self.minimum, self.threshold = options.headline_min_shared, options.headline_threshold
        self.options = options
        self.order = order
        self._prefix_length: dict[int, int] = {}
        # Postings hold (date, key, words, headline), so the search reads no other table.
        self._postings: dict[str, deque[tuple[dt.datetime, str, frozenset[str], Headline]]] = defaultdict(
            deque
        )

    @classmethod
    def factory(cls, options: StoryOptions) -> MatcherFactory:
        return lambda _dated, words: cls(options, word_order(words.values()))

    def _prefix(self, words: frozenset[str]) -> list[str]:
        """The words a headline is indexed and looked up by (rarest first)."""
        size = len(words)
        length = self._prefix_length.get(size)
        if length is None:
            length = self._prefix_length[size] = size - required_overlap(size, self.options) + 1
        return sorted(words, key=self.order)[:length]

    def remember(self, member: Headline, words: frozenset[str]) -> None:
        """Index a member without searching for it, as `visit` would have: for a search
        that starts part-way through the members, given those within the window before."""
        if len(words) >= self.minimum:
            entry = (member.published, member.canonical, words, member)
            for word in self._prefix(words):
                self._postings[word].append(entry)

    def visit(self, member: Headline, words: frozenset[str], remember: bool = True) -> list[Match]:
        """As `HeadlineMatcher.visit`; with `remember` False the member is only searched for."""
        size = len(words)
        best: list[Match] = []
        if size < self.minimum:
            return best  # too short to match anything
        oldest = member.published - self.window
        entry = (member.published, member.canonical, words, member)
        seen: set[str] = set()
        minimum, threshold = self.minimum, self.threshold
        for word in self._prefix(words):
            posting = self._postings[word]
            while posting and posting[0][0] < oldest:
                posting.popleft()
            for _published, key, theirs, other in posting:
                if key in seen:
                    continue
                seen.add(key)
                # headlines_match, inlined: the window is already ensured by the postings.
                shared = len(words & theirs)
                if shared >= minimum:
                    similarity = shared / (size + len(theirs) - shared)
                    if similarity >= threshold:
                        best.append((-similarity, key, other))
            if remember:
                posting.append(entry)
        return best
