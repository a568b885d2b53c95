"""Incremental rebuilds: only what changed is read and written, and the result always
equals a full rebuild."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import feedparser
from conftest import Workspace, article, related
from feedcheck import assert_valid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.index import incremental


def test_no_change_rebuild_reads_and_writes_nothing(ws: Workspace) -> None:
    for index in range(5):
        ws.add(
            f"n/{index}.md",
            article(f"Story number {index} about {'abcde'[index]} things", f"https://e.example/{index}"),
        )
    ws.build()
    old = time_shift(ws.content, seconds=-60)  # out of the racy window
    ws.build()
    report = ws.build()
    assert report["nothing_changed"] is True
    assert report["parsed"] == 0 and report["written"] == []
    assert old == 5


def time_shift(folder: Path, seconds: int) -> int:
    """Move every file's mtime back, as if written long ago."""
    count = 0
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))
            count += 1
    return count


def test_touch_without_change_parses_nothing_and_writes_nothing(ws: Workspace) -> None:
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1"))
    ws.add("b.md", article("Chess champion retires", "https://b.example/2", topics=["Chess"]))
    time_shift(ws.content, -60)
    ws.build()
    (ws.content / "a.md").touch()
    report = ws.build()
    assert report["parsed"] == 0
    assert report["written"] == []


def test_a_new_article_codec_version_parses_every_file_again(ws: Workspace, monkeypatch) -> None:
    from aggregator.ingest import codec

    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1"))
    ws.add("b.md", article("Chess champion retires", "https://b.example/2", topics=["Chess"]))
    time_shift(ws.content, -60)
    ws.build()
    assert ws.build()["parsed"] == 0
    monkeypatch.setattr(codec, "CODEC_VERSION", codec.CODEC_VERSION + "-next")
    assert ws.build()["parsed"] == 2


def test_one_edit_rewrites_only_the_affected_feeds(ws: Workspace) -> None:
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1", topics=["Geology"]))
    ws.add("b.md", article("Chess champion retires", "https://b.example/2", topics=["Chess"]))
    time_shift(ws.content, -60)
    ws.build()
    ws.add(
        "a.md",
        article(
            "Volcano erupts near island",
            "https://a.example/1",
            topics=["Geology"],
            excerpt="Now with more lava.",
        ),
    )
    report = ws.build()
    assert report["parsed"] == 1
    written = set(report["written"])
    assert {f"feeds/{s}.{f}" for s in ("all", "geology") for f in ("atom", "rss", "json")} <= written
    assert {"topics/geology/index.html", "index.html"} <= written
    assert (
        not {"feeds/chess.atom", "feeds/chess.rss", "feeds/chess.json", "topics/chess/index.html"} & written
    )
    assert "Now with more lava." in ws.read("feeds/geology.atom").decode()


def test_rename_keeps_the_story_and_its_id(ws: Workspace) -> None:
    ws.add("old/name.md", article("Volcano erupts near island", "https://a.example/1"))
    ws.build()
    before = feedparser.parse(ws.read("feeds/all.atom")).entries[0].id
    (ws.content / "new").mkdir()
    (ws.content / "old" / "name.md").rename(ws.content / "new" / "other name.md")
    report = ws.build()
    assert report["files_removed"] == 1
    entries = feedparser.parse(ws.read("feeds/all.atom")).entries
    assert [e.id for e in entries] == [before]


def test_two_changes_within_one_mtime_tick_are_both_seen(ws: Workspace) -> None:
    path = ws.add("a.md", article("Volcano erupts near island", "https://a.example/1", excerpt="First."))
    stat = path.stat()
    ws.build()
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1", excerpt="Other."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert path.stat().st_size == stat.st_size
    ws.build()
    assert "Other." in ws.read("feeds/all.atom").decode()


def test_deleting_the_state_store_is_safe(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1"))
    ws.build()
    outputs = ws.outputs()
    shutil.rmtree(ws.state.parent)
    report = ws.build()
    assert report["parsed"] == 3
    assert ws.outputs() == outputs


def test_a_first_build_moves_its_store_into_place_only_when_done(ws: Workspace) -> None:
    ws.copy_seeds()
    # What an interrupted first build, or a store deleted without its log, leaves behind.
    scratch = ws.state.with_name(ws.state.name + ".new")
    stale_log = ws.state.with_name(ws.state.name + "-wal")
    ws.state.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_bytes(b"half a database")
    stale_log.write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 60)
    report = ws.build()
    assert report["parsed"] == 2
    assert not scratch.exists()
    with sqlite3.connect(ws.state) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 2
    assert ws.build()["written"] == []


def test_state_store_is_a_real_sqlite_file_without_private_fields(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.build()
    with sqlite3.connect(ws.state) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"files", "links", "nodes", "stories", "feed_entries"} <= tables
    # A full pass sets indexes aside while it loads the tables: they must all be back.
    indexes = {
        "files_due",
        "files_status",
        "files_problems",
        "links_canonical",
        "nodes_story",
        "nodes_ts",
        "feed_entries_order",
        "feed_entries_story",
    }
    for args in (None, ("--full",)):  # after the first build, then after a full rebuild
        if args:
            ws.build(*args)
        with sqlite3.connect(ws.state) as db:
            names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert indexes <= names, args
    with sqlite3.connect(ws.state) as db:
        dump = "\n".join(db.iterdump())
    assert "secured" not in dump
    assert "+ujiZh6UgCq0i" not in dump


