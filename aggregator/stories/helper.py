"""A cold grouping's headline search, split with a helper process on the other core.

When a full pass groups every member, the parse workers have finished and the second
core is idle, while the parent works through one long serial stretch. Of that stretch,
the headline search needs nothing but each member's date and words, so a helper process
(started fresh, never forked from the large parent) searches the older part of the
dated members while the parent does the union-find of URLs and `related` entries and
then searches the newer part itself. The matches are exactly those of one
`PrefixPostings` over all of them: the newer part's search is first given every older
member within the window (`PrefixPostings.remember`), and nothing older can match.

If the helper cannot start or fails, the parent searches the older part too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from aggregator.config import StoryOptions
from aggregator.runtime import gc_paused
from aggregator.stories.candidates import (
    DatedWords,
    Headline,
    Match,
    MatcherFactory,
    PrefixPostings,
    word_order,
)

HELPER_THRESHOLD = 20_000  # fewer dated members than this are searched in the parent alone
HELPER_SHARE = 0.52  # of the dated members, the older part the helper searches

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)

# What crosses to the helper: per dated member, its date in microseconds and its words
# joined by spaces (headline words hold none); back: per member with matches, its
# position and its matches as (-similarity, position of the earlier member).
Found = list[tuple[int, list[tuple[float, int]]]]


def search_older(rows: Sequence[tuple[int, str]], options: StoryOptions) -> Found:
    """Runs in the helper: `PrefixPostings` over these members, in this order."""
    with gc_paused():
        words = [frozenset(text.split()) for _us, text in rows]
        search = PrefixPostings(options, word_order(words))
        found: Found = []
        for position, ((us, _text), theirs) in enumerate(zip(rows, words, strict=True)):
            member = Headline(_EPOCH + dt.timedelta(microseconds=us), str(position), "", True)
            best = search.visit(member, theirs)
            if best:
                found.append((position, [(neg, int(key)) for neg, key, _other in best]))
        return found


class SearchHelper:
    """The helper process, owned by one full pass: started when the pass begins, so its
    interpreter is up by the time the headlines are known, and gone with the pass.

    A fresh interpreter (`python -m aggregator.stories.helper`), not a fork, which would
    copy the parent's heap, nor a multiprocessing spawn, which would run the caller's
    main module again; it takes one pickled question on stdin and answers on stdout.
    """

    def __init__(self, threshold: int | None = None, share: float = HELPER_SHARE) -> None:
        self.threshold = HELPER_THRESHOLD if threshold is None else threshold
        self.share = share
        self._process: subprocess.Popen[bytes] | None = None
        self._sender: threading.Thread | None = None
        root = str(Path(__file__).resolve().parents[2])  # where `aggregator` is importable from
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        with contextlib.suppress(OSError, ValueError):
            self._process = subprocess.Popen(
                [sys.executable, "-m", "aggregator.stories.helper"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )

    def factory(self, options: StoryOptions) -> MatcherFactory:
        def build(dated: Sequence[Headline], words: DatedWords) -> _SplitSearch:
            return _SplitSearch(self, options, dated, words)

        return build

    def submit(self, rows: list[tuple[int, str]], options: StoryOptions) -> bool:
        """Send the question; it is written on a thread while the caller goes on."""
        process = self._process
        if process is None or process.stdin is None or self._sender is not None:
            return False
        payload = pickle.dumps((rows, options), protocol=pickle.HIGHEST_PROTOCOL)

        def send() -> None:
            with contextlib.suppress(OSError), process.stdin as pipe:  # type: ignore[union-attr]
                pipe.write(payload)

        self._sender = threading.Thread(target=send, name="headline-search-helper", daemon=True)
        self._sender.start()
        return True

    def answer(self) -> Found:
        """The helper's matches; raises if it failed in any way."""
        process = self._process
        if process is None or process.stdout is None or self._sender is None:
            raise RuntimeError("no question was sent")
        data = process.stdout.read()
        self._sender.join()
        if process.wait() != 0:
            raise RuntimeError(f"the helper exited with {process.returncode}")
        found: Found = pickle.loads(data)
        return found

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._sender is not None:
            self._sender.join()


@contextlib.contextmanager
def search_helper(members: int, threshold: int | None = None) -> Iterator[SearchHelper | None]:
    """A helper for a pass over about `members` members, or None when too few to pay."""
    threshold = HELPER_THRESHOLD if threshold is None else threshold
    if members < threshold:
        yield None
        return
    helper = SearchHelper(threshold)
    try:
        yield helper
    finally:
        helper.close()


class _SplitSearch:
    """A `HeadlineMatcher` whose answers are searched ahead: the older part by the helper
    (from the moment it is made), the newer part at the first visit. The words a visit
    is given are not needed (`searched_ahead`), and the older part's are sent as text."""

    searched_ahead = True

    def __init__(
        self,
        helper: SearchHelper,
        options: StoryOptions,
        dated: Sequence[Headline],
        words: DatedWords,
    ) -> None:
        self.helper, self.options, self.dated, self.words = helper, options, dated, words
        self.window = dt.timedelta(hours=options.headline_window_hours)
        self.split = int(len(dated) * helper.share) if len(dated) >= helper.threshold else 0
        text = words.text
        self.rows = [((h.published - _EPOCH) // _MICROSECOND, text(h.canonical)) for h in dated[: self.split]]
        self.sent = helper.submit(self.rows, options) if self.split else False
        self.found: dict[str, list[Match]] | None = None

    def visit(self, member: Headline, words: frozenset[str]) -> list[Match]:
        if self.found is None:
            self.found = self._search()
        return self.found.get(member.canonical, [])

    def _search(self) -> dict[str, list[Match]]:
        dated, words, split = self.dated, self.words, self.split
        found: dict[str, list[Match]] = {}
        start = split
        while start > 0 and dated[start - 1].published >= dated[split].published - self.window:
            start -= 1
        newer_words = [words[h.canonical] for h in dated[start:]]  # made once, for this search only
        newer = PrefixPostings(self.options, word_order(newer_words))
        for h, theirs in zip(dated[start:split], newer_words[: split - start], strict=True):
            newer.remember(h, theirs)
        for h, theirs in zip(dated[split:], newer_words[split - start :], strict=True):
            best = newer.visit(h, theirs)
            if best:
                found[h.canonical] = best
        for position, matches in self._older():
            found[dated[position].canonical] = [(neg, dated[j].canonical, dated[j]) for neg, j in matches]
        return found

    def _older(self) -> Found:
        if not self.split:
            return []
        try:
            if self.sent:
                with contextlib.suppress(Exception):  # a helper that failed: searched here instead
                    return self.helper.answer()
            return search_older(self.rows, self.options)
        finally:
            self.helper.close()  # its memory is given back before rendering
            self.rows = []


def main() -> None:
    """The helper's side: one question from stdin, its answer to stdout."""
    rows, options = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(search_older(rows, options), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
