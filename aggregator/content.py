"""Walking the content folder.

One `os.scandir` walk with the stat each entry already carries; nothing is read here.
Symlinks are followed only when they resolve inside the content folder, each real
folder is entered once (so a link loop cannot hang the walk), and hidden files and
folders (editor swap files, `.git`) are ignored.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # relative to the content folder, POSIX separators
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ScanProblem:
    path: str
    reason: str


@dataclass
class ScanResult:
    files: list[FileEntry]
    problems: list[ScanProblem]


def compile_patterns(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


def scan(root: Path, patterns: tuple[str, ...]) -> ScanResult:
    """All content files under `root` matching `patterns`, sorted by path."""
    matcher = compile_patterns(patterns)
    files: list[FileEntry] = []
    problems: list[ScanProblem] = []
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise FileNotFoundError(f"content folder not found: {root} ({exc.strerror or exc})") from None
    if not real_root.is_dir():
        raise NotADirectoryError(f"content folder is not a folder: {root}")
    visited: set[tuple[int, int]] = set()
    for entry in _walk(str(real_root), "", real_root, visited, problems):
        if matcher.match(os.path.basename(entry.path)):
            files.append(entry)
    files.sort(key=lambda f: f.path)
    return ScanResult(files=files, problems=problems)


def _walk(
    folder: str,
    prefix: str,
    real_root: Path,
    visited: set[tuple[int, int]],
    problems: list[ScanProblem],
) -> Iterator[FileEntry]:
    try:
        folder_stat = os.stat(folder)
    except OSError as exc:
        problems.append(ScanProblem(prefix or ".", f"cannot enter folder: {exc.strerror}"))
        return
    key = (folder_stat.st_dev, folder_stat.st_ino)
    if key in visited:
        return
    visited.add(key)
    try:
        with os.scandir(folder) as entries:
            items = list(entries)
    except OSError as exc:
        problems.append(ScanProblem(prefix or ".", f"cannot list folder: {exc.strerror}"))
        return
    for item in items:
        if item.name.startswith("."):
            continue
        rel = prefix + item.name
        try:
            is_link = item.is_symlink()
            if is_link and not _inside(item.path, real_root):
                problems.append(ScanProblem(rel, "symlink points outside the content folder; not followed"))
                continue
            info = item.stat(follow_symlinks=True)
        except OSError as exc:
            if exc.errno is not None and os.path.lexists(item.path):
                problems.append(ScanProblem(rel, f"cannot stat: {exc.strerror}"))
            continue  # vanished between listing and stat: simply gone
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(item.path, rel + "/", real_root, visited, problems)
        elif stat.S_ISREG(info.st_mode):
            yield FileEntry(path=rel, size=info.st_size, mtime_ns=info.st_mtime_ns)


def _inside(path: str, real_root: Path) -> bool:
    try:
        target = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return target == real_root or real_root in target.parents


def read_file(root: Path, entry_path: str, max_bytes: int) -> bytes:
    """Read one content file, refusing oversized ones without reading them whole."""
    full = root / entry_path
    with open(full, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"file is larger than the limit of {max_bytes} bytes")
    return data
