"""Publishing the site: all of a build's files or none, and only what changed.

Each file is written to a temporary file in the same folder, fsynced and renamed over
the old one, so a reader (or the web server) sees the old bytes or the new bytes and
never a mix. A file whose bytes are unchanged is not touched at all, which keeps its
mtime (and so Last-Modified) and spares the disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aggregator.output.render.links import FEED_SUFFIXES, SITE_FILES


@dataclass
class PublishResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename; no reader ever sees a partial file."""
    os.replace(_stage(path, data), path)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


class Publisher(Protocol):
    """Where a build's site goes: owns writing its files and telling whether what was
    published is still there, intact (a local folder here; object storage plugs in)."""

    def publish(self, files: Mapping[str, bytes], expected: Set[str]) -> PublishResult:
        """Write `files` where their bytes changed, all or none; remove owned files not in
        `expected`."""
        ...

    def damaged(self, published: Mapping[str, int]) -> set[str]:
        """Names of published files (name -> size) that are missing or not that size."""
        ...

    def describe(self) -> str:
        """Where it publishes, for logs and /healthz."""
        ...


class LocalFolder:
    """The site as files in a folder, each replaced by an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def damaged(self, published: Mapping[str, int]) -> set[str]:
        damaged = set()
        for name, size in published.items():
            try:
                if (self.root / name).stat().st_size != size:
                    damaged.add(name)
            except OSError:
                damaged.add(name)
        return damaged

    def publish(self, files: Mapping[str, bytes], expected: Set[str]) -> PublishResult:
        """Every changed file is written and fsynced under a temporary name before the
        first rename; on any failure the staged files are removed and nothing is renamed."""
        self.root.mkdir(parents=True, exist_ok=True)
        result = PublishResult()
        staged: list[tuple[str, str]] = []  # (temporary path, name)
        try:
            for name in sorted(files):
                target = self.root / name
                if _same_bytes(target, files[name]):
                    result.unchanged.append(name)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    staged.append((_stage(target, files[name]), name))
        except BaseException:
            for tmp, _name in staged:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise
        for tmp, name in staged:
            os.replace(tmp, self.root / name)
            result.written.append(name)
        result.removed = self._remove_stale(expected)
        if result.written or result.removed:
            for folder in sorted({(self.root / name).parent for name in result.written} | {self.root}):
                _fsync_dir(folder)
        return result

    def _remove_stale(self, expected: Set[str]) -> list[str]:
        removed = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            name = entry.name
            if name in expected or not entry.is_file(follow_symlinks=False):
                continue
            if name.startswith(".") and name.endswith(".tmp"):
                # A temporary file left by a build that was killed mid-write.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                continue
            if name.endswith(FEED_SUFFIXES) or name in SITE_FILES:  # ours; anything else stays
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                removed.append(name)
        return removed


def _stage(target: Path, data: bytes) -> str:
    """`data` written and fsynced beside `target` under a temporary name."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp
