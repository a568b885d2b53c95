"""Publishing the site: all of a build's files or none, and only what changed.

Each file is written to a temporary file in the same folder, fsynced and renamed over
the old one, so a reader (or the web server) sees the old bytes or the new bytes and
never a mix. A file whose bytes are unchanged is not touched at all, which keeps its
mtime (and so Last-Modified) and spares the disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aggregator.config import Config
from aggregator.output.render.links import FEED_CSS, INDEX_FILE, OPML_FILE, SITE_CSS, SITE_JS

# The files this service owns in the output folder; anything else is left alone. Feeds
# at the root are the layout before feeds/ (removed by the first build that publishes
# them under feeds/).
OWNED_SUFFIXES = (".atom", ".rss", ".json")
ROOT_NAMES = frozenset({INDEX_FILE, OPML_FILE, FEED_CSS})
ASSET_NAMES = frozenset(name.split("/", 1)[1] for name in (SITE_CSS, SITE_JS))
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STAGING_THREADS = 8


def owned(name: str) -> bool:
    """Whether `name` (a path relative to the folder, `/`-separated) is one of ours."""
    parts = name.split("/")
    if len(parts) == 1:
        return name.endswith(OWNED_SUFFIXES) or name in ROOT_NAMES
    if len(parts) == 2 and parts[0] == "feeds":
        return parts[1].endswith(OWNED_SUFFIXES)
    if len(parts) == 2 and parts[0] == "assets":
        return parts[1] in ASSET_NAMES
    if len(parts) == 3 and parts[0] == "topics":
        return parts[2] == INDEX_FILE and _SLUG.fullmatch(parts[1]) is not None
    return False


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


def publisher_for(config: Config) -> Publisher:
    """The output folder, or the bucket named by `output.url`."""
    if config.output_url:
        from aggregator.output.s3 import S3Publisher

        return S3Publisher(config.output_url, config.output_endpoint_url, config.cache_max_age)
    return LocalFolder(config.output_dir)


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
        names = sorted(files)
        for folder in sorted({(self.root / name).parent for name in names}):
            folder.mkdir(parents=True, exist_ok=True)
        # Staging waits on the disk (each file is fsynced): a few threads let those waits
        # overlap and the journal commit them together.
        with ThreadPoolExecutor(max_workers=STAGING_THREADS) as pool:
            outcomes = list(pool.map(lambda name: self._stage_changed(name, files[name]), names))
        staged: list[tuple[str, str]] = []  # (temporary path, name)
        failure: BaseException | None = None
        for name, (tmp, error) in zip(names, outcomes, strict=True):
            if error is not None:
                failure = failure or error
            elif tmp is None:
                result.unchanged.append(name)
            else:
                staged.append((tmp, name))
        if failure is not None:
            for tmp, _name in staged:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise failure
        for tmp, name in staged:
            os.replace(tmp, self.root / name)
            result.written.append(name)
        result.removed = self._remove_stale(expected)
        if result.written or result.removed:
            for folder in sorted({(self.root / name).parent for name in result.written} | {self.root}):
                _fsync_dir(folder)
        return result

    def _stage_changed(self, name: str, data: bytes) -> tuple[str | None, BaseException | None]:
        """(temporary path, None) for a file staged; (None, None) when its bytes are
        already published; (None, the error) when staging failed."""
        target = self.root / name
        try:
            return (None if _same_bytes(target, data) else _stage(target, data)), None
        except BaseException as exc:  # handed to the caller, which removes what was staged
            return None, exc

    def _remove_stale(self, expected: Set[str]) -> list[str]:
        """Remove owned files not in `expected`, and temporary files a killed build left,
        in the folders the site uses; a topic's folder goes too once it is empty."""
        removed = []
        for folder in self._owned_folders():
            prefix = "" if folder == self.root else folder.relative_to(self.root).as_posix() + "/"
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                    name = prefix + entry.name
                    if name in expected or not entry.is_file(follow_symlinks=False):
                        continue
                    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        # A temporary file left by a build that was killed mid-write.
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(entry.path)
                        continue
                    if owned(name):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(entry.path)
                        removed.append(name)
            if prefix.startswith("topics/"):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only succeeds when nothing is left in it
        return removed

    def _owned_folders(self) -> list[Path]:
        """The root, feeds/, assets/ and every topics/<slug>/ (real folders, no symlinks)."""
        folders = [self.root]
        for sub in ("feeds", "assets"):
            if (self.root / sub).is_dir() and not (self.root / sub).is_symlink():
                folders.append(self.root / sub)
        topics = self.root / "topics"
        if topics.is_dir() and not topics.is_symlink():
            for entry in sorted(os.scandir(topics), key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and _SLUG.fullmatch(entry.name):
                    folders.append(Path(entry.path))
        return folders


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
