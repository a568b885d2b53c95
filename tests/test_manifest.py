"""The manifest blob: lossless, and its fast comparison finds what a dictionary would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.ingest.scan import FileEntry
from aggregator.state.manifest import Manifest

names = st.text(
    alphabet=st.characters(blacklist_characters="\0/", blacklist_categories=("Cs",)), min_size=1, max_size=8
)
paths = st.one_of(names, st.sampled_from(["a.md", "b.md", "x/\udcff.md", "é.md"]))
stats = st.tuples(st.integers(-1, 2**40), st.integers(-1, 2**62))
entries = st.dictionaries(paths, stats, max_size=12)


@settings(max_examples=300, deadline=None)
@given(entries)
def test_the_blob_gives_back_what_went_in(mapping: dict[str, tuple[int, int]]) -> None:
    manifest = Manifest.from_blob(Manifest.from_mapping(mapping).to_blob())
    assert manifest.as_dict() == mapping
    assert manifest.paths == sorted(mapping)


@settings(max_examples=300, deadline=None)
@given(entries, entries, st.booleans())
def test_diff_finds_what_a_dictionary_finds(old: dict, new: dict, same_paths: bool) -> None:
    if same_paths:  # the fast path: every path still there, some stats changed
        new = {path: new.get(path, stat) for path, stat in old.items()}
    files = sorted(FileEntry(path, size, mtime) for path, (size, mtime) in new.items())
    changed, removed = Manifest.from_mapping(old).diff(files)
    assert changed == [entry for entry in files if old.get(entry.path) != (entry.size, entry.mtime_ns)]
    assert removed == sorted(set(old) - set(new))


@settings(max_examples=300, deadline=None)
@given(
    entries,
    st.lists(st.tuples(paths, *[st.integers(-1, 2**40)] * 2), max_size=8),
    st.lists(paths, max_size=6),
)
def test_changes_in_place_give_what_a_dictionary_gives(old: dict, updates: list, gone: list) -> None:
    manifest = Manifest.from_mapping(old)
    manifest.apply(updates, gone)
    expected = dict(old)
    for path, size, mtime in updates:
        expected[path] = (size, mtime)
    for path in gone:
        expected.pop(path, None)
    assert manifest.as_dict() == expected
    assert manifest.paths == sorted(expected)


def test_a_store_keeps_its_manifest_through_edits_additions_and_a_rollback(tmp_path) -> None:
    import pytest

    from aggregator.model import FileRecord, FileStatus
    from aggregator.state.store import StateStore

    def record(path: str, size: int) -> FileRecord:
        return FileRecord(path=path, size=size, mtime_ns=size * 10, hash="h", status=FileStatus.SKIPPED)

    state = tmp_path / "s.sqlite3"
    with StateStore(state) as store, store.transaction():
        store.put_files([record(f"{i:04d}.md", i) for i in range(1500)])  # more than in place
        store.save_manifest()
    with StateStore(state) as store:
        assert len(store.manifest().paths) == 1500
        with store.transaction():
            store.put_files([record("0007.md", 70), record("new.md", 5)])  # in place
            store.delete_files(["0001.md"])
            store.save_manifest()
        with pytest.raises(RuntimeError), store.transaction():
            store.put_files([record("0008.md", 80)])
            raise RuntimeError("the build failed")
        seen = store.manifest().as_dict()  # as committed, not with the undone change
    with StateStore(state) as store:
        assert store.manifest().as_dict() == seen
    assert seen["0007.md"] == (70, 700) and seen["new.md"] == (5, 50) and "0001.md" not in seen
    assert seen["0008.md"] == (8, 80) and len(seen) == 1500


def _files_table(path) -> dict[str, tuple[int, int]]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return {p: (size, mtime) for p, size, mtime in db.execute("SELECT path, size, mtime_ns FROM files")}


def _blob(path, key: str) -> bytes | None:
    import sqlite3

    with sqlite3.connect(path) as db:
        row = db.execute("SELECT value FROM blobs WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def test_a_few_changes_go_to_the_journal_and_the_blob_stays_as_written(tmp_path) -> None:
    from aggregator.model import FileRecord, FileStatus
    from aggregator.state.store import StateStore

    def record(path: str, size: int) -> FileRecord:
        return FileRecord(path=path, size=size, mtime_ns=size * 10, hash="h", status=FileStatus.SKIPPED)

    state = tmp_path / "s.sqlite3"
    with StateStore(state) as store, store.transaction():
        store.put_files([record(f"{i:04d}.md", i) for i in range(1200)])
        store.save_manifest()
    blob = _blob(state, "manifest")
    assert blob is not None and _blob(state, "manifest_journal") is None
    with StateStore(state) as store, store.transaction():  # never loads the manifest
        store.put_files([record("0003.md", 33)])
        store.delete_files(["0004.md"])
        store.save_manifest()
    with StateStore(state) as store, store.transaction():  # loads it, changes a few more
        assert store.manifest().as_dict() == _files_table(state)
        store.put_files([record("zz.md", 1)])
        store.save_manifest()
    assert _blob(state, "manifest") == blob  # a quarter of a second at a million files, saved
    with StateStore(state) as store:
        assert store.manifest().as_dict() == _files_table(state)
    with StateStore(state) as store, store.transaction():  # more than in place: written whole
        store.put_files([record(f"{i:04d}.md", i + 1) for i in range(1100)])
        store.save_manifest()
    assert _blob(state, "manifest") != blob and _blob(state, "manifest_journal") is None
    with StateStore(state) as store:
        assert store.manifest().as_dict() == _files_table(state)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),  # does this connection load the manifest first?
            st.lists(st.tuples(st.integers(0, 30), st.integers(0, 9)), max_size=6),  # (file, size) put
            st.lists(st.integers(0, 30), max_size=3),  # files deleted
            st.booleans(),  # does the transaction roll back?
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_blob_and_its_journal_always_say_what_the_table_says(steps) -> None:
    import tempfile
    from pathlib import Path

    from aggregator.model import FileRecord, FileStatus
    from aggregator.state import manifest as manifest_module
    from aggregator.state.store import StateStore

    limit = manifest_module.IN_PLACE_LIMIT
    manifest_module.IN_PLACE_LIMIT = 5  # journal and whole writes both happen in a few steps
    try:
        with tempfile.TemporaryDirectory() as folder:
            state = Path(folder) / "s.sqlite3"
            for load_first, puts, deletes, fails in steps:
                with StateStore(state) as store:
                    try:
                        with store.transaction():
                            if load_first:
                                store.manifest()
                            store.put_files(
                                [
                                    FileRecord(
                                        path=f"{i}.md",
                                        size=size,
                                        mtime_ns=size,
                                        hash="h",
                                        status=FileStatus.SKIPPED,
                                    )
                                    for i, size in dict(puts).items()
                                ]
                            )
                            store.delete_files([f"{i}.md" for i in deletes])
                            if fails:
                                raise RuntimeError("rolled back")
                            store.save_manifest()
                    except RuntimeError:
                        pass
                    assert store.manifest().as_dict() == _files_table(state)
                with StateStore(state) as store:
                    assert store.manifest().as_dict() == _files_table(state)
    finally:
        manifest_module.IN_PLACE_LIMIT = limit
