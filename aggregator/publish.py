"""Writing the output folder: atomically, and only what changed.

Each file is written to a temporary file in the same folder, fsynced and renamed over
the old one, so a reader (or the web server) sees the old bytes or the new bytes and
never a mix. A file whose bytes are unchanged is not touched at all, which keeps its
mtime (and so Last-Modified) and spares the disk.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# The files this service owns in the output folder; anything else is left alone.
OWNED_SUFFIXES = (".atom", ".rss", ".json")
OWNED_NAMES = ("index.html", "feeds.opml")


@dataclass
class PublishResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename; no reader ever sees a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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


def publish(output_dir: Path, files: Mapping[str, bytes], remove_stale: bool = True) -> PublishResult:
    """Make the output folder hold exactly `files` (of the kinds this service owns)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    result = PublishResult()
    for name in sorted(files):
        target = output_dir / name
        if _same_bytes(target, files[name]):
            result.unchanged.append(name)
        else:
            write_atomic(target, files[name])
            result.written.append(name)
    if remove_stale:
        for entry in sorted(os.scandir(output_dir), key=lambda e: e.name):
            name = entry.name
            if name in files or not entry.is_file(follow_symlinks=False):
                continue
            if name.startswith(".") and name.endswith(".tmp"):
                # A temporary file left by a build that was killed mid-write.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                continue
            if name.endswith(OWNED_SUFFIXES) or name in OWNED_NAMES:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                result.removed.append(name)
    if result.written or result.removed:
        _fsync_dir(output_dir)
    return result
