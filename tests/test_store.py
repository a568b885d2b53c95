"""The state store's bulk path stores exactly what its row-by-row path stores, and owns
the connection while it has work pending."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aggregator.state.bulk as bulk_module
from aggregator.index.dated import DAY, DatedHeadlines
from aggregator.state.bulk import StoreBusy
from aggregator.state.rows import NodeRow
from aggregator.state.store import StateStore

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)  # a lone surrogate is not text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(texts, texts), max_size=20, unique_by=lambda row: row))
def test_rows_loaded_in_bulk_read_back_as_given(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    path = tmp_path / "bulk.sqlite3"
    path.unlink(missing_ok=True)
    with StateStore(path) as store, store.transaction():
        with store.bulk_load() as loader:
            loader.load_rows("links", rows)
        stored = store.db.execute("SELECT path, canonical FROM links").fetchall()
        by_row = store.links_of_paths(sorted({p for p, _c in rows}))
    assert sorted(stored) == sorted(rows) == sorted(by_row)


def test_a_nul_in_a_row_survives_the_bulk_path(tmp_path: Path, monkeypatch) -> None:
    # SQLite's JSON functions cut text at an escaped NUL; such a chunk takes the other way in.
    monkeypatch.setattr(bulk_module, "LOAD_CHUNK", 2)
    rows = [(f"{i}.md", f"https://e.example/{i}") for i in range(7)]
    rows[3] = ("a\x00b.md", "https://e.example/\x00")
    rows[5] = ("plain.md", 'https://e.example/é\n"\\\\')
    with StateStore(tmp_path / "s.sqlite3") as store, store.transaction():
        with store.bulk_load() as loader:
            loader.load_rows("links", rows)
        assert sorted(store.db.execute("SELECT path, canonical FROM links").fetchall()) == sorted(rows)


def test_an_error_on_the_helper_thread_reaches_the_caller(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite3") as store:
        with (
            pytest.raises(sqlite3.IntegrityError, match="NOT NULL"),
            store.transaction(),
            store.bulk_load() as loader,
        ):
            loader.load_rows("stories", [("id", "when", "fp", None, None)])  # topics may not be NULL
        assert store.story_count() == 0  # rolled back, and the store is usable again


def test_no_other_store_call_while_the_loader_has_work_pending(tmp_path: Path) -> None:
    release = threading.Event()
    with StateStore(tmp_path / "s.sqlite3") as store, store.transaction():
        with store.bulk_load() as loader:
            loader._submit(release.wait)  # keep the helper thread busy
            with pytest.raises(StoreBusy):
                store.story_count()
            with pytest.raises(StoreBusy):
                store.put_feed_entries([("ai", "k", "id")])
            release.set()
            loader.wait()
            assert store.story_count() == 0  # handed back once the work is done
        assert store.feed_totals() == {}


def test_a_second_bulk_load_on_one_store_is_refused(tmp_path: Path) -> None:
    with (
        StateStore(tmp_path / "s.sqlite3") as store,
        store.transaction(),
        store.bulk_load(),
        pytest.raises(StoreBusy),
        store.bulk_load(),
    ):
        pass


def _protocol_methods(protocol: type) -> list[str]:
    return [name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_")]


def test_the_sqlite_store_and_the_feed_sources_implement_their_protocols() -> None:
    import inspect

    from aggregator.index.views import FeedSource, Snapshot, StoredFeeds
    from aggregator.state.protocol import StateBackend
    from aggregator.state.store import StateStore

    pairs = [(StateBackend, StateStore), (FeedSource, Snapshot), (FeedSource, StoredFeeds)]
    for protocol, implementation in pairs:
        methods = _protocol_methods(protocol)
        assert methods, protocol
        for name in methods:
            wanted = list(inspect.signature(getattr(protocol, name)).parameters)
            got = list(inspect.signature(getattr(implementation, name)).parameters)
            assert got == wanted, (implementation.__name__, name)


# --- stored headlines by day, for the incremental walk ------------------------------------

WORDS = ["apple", "iphone", "port", "usb", "storm", "harbour", "town", "chess", "retires"]
node_rows = st.lists(
    st.tuples(st.integers(0, 5 * DAY), st.sets(st.sampled_from(WORDS), max_size=6)), max_size=40
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=node_rows,
    words=st.sets(st.sampled_from(WORDS), min_size=1, max_size=6),
    start=st.integers(-DAY, 5 * DAY),
    span=st.integers(0, 3 * DAY),
    overlap=st.integers(1, 6),
)
def test_dated_headlines_find_exactly_the_members_sharing_enough_words(
    tmp_path: Path, rows, words, start: int, span: int, overlap: int
) -> None:
    path = tmp_path / "dated.sqlite3"
    path.unlink(missing_ok=True)
    nodes = [
        NodeRow(f"https://e.example/{i}", f"s{i}", "file", "", ts, " ".join(sorted(w)))
        for i, (ts, w) in enumerate(rows)
    ]
    with StateStore(path) as store:
        with store.transaction():
            store.replace_nodes([], nodes)
        found = DatedHeadlines(store).candidates(frozenset(words), start, start + span, overlap)
    expected = sorted(
        (n.canonical, n.ts, frozenset(n.words.split()))
        for n in nodes
        if start <= n.ts <= start + span and len(words & set(n.words.split())) >= overlap
    )
    assert sorted(found) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.sets(
        st.tuples(
            st.sampled_from(["a", "ai", "ai-x", "b", "é", "🚀", "all"]),
            st.text("0123456789Z:-T", min_size=1, max_size=6),
            st.text("abc", min_size=1, max_size=3),
        ),
        max_size=40,
    )
)
def test_feed_totals_count_each_feed_and_find_its_newest_key(tmp_path: Path, rows: set) -> None:
    unique = {(slug, story): key for slug, key, story in rows}  # (slug, story) is the key
    with StateStore(tmp_path / "totals.sqlite3") as store, store.transaction():
        store.put_feed_entries([(slug, key, story) for (slug, story), key in unique.items()])
        expected: dict[str, tuple[int, str]] = {}
        for (slug, _story), key in unique.items():
            count, newest = expected.get(slug, (0, ""))
            expected[slug] = (count + 1, max(newest, key))
        totals = store.feed_totals()
        assert totals == expected
        assert list(totals) == sorted(expected)  # in slug order
        store.db.execute("DELETE FROM feed_entries")
