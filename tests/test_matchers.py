"""Headline matchers: the in-memory search and the one answered from the incremental
walk's stored search find the same matches, and re-clustering an area after the walk
does not search again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import Workspace, article
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregator.config import StoryOptions
from aggregator.index import dated as dated_module
from aggregator.index import incremental
from aggregator.index.dated import DAY, DatedHeadlines, StoredMatcher
from aggregator.state.rows import NodeRow
from aggregator.state.store import StateStore
from aggregator.stories import candidates
from aggregator.stories.candidates import Headline, PrefixPostings
from aggregator.stories.headlines import epoch_seconds

WORDS = ["apple", "iphone", "port", "usb", "storm", "harbour", "town", "chess", "retires", "volcano"]
START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)

member = st.tuples(
    st.integers(0, 4 * DAY * 1000),  # milliseconds after START: dates are not whole seconds
    st.sets(st.sampled_from(WORDS), max_size=6),
    st.sampled_from(["own", "stale date", "stale words", "none"]),  # the stored row, if any
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    area=st.lists(member, max_size=30),
    outside=st.lists(
        st.tuples(st.integers(0, 4 * DAY), st.sets(st.sampled_from(WORDS), max_size=6)), max_size=20
    ),
    window_hours=st.sampled_from([1.0, 12.0, 36.0, 0.5004]),
)
# 1,801.4 s apart within a window of 1,801.44 s, but 1,802 s apart in whole seconds.
@example(
    area=[(900, {"storm", "harbour"}, "own"), (1_802_300, {"storm", "harbour"}, "own")],
    outside=[],
    window_hours=0.5004,
)
def test_the_stored_matcher_finds_what_the_in_memory_search_finds(
    tmp_path: Path, area, outside, window_hours: float
) -> None:
    options = StoryOptions(headline_window_hours=window_hours, headline_min_shared=2)
    headlines = sorted(
        Headline(START + dt.timedelta(milliseconds=ms), f"https://e.example/{i}", f"t{i}", True)
        for i, (ms, _words, _row) in enumerate(area)
    )
    words = {f"https://e.example/{i}": frozenset(w) for i, (_ms, w, _row) in enumerate(area)}
    rows = [
        NodeRow(f"https://elsewhere.example/{i}", "s", "file", "", ts, " ".join(sorted(w)))
        for i, (ts, w) in enumerate(outside)
    ]
    for h in headlines:
        kind = area[int(h.canonical.rsplit("/", 1)[1])][2]
        ts, text = epoch_seconds(h.published), " ".join(sorted(words[h.canonical]))
        if kind == "stale date":
            ts += 3 * 3600
        elif kind == "stale words":
            text = " ".join(sorted({*WORDS} - words[h.canonical]))
        if kind != "none":
            rows.append(NodeRow(h.canonical, "s", "file", "", ts, text))

    path = tmp_path / "matchers.sqlite3"
    path.unlink(missing_ok=True)
    with StateStore(path) as store:
        with store.transaction():
            store.replace_nodes([], sorted(rows))
        stored = {row.canonical: (row.ts, frozenset(row.words.split())) for row in rows}
        in_memory = PrefixPostings.factory(options)(headlines, words)
        from_store = StoredMatcher(DatedHeadlines(store), stored, options, headlines, words)
        for h in headlines:
            expected = sorted(in_memory.visit(h, words[h.canonical]))
            assert sorted(from_store.visit(h, words[h.canonical])) == expected, h


def test_re_clustering_after_the_walk_searches_nothing_again(ws: Workspace, monkeypatch) -> None:
    titles = ["Storm hits harbour town overnight", "Storm hits harbour town", "Harbour town storm overnight"]
    for index, title in enumerate(titles):
        ws.add(f"{index}.md", article(title, f"https://site{index}.example/1", f"2024-05-01T1{index}:00:00Z"))
    ws.add("other.md", article("Chess champion retires", "https://chess.example/1", "2024-05-01T12:00:00Z"))
    ws.build()
    before = json.loads(ws.cli("stories", "--json").stdout)

    searches: list[str] = []
    clustering = [False]
    candidates_of = dated_module.DatedHeadlines.candidates
    visit = candidates.PrefixPostings.visit

    def counted_candidates(self, *args, **kwargs):
        searches.append("store during clustering" if clustering[0] else "store during the walk")
        return candidates_of(self, *args, **kwargs)

    def counted_visit(self, member, words, remember=True):
        if clustering[0] and remember:
            searches.append("in memory during clustering")
        return visit(self, member, words, remember)

    cluster_articles = incremental.cluster_articles

    def watched_cluster_articles(*args, **kwargs):
        clustering[0] = True
        try:
            return cluster_articles(*args, **kwargs)
        finally:
            clustering[0] = False

    monkeypatch.setattr(dated_module.DatedHeadlines, "candidates", counted_candidates)
    monkeypatch.setattr(candidates.PrefixPostings, "visit", counted_visit)
    monkeypatch.setattr(incremental, "cluster_articles", watched_cluster_articles)
    edited = article(titles[1], "https://site1.example/1", "2024-05-01T11:00:00Z", excerpt="A new excerpt.")
    ws.add("1.md", edited)
    ws.build()

    assert "store during the walk" in searches  # the walk searched the stored headlines
    assert "store during clustering" not in searches and "in memory during clustering" not in searches
    incremental_stories = json.loads(ws.cli("stories", "--json").stdout)
    assert incremental_stories != before and sorted(len(s["members"]) for s in incremental_stories) == [1, 3]
    ws.build("--full")
    assert json.loads(ws.cli("stories", "--json").stdout) == incremental_stories
