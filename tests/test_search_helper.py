"""The headline search split with a helper process finds what one in-memory search
finds: at any split, through the real helper, when the helper fails, and in a build."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import Workspace, article
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.config import StoryOptions
from aggregator.stories import helper as helper_module
from aggregator.stories.candidates import DatedWords, Headline, PrefixPostings
from aggregator.stories.helper import SearchHelper

WORDS = ["storm", "harbour", "town", "chess", "retires", "volcano", "erupts", "port", "usb", "apple"]
START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _headlines(members: list[tuple[int, set[str]]]) -> tuple[list[Headline], DatedWords]:
    dated = sorted(
        Headline(START + dt.timedelta(milliseconds=ms), f"https://e.example/{i}", f"t{i}", i % 3 != 0)
        for i, (ms, _words) in enumerate(members)
    )
    by_title = {f"t{i}": frozenset(w) for i, (_ms, w) in enumerate(members)}
    words = DatedWords({h.canonical: h.title for h in dated}, by_title.__getitem__)
    return dated, words


def _all_matches(matcher, dated, words) -> list[list]:
    return [sorted(matcher.visit(h, words[h.canonical])) for h in dated]


def _unstarted(share: float) -> SearchHelper:
    """A helper whose process is gone: the parent searches the helper's part itself."""
    helper = SearchHelper(threshold=0, share=share)
    helper.close()
    return helper


@settings(max_examples=150, deadline=None)
@given(
    members=st.lists(
        st.tuples(st.integers(0, 6 * 86_400_000), st.sets(st.sampled_from(WORDS), max_size=6)), max_size=40
    ),
    share=st.floats(0.0, 0.99),
    window_hours=st.sampled_from([1.0, 12.0, 48.0, 0.5004]),
)
def test_any_split_finds_the_matches_of_one_search(members, share: float, window_hours: float) -> None:
    options = StoryOptions(headline_window_hours=window_hours, headline_min_shared=2)
    dated, words = _headlines(members)
    expected = _all_matches(PrefixPostings.factory(options)(dated, words), dated, words)
    split = _unstarted(share).factory(options)(dated, words)
    assert _all_matches(split, dated, words) == expected


def _dense(count: int) -> list[tuple[int, set[str]]]:
    """Headlines every few minutes, most sharing words with their neighbours."""
    return [(i * 240_000, {WORDS[i % 7], WORDS[(i + 1) % 7], WORDS[(i // 3) % 10]}) for i in range(count)]


def test_the_helper_process_answers_its_part(monkeypatch: pytest.MonkeyPatch) -> None:
    options = StoryOptions(headline_min_shared=2)
    dated, words = _headlines(_dense(600))
    expected = _all_matches(PrefixPostings.factory(options)(dated, words), dated, words)

    def searched_here(*_args):
        raise AssertionError("the parent searched the helper's part")

    monkeypatch.setattr(helper_module, "search_older", searched_here)  # the parent's copy only
    helper = SearchHelper(threshold=0, share=0.5)
    try:
        split = helper.factory(options)(dated, words)
        assert split.split == 300
        assert _all_matches(split, dated, words) == expected
        assert helper._process is None  # shut down once it has answered
    finally:
        helper.close()


def test_a_helper_that_dies_costs_nothing_but_time() -> None:
    options = StoryOptions(headline_min_shared=2)
    dated, words = _headlines(_dense(600))
    expected = _all_matches(PrefixPostings.factory(options)(dated, words), dated, words)
    helper = SearchHelper(threshold=0, share=0.6)
    try:
        split = helper.factory(options)(dated, words)
        assert helper._process is not None
        helper._process.kill()
        assert _all_matches(split, dated, words) == expected
    finally:
        helper.close()


def _stories_site(ws: Workspace) -> None:
    for i in range(60):
        hour = i // 2
        title = f"Storm hits harbour town {['overnight', 'again', 'today'][i % 3]} part {i // 6}"
        ws.add(
            f"{i:02d}.md",
            article(
                title, f"https://site{i % 5}.example/{i}", f"2024-05-0{1 + hour // 24}T{hour % 24:02d}:00:00Z"
            ),
        )


def test_a_cold_build_with_the_helper_publishes_the_same_bytes(
    make_ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, helped = make_ws("alone"), make_ws("helped")
    for ws in (alone, helped):
        _stories_site(ws)
    alone.build()
    started = []
    original_init = SearchHelper.__init__

    def counted_init(self, *args, **kwargs):
        started.append(True)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(helper_module, "HELPER_THRESHOLD", 0)
    monkeypatch.setattr(SearchHelper, "__init__", counted_init)
    helped.build()
    assert started, "the build did not use a helper"
    assert helped.outputs() == alone.outputs()
    stories = [json.loads(ws.cli("stories", "--json").stdout) for ws in (alone, helped)]
    assert stories[0] == stories[1]
    assert any(len(story["members"]) > 1 for story in stories[0]), "no headline was merged: a weak test"
