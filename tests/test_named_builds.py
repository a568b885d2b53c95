"""Builds told which files changed (`aggregator build --changed`, the daemon's watcher)
look at those files alone, and publish what a walk of the whole folder would have."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

from conftest import Workspace, article, related
from test_watch import until

from aggregator.config import config_from_mapping
from aggregator.ingest.named import scan_named
from aggregator.serve.scheduler import RebuildJob
from aggregator.serve.watch import ContentWatcher

PATTERNS = ("*.md", "*.txt")


def fill(ws: Workspace) -> None:
    ws.add("2024/05/a.md", article("Quantum chip breaks record", "https://one.example/a", topics=["AI"]))
    ws.add(
        "2024/05/b.md",
        article(
            "Rover finds water ice",
            "https://two.example/b",
            topics=["Space"],
            related=[related("Water ice found by rover", "https://three.example/c")],
        ),
    )
    ws.add("2024/06/c.txt", article("Fusion plant starts up", "https://four.example/d", topics=["AI"]))


def test_named_edits_additions_renames_and_deletions_publish_what_a_walk_would(
    tmp_path: Path, monkeypatch
) -> None:
    """Two sites with one history: one told each change, the other walking its folder."""
    clock = [dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr("aggregator.build.now_utc", lambda: clock[0])
    sites = []
    for name in ("named", "walked"):
        (tmp_path / name).mkdir()
        sites.append(Workspace(tmp_path / name))
    named, walked = sites

    def step(change, paths: list[str]) -> dict:
        clock[0] += dt.timedelta(minutes=5)
        for site in sites:
            change(site)
        assert walked.build()["scan"] == "walk"
        report = named.build(*[arg for path in paths for arg in ("--changed", str(named.content / path))])
        assert report["scan"] == "named"
        assert named.outputs() == walked.outputs()
        return report

    for site in sites:
        fill(site)
        site.build()
    # A first build has every file to read: told paths or not, only a walk lists them.
    assert named.build("--full", "--changed", str(named.content / "2024/05/a.md"))["scan"] == "walk"
    edit = article("Quantum chip breaks a new record", "https://one.example/a", topics=["AI"])
    report = step(lambda site: site.add("2024/05/a.md", edit), ["2024/05/a.md"])
    assert (report["files_scanned"], report["files_changed"], report["files_removed"]) == (1, 1, 0)
    comet = article("Comet passes close by", "https://five.example/e", topics=["Space"])
    step(lambda site: site.add("2024/07/new.md", comet), ["2024/07/new.md"])
    step(
        lambda site: os.rename(site.content / "2024/05/b.md", site.content / "b.md"), ["2024/05/b.md", "b.md"]
    )
    report = step(lambda site: site.remove("2024/06/c.txt"), ["2024/06/c.txt"])
    assert (report["files_scanned"], report["files_removed"]) == (0, 1)
    atom = named.read("all.atom")
    assert b"Quantum chip breaks a new record" in atom and b"Fusion plant" not in atom


def test_a_change_that_is_not_named_waits_for_the_next_walk(ws: Workspace) -> None:
    fill(ws)
    ws.build()
    ws.add(
        "2024/05/a.md", article("Quantum chip breaks a new record", "https://one.example/a", topics=["AI"])
    )
    ws.add("2024/05/b.md", article("Rover finds more ice", "https://two.example/b", topics=["Space"]))
    ws.build("--changed", str(ws.content / "2024/05/a.md"))
    atom = ws.read("all.atom")
    assert b"Quantum chip breaks a new record" in atom and b"Rover finds water ice" in atom
    assert ws.build()["files_changed"] == 1  # the walk finds b.md; a.md is already known
    assert b"Rover finds more ice" in ws.read("all.atom")


def test_paths_relative_to_the_working_folder_and_a_path_outside_is_refused(
    ws: Workspace, monkeypatch
) -> None:
    fill(ws)
    ws.build()
    monkeypatch.chdir(ws.content)
    ws.add(
        "2024/05/a.md", article("Quantum chip breaks a new record", "https://one.example/a", topics=["AI"])
    )
    assert ws.build("--changed", "2024/05/a.md")["files_changed"] == 1
    result = ws.cli("build", "--changed", str(ws.root / "elsewhere.md"), expect=2)
    assert "not inside the content folder" in result.output
    assert "Traceback" not in result.output


def test_what_only_a_walk_can_tell_makes_it_walk(ws: Workspace) -> None:
    fill(ws)
    (ws.root / "shelf").mkdir()
    (ws.root / "shelf" / "x.md").write_text("not yet linked", encoding="utf-8")
    ws.build()
    os.symlink(ws.root / "shelf", ws.content / "linked")  # a symlinked folder
    report = ws.build("--changed", str(ws.content / "linked" / "x.md"))
    assert report["scan"] == "walk"
    assert report["files_scanned"] == 3  # the link leads outside: reported, not followed
    assert any(p["path"] == "linked" and "outside" in p["reason"] for p in report["skipped"])
    # A named folder is listed only by the walk too.
    assert ws.build("--changed", str(ws.content / "2024"))["scan"] == "named"  # not an article name
    assert scan_named(ws.content, ("*",), ["2024"]) is None


def test_the_walks_problems_are_still_reported_by_a_named_build(ws: Workspace) -> None:
    fill(ws)
    os.symlink(ws.root / "nowhere.md", ws.content / "dangling.md")
    first = ws.build()
    assert [(p["path"], p["new"]) for p in first["skipped"]] == [("dangling.md", True)]
    ws.add(
        "2024/05/a.md", article("Quantum chip breaks a new record", "https://one.example/a", topics=["AI"])
    )
    named = ws.build("--changed", str(ws.content / "2024/05/a.md"))
    assert named["scan"] == "named"
    assert [(p["path"], p["new"]) for p in named["skipped"]] == [("dangling.md", False)]
    (ws.content / "dangling.md").unlink()
    assert ws.build()["skipped"] == []
    assert ws.build("--changed", str(ws.content / "2024/05/a.md"))["skipped"] == []


def test_the_named_scan_takes_only_what_the_walk_would(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "y.md").write_text("y")
    (tmp_path / "notes.doc").write_text("z")
    os.mkfifo(tmp_path / "pipe.md")
    found = scan_named(
        tmp_path,
        PATTERNS,
        ["a/x.md", ".hidden/y.md", "notes.doc", "pipe.md", "gone.md", "a/../a/x.md", "missing/deep.md"],
    )
    assert found is not None
    assert [entry.path for entry in found.files] == ["a/x.md"]
    assert found.paths == ["a/x.md", "gone.md", "missing/deep.md", "pipe.md"]
    assert scan_named(tmp_path, PATTERNS, ["../outside.md"]) is None
    os.symlink(tmp_path / "a" / "x.md", tmp_path / "link.md")
    assert scan_named(tmp_path, PATTERNS, ["link.md"]) is None


def test_the_watcher_names_the_files_it_saw_change(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.md").write_text("a")
    told: list[list[str] | None] = []
    watcher = ContentWatcher(tmp_path, ["*.md"], told.append, quiet=0.3)
    assert watcher.start()
    try:
        time.sleep(0.2)
        (tmp_path / "old" / "a.md").write_text("edited")
        (tmp_path / "old" / "b.md.tmp").write_text("saved")
        os.rename(tmp_path / "old" / "b.md.tmp", tmp_path / "old" / "b.md")  # an editor's atomic save
        until(lambda: len(told) == 1, 5)
        assert told[0] == ["old/a.md", "old/b.md"]
        os.rename(tmp_path / "old", tmp_path / "new")  # a folder moved: only a walk knows
        until(lambda: len(told) == 2, 5)
        assert told[1] is None
    finally:
        watcher.stop()


def test_requests_met_during_a_build_are_merged() -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[list[str] | None] = []

    class Report:
        skipped = warnings = written = ()

        def summary_line(self) -> str:
            return "built"

    def build(config, lock_timeout, progress=None, changed=None):
        calls.append(changed)
        if len(calls) == 1:
            started.set()
            release.wait(5)
        return Report()

    job = RebuildJob(config_from_mapping({}), build)
    first = threading.Thread(target=job, args=(["a.md"],))
    first.start()
    started.wait(5)
    job(["c.md"])
    job(["b.md", "c.md"])
    release.set()
    first.join(5)
    assert calls == [["a.md"], ["b.md", "c.md"]]

    calls.clear()
    started.clear()
    release.clear()
    first = threading.Thread(target=job, args=(["a.md"],))
    first.start()
    started.wait(5)
    job(["b.md"])
    job()  # the interval: a walk covers the named paths
    release.set()
    first.join(5)
    assert calls == [["a.md"], None]


def test_a_changed_configuration_makes_a_named_build_walk(ws: Workspace) -> None:
    ws.write_config({"content": {"patterns": ["*.md"]}})
    fill(ws)  # c.txt is not an article under these patterns
    assert ws.build()["files_scanned"] == 2
    ws.write_config({"content": {"patterns": ["*.md", "*.txt"]}})
    report = ws.build("--changed", str(ws.content / "2024/05/a.md"))
    assert (report["scan"], report["files_scanned"]) == ("walk", 3)
    assert b"Fusion plant starts up" in ws.read("all.atom")


def test_events_the_watcher_lost_make_its_build_walk(tmp_path: Path) -> None:
    """inotify's queue overflowed: the changed paths are unknown, so the build walks."""
    from watchdog.events import EventsLostEvent, FileModifiedEvent

    class HandFed:  # an observer whose events the test sends
        handler = None

        def schedule(self, handler, path, recursive=False):
            HandFed.handler = handler

        def start(self) -> None:
            pass

        def stop(self) -> None:
            pass

        def join(self, timeout=None) -> None:
            pass

    told: list[list[str] | None] = []
    watcher = ContentWatcher(tmp_path, ["*.md"], told.append, quiet=0.1, observer_factory=HandFed)
    assert watcher.start()
    try:
        HandFed.handler.dispatch(FileModifiedEvent(str(tmp_path / "a.md")))
        until(lambda: len(told) == 1, 5)
        HandFed.handler.dispatch(FileModifiedEvent(str(tmp_path / "a.md")))
        HandFed.handler.dispatch(EventsLostEvent(str(tmp_path), is_directory=True))
        until(lambda: len(told) == 2, 5)
        assert told == [["a.md"], None]
    finally:
        watcher.stop()
