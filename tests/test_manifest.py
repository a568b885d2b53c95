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
