"""The state store's bulk path stores exactly what its row-by-row path stores."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aggregator.store as store_module
from aggregator.store import StateStore

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)  # a lone surrogate is not text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(texts, texts), max_size=20, unique_by=lambda row: row))
def test_rows_loaded_in_bulk_read_back_as_given(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    path = tmp_path / "bulk.sqlite3"
    path.unlink(missing_ok=True)
    with StateStore(path) as store, store.transaction():
        with store.bulk_load():
            store.load_rows("links", rows)
        store.settle()
        stored = store.db.execute("SELECT path, canonical FROM links").fetchall()
        by_row = store.links_of_paths(sorted({p for p, _c in rows}))
    assert sorted(stored) == sorted(rows) == sorted(by_row)


def test_a_nul_in_a_row_survives_the_bulk_path(tmp_path: Path, monkeypatch) -> None:
    # SQLite's JSON functions cut text at an escaped NUL; such a chunk takes the other way in.
    monkeypatch.setattr(store_module, "_LOAD_CHUNK", 2)
    rows = [(f"{i}.md", f"https://e.example/{i}") for i in range(7)]
    rows[3] = ("a\x00b.md", "https://e.example/\x00")
    rows[5] = ("plain.md", 'https://e.example/é\n"\\\\')
    with StateStore(tmp_path / "s.sqlite3") as store, store.transaction():
        with store.bulk_load():
            store.load_rows("links", rows)
        store.settle()
        assert sorted(store.db.execute("SELECT path, canonical FROM links").fetchall()) == sorted(rows)


def test_an_error_on_the_helper_thread_reaches_the_caller(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite3") as store:
        store.db.execute("BEGIN")
        with store.bulk_load():
            store.load_rows("stories", [("id", "when", "fp", None, None)])  # topics may not be NULL
        try:
            store.settle()
        except Exception as exc:
            assert "NOT NULL" in str(exc)
        else:
            raise AssertionError("the failed insert went unnoticed")
        store.db.execute("ROLLBACK")
