"""The state in PostgreSQL: a real throwaway server, the CLI as users run it.

A PostgreSQL build must give what a SQLite build of the same content gives, byte for
byte, first and after every kind of change, and stay incremental.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import psycopg
import pytest
from conftest import Workspace, article, related
from test_serve_e2e import headline

from aggregator.config import load_config
from aggregator.state.pg.lock import BUILD_LOCK_KEY
from aggregator.state.schema import SCHEMA_VERSION


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fill(ws: Workspace) -> None:
    ws.copy_seeds()
    for i in range(12):
        ws.add(
            f"gen/story-{i:02d}.md",
            article(
                title=headline(f"story-{i}"),
                url=f"https://example.com/robots/{i}",
                date=f"2024-05-0{1 + i % 8}T1{i % 10}:00:00Z",
                topics=["Robotics", "AI"] if i % 2 else ["Robotics", "Computer Vision"],
                related=[related(f"Coverage of robots {i}", f"https://other.example/r/{i}")],
            ),
        )
    # Two outlets covering one event: merged by their shared related link.
    ws.add(
        "gen/merge-a.md",
        article(
            title="Rover lands",
            url="https://a.example/rover",
            related=[related("x", "https://shared.example/rover")],
        ),
    )
    ws.add(
        "gen/merge-b.md",
        article(
            title="The rover is down",
            url="https://b.example/rover",
            related=[related("y", "https://shared.example/rover")],
        ),
    )


@pytest.fixture
def pair(make_ws, pg_url: str) -> tuple[Workspace, Workspace]:
    lite, pg = make_ws("sqlite"), make_ws("pg")
    pg.write_config({"state": {"url": pg_url}})
    for ws in (lite, pg):
        fill(ws)
    return lite, pg


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> list[dt.datetime]:
    """The build's clock, stopped: a story's `updated` is when a build saw it change, so
    two builds compared byte for byte must run at the same instant."""
    now = [dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr("aggregator.build.now_utc", lambda: now[0])
    return now


def both(
    pair: tuple[Workspace, Workspace], *args: str, clock: list[dt.datetime] | None = None
) -> tuple[dict, dict]:
    lite, pg = pair
    if clock is not None:
        clock[0] += dt.timedelta(minutes=5)
    return lite.build(*args), pg.build(*args)


def same_site(pair: tuple[Workspace, Workspace]) -> None:
    lite, pg = pair
    a, b = tree(lite.output), tree(pg.output)
    assert sorted(a) == sorted(b)
    assert a == b, [name for name in a if a[name] != b[name]]


def test_a_postgresql_build_equals_a_sqlite_build_first_and_after_each_change(pair, clock) -> None:
    pg = pair[1]
    first_lite, first_pg = both(pair)
    assert first_pg["stories"] == first_lite["stories"] >= 12
    assert not (pg.root / "state" / "state.sqlite3").exists()  # nothing went to the file
    same_site(pair)

    for ws in pair:  # an edit, an addition and a removal
        ws.add("gen/story-03.md", article(title=headline("edited"), url="https://example.com/robots/3"))
        ws.add(
            "gen/new.md",
            article(title="A new story about robots", url="https://example.com/new", topics=["Space"]),
        )
        ws.remove("gen/story-05.md")
    r_lite, r_pg = both(pair, clock=clock)
    assert r_pg["parsed"] == r_lite["parsed"] == 2  # incremental: only what changed was read
    assert r_pg["files_removed"] == 1
    same_site(pair)

    r_lite, r_pg = both(pair)  # nothing new: nothing read, nothing written
    assert r_pg["parsed"] == r_lite["parsed"] == 0
    assert r_pg["written"] == r_lite["written"] == []

    both(pair, "--full", clock=clock)
    same_site(pair)


def test_story_ids_survive_in_postgresql_as_in_sqlite(pair) -> None:
    both(pair)
    ids = [json.loads(ws.read("all.json"))["items"] for ws in pair]
    assert [i["id"] for i in ids[0]] == [i["id"] for i in ids[1]]
    for ws in pair:  # a member's edit keeps its story's id
        ws.add(
            "gen/merge-b.md",
            article(
                title="The rover is down, officially",
                url="https://b.example/rover",
                related=[related("y", "https://shared.example/rover")],
            ),
        )
    both(pair)
    after = [json.loads(ws.read("all.json"))["items"] for ws in pair]
    assert [i["id"] for i in after[0]] == [i["id"] for i in after[1]]
    assert {i["id"] for i in after[1]} == {i["id"] for i in ids[1]}


def test_the_schema_is_versioned_and_another_version_starts_afresh(ws: Workspace, pg_url: str) -> None:
    ws.write_config({"state": {"url": pg_url}})
    ws.copy_seeds()
    ws.build()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] > 0
        conn.execute("UPDATE schema_version SET version = 'old'")
        conn.execute(
            "INSERT INTO files (path, size, mtime_ns, hash, status) VALUES ('ghost.md', 1, 1, 'h', 'ok')"
        )
    report = ws.build()
    assert report["parsed"] == report["files_scanned"]  # started afresh: everything read again
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert conn.execute("SELECT COUNT(*) FROM files WHERE path = 'ghost.md'").fetchone()[0] == 0


def test_the_environment_names_the_database_and_wins_over_the_file(
    ws: Workspace, pg_url: str, monkeypatch
) -> None:
    ws.write_config({"state": {"url": "postgresql://nobody@127.0.0.1:1/none"}})
    monkeypatch.setenv("AGGREGATOR_STATE_URL", pg_url)
    assert load_config(ws.config).state_url == pg_url
    ws.copy_seeds()
    assert ws.build()["stories"] > 0
    monkeypatch.setenv("AGGREGATOR_STATE_URL", "mysql://x@127.0.0.1/db")
    result = ws.cli("build", expect=2)
    assert "$AGGREGATOR_STATE_URL: must be a postgresql://" in result.output


def test_an_unreachable_database_is_a_clear_error(ws: Workspace) -> None:
    port = __import__("pgserver").free_port()
    ws.write_config({"state": {"url": f"postgresql://agg:secret@127.0.0.1:{port}/feeds"}})
    ws.copy_seeds()
    result = ws.cli("build", expect=1)
    assert (
        f"cannot connect to the state database postgresql://agg:***@127.0.0.1:{port}/feeds" in result.output
    )
    assert "secret" not in result.output and "Traceback" not in result.output
    assert not ws.output.exists() or not any(ws.output.iterdir())


def test_a_build_waits_for_the_advisory_lock_and_gives_up_after_the_timeout(
    ws: Workspace, pg_url: str
) -> None:
    ws.write_config({"state": {"url": pg_url}, "schedule": {"lock_timeout_seconds": 1}})
    ws.copy_seeds()
    holder = psycopg.connect(pg_url, autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        started = time.monotonic()
        result = ws.cli("build", expect=1)
        assert time.monotonic() - started >= 1
        assert "another build is running" in result.output
        assert "another build held the lock advisory lock in" in result.output
        assert not ws.output.exists()
        # Released while a build waits: that build goes ahead.
        ws.write_config({"state": {"url": pg_url}, "schedule": {"lock_timeout_seconds": 30}})
        threading.Timer(1.0, holder.close).start()
        assert ws.build()["stories"] > 0
    finally:
        holder.close()


def test_stories_lists_the_ids_the_postgresql_store_holds(pair) -> None:
    both(pair)
    listed = [json.loads(ws.cli("stories", "--json").stdout) for ws in pair]
    published = {item["id"] for item in json.loads(pair[1].read("all.json"))["items"]}
    assert [s["id"] for s in listed[0]] == [s["id"] for s in listed[1]]
    assert {s["id"] for s in listed[1]} == published