# --- the property: any sequence of changes gives what a full rebuild gives -------------

TITLES = [
    "Apple unveils new iPhone 15 with USB-C port",
    "Apple unveils the new iPhone 15 with a USB-C port",
    "Volcano erupts near island village",
    "Chess champion retires after twenty years",
    "Storm hits harbour town overnight",
    "Storm hits harbour town",
]
URLS = [f"https://site{i}.example/story/{i}" for i in range(6)]


def make_article(slot: int, variant: int) -> dict[str, Any]:
    """A small universe of articles that relate, share headlines and move in time."""
    rel: list[dict[str, Any]] = []
    if variant % 3 == 1:
        rel.append(related(TITLES[(slot + 1) % 6], URLS[(slot + 1) % 6]))
    if variant % 4 == 2:
        rel.append(related("Outside view", f"https://outside.example/{slot}"))
    return article(
        TITLES[(slot + variant) % 6] if variant % 5 == 4 else TITLES[slot],
        URLS[slot] + ("?utm_source=x" if variant % 2 else ""),
        f"2024-05-0{1 + variant % 3}T1{slot}:00:00Z",
        topics=[["AI"], ["ai ", "Science"], ["Chess"]][variant % 3],
        quality=10 * variant,
        excerpt=f"Variant {variant}.",
        published=variant % 7 != 6,
        related=rel,
        # Some copies are revised later than others: which copy is published moves.
        **({"updatedDateTime": f"2024-05-04T0{variant % 4}:00:00Z"} if variant % 3 == 2 else {}),
    )


operation = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 5), st.integers(0, 8)),
    st.tuples(st.just("delete"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("rename"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("touch"), st.integers(0, 5), st.just(0)),
    st.tuples(st.just("duplicate"), st.integers(0, 5), st.integers(0, 8)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=8))
def test_incremental_output_equals_a_full_rebuild(tmp_path_factory, ops: list[tuple[str, int, int]]) -> None:
    check_incremental_equals_full(tmp_path_factory, ops)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=8))
def test_the_time_suffix_neighbourhood_equals_a_full_rebuild(
    tmp_path_factory, monkeypatch, ops: list[tuple[str, int, int]]
) -> None:
    # As where headlines are dense: the headline walk is given up at once, so every
    # incremental pass with a dated member re-clusters the stories of its time suffix.
    monkeypatch.setattr(incremental, "HEADLINE_WALK_MIN", 0)
    monkeypatch.setattr(incremental, "HEADLINE_WALK_COST", 10**9)
    check_incremental_equals_full(tmp_path_factory, ops)


def check_incremental_equals_full(tmp_path_factory, ops: list[tuple[str, int, int]]) -> None:
    ws = Workspace(tmp_path_factory.mktemp("inc"))
    ws.write_config({"feeds": {"max_items": 3}})  # so the cap decides what a feed holds
    names: dict[int, str] = {}
    for step, (kind, slot, variant) in enumerate(ops):
        current = names.get(slot)
        if kind == "write" or (kind != "duplicate" and current is None):
            name = current or f"s{slot}.md"
            ws.add(name, make_article(slot, variant))
            names[slot] = name
        elif kind == "delete":
            ws.remove(current)
            del names[slot]
        elif kind == "rename":
            name = f"moved/{step}-{slot}.md"
            (ws.content / "moved").mkdir(exist_ok=True)
            (ws.content / current).rename(ws.content / name)
            names[slot] = name
        elif kind == "touch":
            (ws.content / current).touch()
        elif kind == "duplicate":
            ws.add(f"dup{step}.md", make_article(slot, variant))
        last = ws.build()
        for name, data in ws.outputs().items():
            if name.endswith(".atom"):
                assert_valid("atom", data)
                ids = [e.id for e in feedparser.parse(data).entries]
                assert len(ids) == len(set(ids)), name

    incremental = ws.outputs()
    stories = json.loads(ws.cli("stories", "--json").stdout)
    tables = derived_tables(ws.state)
    full = ws.build("--full")
    assert full["written"] == [] and full["removed"] == [], (
        "a full rebuild disagrees with the incremental one"
    )
    assert ws.outputs() == incremental
    assert [(w["path"], w["reason"]) for w in full["warnings"]] == [
        (w["path"], w["reason"]) for w in last["warnings"]
    ]
    assert json.loads(ws.cli("stories", "--json").stdout) == stories
    assert derived_tables(ws.state) == tables  # filled in bulk by a full pass, row by row otherwise


def derived_tables(state: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(state) as db:
        return {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("links", "nodes", "stories", "feed_entries", "topic_names")
        }


def test_parse_pool_gives_what_one_process_gives(make_ws, monkeypatch) -> None:
    import aggregator.ingest.parse as parsing

    pooled, single = make_ws("pooled"), make_ws("single")
    for w in (pooled, single):
        w.copy_seeds()
        for slot in range(6):
            for variant in range(3):
                w.add(f"v{variant}/s{slot}.md", make_article(slot, variant))
        w.add("broken.md", "no front matter\n")
    single.build()
    monkeypatch.setattr(parsing, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(parsing, "BATCH_SIZE", 4)
    report = pooled.build()
    assert report["parsed"] == 21 and [s["path"] for s in report["skipped"]] == ["broken.md"]
    assert pooled.outputs() == single.outputs()
