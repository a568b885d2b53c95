"""A build that cannot write every file publishes none of them, says so, and recovers."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from tests.conftest import Workspace, article


def published(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def fill_the_disk_after(monkeypatch: pytest.MonkeyPatch, folder: Path, files: int) -> list[str]:
    """From the `files`+1-th file staged in `folder` on, fsync fails as on a full disk.
    Files are staged on several threads: the count is kept under a lock."""
    real_fsync = os.fsync
    synced: list[str] = []
    root = str(folder.resolve())
    counting = threading.Lock()

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if target.startswith(root) and os.path.isfile(target):
            with counting:
                if len(synced) >= files:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                synced.append(target)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


@pytest.mark.parametrize("files", [0, 3])
def test_a_write_failing_midway_publishes_nothing(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, files: int
) -> None:
    ws.add("a.md", article("Robots learn to fold laundry at home", "https://a.example/1", topics=["AI"]))
    ws.add(
        "b.md", article("Cameras see around corners now", "https://b.example/2", topics=["Computer Vision"])
    )
    ws.build()
    before = published(ws.output)

    ws.add(
        "c.md",
        article("New chips speed up vision models", "https://c.example/3", topics=["AI", "Computer Vision"]),
    )
    synced = fill_the_disk_after(monkeypatch, ws.output, files)
    result = ws.cli("build", expect=1)
    assert len(synced) == files  # the failure came after `files` files were staged
    assert "No space left on device" in result.output
    assert "the published feeds are unchanged" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert published(ws.output) == before  # every file keeps its old bytes
    assert not [p for p in ws.output.rglob("*") if p.name.endswith(".tmp")]

    monkeypatch.undo()
    report = ws.build()
    assert report["written"]
    assert b"New chips speed up vision models" in ws.read("all.atom")
    assert b"New chips speed up vision models" in ws.read("computer-vision.rss")
    assert ws.build()["written"] == []
