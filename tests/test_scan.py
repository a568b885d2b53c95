"""The walk shared between processes finds exactly what one process finds: the same files
and stats, the same problems, symlinked folders entered once and after the real ones."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from conftest import Workspace, article

from aggregator.ingest import scan as scan_module
from aggregator.ingest.scan import SPLIT_FOLDERS, scan

PATTERNS = ("*.md", "*.txt")


def many_folders(root: Path, tmp_path: Path) -> int:
    """A tree wide enough to be shared, with what the walk must skip or report; returns
    how many files it should find."""
    found = 0
    for year in ("2023", "2024"):
        for month in range(1, 13):
            for day in (1, 15, 28):
                folder = root / year / f"{month:02d}" / f"{day:02d}"
                folder.mkdir(parents=True)
                for n in range(2):
                    (folder / f"{n}.md").write_text("x" * (month + n), encoding="utf-8")
                    found += 1
                (folder / "notes.rst").write_text("not an article", encoding="utf-8")
                (folder / ".swap.md").write_text("hidden", encoding="utf-8")
    hidden = root / ".drafts"  # not walked as itself, only through the link below
    hidden.mkdir()
    (hidden / "linked-only.md").write_text("through a link", encoding="utf-8")
    (root / "2024" / "via-link").symlink_to(hidden, target_is_directory=True)
    found += 1
    (root / "2023" / "again").symlink_to(root / "2024" / "03", target_is_directory=True)  # walked already
    (root / "2023" / "01" / "loop").symlink_to(root, target_is_directory=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("private", encoding="utf-8")
    (root / "2024" / "05" / "01" / "leak.md").symlink_to(outside / "secret.md")
    (root / "2024" / "06" / "15" / "dangling.md").symlink_to(root / "nowhere.md")
    os.mkfifo(root / "2024" / "07" / "01" / "fifo.md")  # not a regular file: not an article
    (root / "2023" / "02" / "01" / "alias.md").symlink_to(root / "2023" / "02" / "01" / "0.md")
    return found + 1  # the alias is a file of its own name


def test_a_shared_walk_finds_what_one_process_finds(tmp_path: Path) -> None:
    root = tmp_path / "content"
    expected = many_folders(root, tmp_path)
    alone = scan(root, PATTERNS, processes=1)
    shared = scan(root, PATTERNS, processes=2)
    assert threading.active_count() == 1
    assert (alone.processes, shared.processes) == (1, 2)
    assert shared.files == alone.files
    assert shared.problems == alone.problems
    assert len(shared.files) == expected
    paths = [entry.path for entry in shared.files]
    assert paths == sorted(paths)
    assert "2024/via-link/linked-only.md" in paths
    assert not any(path.startswith("2023/again/") or "/loop/" in path for path in paths)
    assert {p.path: p.reason for p in shared.problems} == {
        "2024/05/01/leak.md": "symlink points outside the content folder; not followed",
        "2024/06/15/dangling.md": "broken symlink (its target does not exist); not followed",
    }
    sizes = {entry.path: entry.size for entry in shared.files}
    assert sizes["2024/12/28/1.md"] == 13
    assert scan(root, PATTERNS, processes=4).files == alone.files


def test_a_child_that_fails_leaves_its_share_to_the_parent(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "content"
    many_folders(root, tmp_path)
    alone = scan(root, PATTERNS, processes=1)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise MemoryError("no room to send the findings")

    monkeypatch.setattr(scan_module.pickle, "dumps", broken)  # the forked children inherit it
    shared = scan(root, PATTERNS, processes=2)
    assert shared.processes == 1
    assert shared.files == alone.files
    assert shared.problems == alone.problems


def test_a_walk_goes_on_in_one_process_when_no_process_can_be_forked(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "content"
    many_folders(root, tmp_path)
    alone = scan(root, PATTERNS, processes=1)
    open_before = len(os.listdir("/proc/self/fd"))

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(scan_module.os, "fork", refused)
    shared = scan(root, PATTERNS, processes=3)
    assert shared.processes == 1
    assert shared.files == alone.files
    assert shared.problems == alone.problems
    assert len(os.listdir("/proc/self/fd")) == open_before  # no pipe left open


def test_a_walk_stays_in_one_process_while_other_threads_run(tmp_path: Path) -> None:
    root = tmp_path / "content"
    many_folders(root, tmp_path)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert scan(root, PATTERNS, processes=2).processes == 1
    finally:
        release.set()
        other.join()
    assert scan(root, PATTERNS, processes=2).processes == 2


def test_a_small_tree_is_walked_in_one_process(tmp_path: Path) -> None:
    root = tmp_path / "content"
    for n in range(SPLIT_FOLDERS - 1):
        (root / f"f{n}").mkdir(parents=True)
        (root / f"f{n}" / "a.md").write_text("x", encoding="utf-8")
    result = scan(root, PATTERNS, processes=2)
    assert (result.processes, len(result.files)) == (1, SPLIT_FOLDERS - 1)


def headline(n: int) -> str:
    """Words no other story shares, so every file is a story of its own."""
    return f"Alpha{n} bravo{n} charlie{n} delta{n}"


def test_builds_over_a_shared_walk_follow_edits_renames_and_deletions(ws: Workspace) -> None:
    ws.write_config({"feeds": {"max_items": 200}})
    for n in range(SPLIT_FOLDERS + 6):
        ws.add(
            f"2024/{n // 28 + 1:02d}/{n % 28 + 1:02d}/story-{n}.md",
            article(title=headline(n), url=f"https://example.com/{n}"),
        )
    assert ws.build()["files_scanned"] == SPLIT_FOLDERS + 6
    ws.add("2024/01/05/story-4.md", article(title="Story four, corrected", url="https://example.com/4"))
    os.rename(ws.content / "2024/02/03/story-30.md", ws.content / "2024/03/09/moved.md")
    ws.remove("2024/01/01/story-0.md")
    report = ws.build()
    assert report["files_scanned"] == SPLIT_FOLDERS + 5
    titles = [item["title"] for item in json.loads(ws.read("all.json"))["items"]]
    assert "Story four, corrected" in titles
    assert headline(30) in titles
    assert headline(0) not in titles
    assert len(titles) == SPLIT_FOLDERS + 5
