"""Headline evidence: the significant words of a title, and when two headlines are one story."""

from __future__ import annotations

import datetime as dt
import math
import re

from aggregator.config import StoryOptions

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


def significant_words(title: str) -> frozenset[str]:
    """The words that carry a headline's meaning, for near-duplicate detection."""
    if title.isascii():  # most are: there casefold is lower, a word is [a-z0-9]+
        return frozenset(_ASCII_SIGNIFICANT.findall(title.lower())).difference(STOPWORDS)
    words = set(_WORD.findall(title.casefold()))
    words -= STOPWORDS
    return frozenset([w for w in words if len(w) > 1 or w.isdigit()])


def headline_words_text(title: str) -> str:
    """A headline's significant words, sorted and space-separated: as the store keeps
    them, and as a parse worker sends them along with an article."""
    return " ".join(sorted(significant_words(title)))


class HeadlineWords:
    """One build's memo of `significant_words`: clustering, the incremental walk and the
    rows the store keeps all ask for the same titles, and on a cold build the parse
    workers have found most of them already (`learn`), on the second core.

    A learnt title keeps only its text; the set of its words is made when first asked
    for, since a cold grouping's helper process takes most headlines as text.
    Owned by the build that creates it and dropped with it; bounded all the same.
    """

    LIMIT = 1 << 18

    def __init__(self) -> None:
        self._words: dict[str, frozenset[str]] = {}
        self._texts: dict[str, str] = {}  # as the store keeps them (`headline_words_text`)

    def __call__(self, title: str) -> frozenset[str]:
        words = self._words.get(title)
        if words is None:
            text = self._texts.get(title)
            words = significant_words(title) if text is None else frozenset(text.split())
            if len(self._words) >= self.LIMIT:
                self._words.clear()
            self._words[title] = words
        return words

    def text(self, title: str) -> str:
        """As `headline_words_text`."""
        text = self._texts.get(title)
        if text is None:
            text = " ".join(sorted(self(title)))
            self._remember(title, text)
        return text

    def learn(self, title: str, text: str) -> None:
        """Take a title's words as a parse worker found them (`headline_words_text`)."""
        if title not in self._texts:
            self._remember(title, text)

    def _remember(self, title: str, text: str) -> None:
        if len(self._texts) >= self.LIMIT:
            self._texts.clear()
        self._texts[title] = text


def headlines_match(
    words_a: frozenset[str],
    words_b: frozenset[str],
    published_a: dt.datetime | None,
    published_b: dt.datetime | None,
    options: StoryOptions,
) -> bool:
    """Whether two headlines are close enough in words and time to be one story."""
    return headline_mismatch(words_a, words_b, published_a, published_b, options) is None


def headline_mismatch(
    words_a: frozenset[str],
    words_b: frozenset[str],
    published_a: dt.datetime | None,
    published_b: dt.datetime | None,
    options: StoryOptions,
) -> str | None:
    """The rule that keeps two headlines apart ("undated", "window", "min_shared",
    "threshold"), or None if they match: one place for the rules `explain` names."""
    if published_a is None or published_b is None:
        return "undated"
    if abs(published_a - published_b) > dt.timedelta(hours=options.headline_window_hours):
        return "window"
    shared = len(words_a & words_b)
    if shared < options.headline_min_shared:
        return "min_shared"
    if similarity(words_a, words_b) < options.headline_threshold:
        return "threshold"
    return None


def similarity(words_a: frozenset[str], words_b: frozenset[str]) -> float:
    """Shared words over all words (Jaccard): the score `headline_threshold` bounds."""
    union = len(words_a | words_b)
    return len(words_a & words_b) / union if union else 0.0


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SECOND = dt.timedelta(seconds=1)


def epoch_seconds(moment: dt.datetime) -> int:
    """A date as the whole seconds the store keeps (rounded down)."""
    return (moment - _EPOCH) // _SECOND


def window_seconds(options: StoryOptions) -> int:
    """The headline window in whole seconds, rounded up: two dates within the window
    are within it still as `epoch_seconds`, so a search by stored dates misses no match."""
    return math.ceil(options.headline_window_hours * 3600)


def required_overlap(size: int, options: StoryOptions) -> int:
    """Fewest shared words a headline of `size` words needs to match any other."""
    return max(options.headline_min_shared, math.ceil(options.headline_threshold * size - 1e-9))
