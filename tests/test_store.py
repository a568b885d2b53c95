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
from aggregator.state.bulk import StoreBusy
from aggregator.state.protocol import StateBackend
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


# --- the headline word index ----------------------------------------------------------

NODES = [
    NodeRow("https://a.example/1", "s1", "file", "", 1_000, "apple iphone port unveils usb"),
    NodeRow("https://b.example/1", "s2", "file", "", 2_000, "apple iphone port unveils"),
    NodeRow("https://c.example/1", "s3", "file", "", 9_000, "apple iphone port unveils usb"),
    NodeRow("https://d.example/1", "s4", "file", "", 1_500, "harbour hits storm"),
    NodeRow("https://e.example/1", "s5", "related", "x.md", None, "apple iphone port unveils usb"),
    NodeRow("https://f.example/1", "s6", "file", "", 1_200, ""),
]
APPLE = ["apple", "iphone", "port", "unveils", "usb"]


def _sharing(store: StateBackend, words: list[str], start: int, end: int, at_least: int) -> list[str]:
    return sorted(row[0] for row in store.nodes_sharing_words(words, start, end, at_least))


def _check_word_index(store: StateBackend) -> None:
    """Bulk-loaded, then kept row by row: the index answers by words, window and overlap."""
    with store.transaction(), store.bulk_load() as loader:
        loader.load_rows("nodes", sorted(NODES))
    assert _sharing(store, APPLE, 0, 5_000, 4) == ["https://a.example/1", "https://b.example/1"]
    assert _sharing(store, APPLE, 0, 5_000, 5) == ["https://a.example/1"]  # b shares four
    assert _sharing(store, APPLE, 0, 10_000, 5) == ["https://a.example/1", "https://c.example/1"]
    assert _sharing(store, ["storm", "harbour", "town"], 0, 5_000, 2) == ["https://d.example/1"]
    assert _sharing(store, [], 0, 10_000, 1) == []
    with store.transaction():  # b's headline changes, c moves out of reach, d goes
        store.replace_nodes(
            ["https://d.example/1"],
            [
                NodeRow("https://b.example/1", "s2", "file", "", 2_000, "harbour storm town"),
                NodeRow("https://c.example/1", "s3", "file", "", 90_000, "apple iphone port unveils usb"),
            ],
        )
    assert _sharing(store, APPLE, 0, 10_000, 3) == ["https://a.example/1"]
    assert _sharing(store, ["storm", "harbour", "town"], 0, 5_000, 2) == ["https://b.example/1"]
    assert _sharing(store, APPLE, 80_000, 100_000, 5) == ["https://c.example/1"]


def test_the_headline_word_index_in_sqlite(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite3") as store:
        _check_word_index(store)
        rows = store.db.execute("SELECT word, ts, canonical FROM node_words").fetchall()
    assert ("port", 90_000, "https://c.example/1") in rows and len(rows) == 5 + 3 + 5  # a, b, c


def test_the_headline_word_index_in_postgresql(pg_url: str) -> None:
    from aggregator.state.pg.store import PostgresStore

    with PostgresStore(pg_url) as store:
        _check_word_index(store)
        count = store.db.execute("SELECT count(*) FROM node_words").fetchone()[0]
    assert count == 5 + 3 + 5
