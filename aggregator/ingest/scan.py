"""Walking the content folder.

One `os.scandir` walk with the stat each entry already carries; nothing is read here.
Symlinks are followed only when they resolve inside the content folder, each real
folder is entered once (so a link loop cannot hang the walk), and hidden files and
folders (editor swap files, `.git`) are ignored. Reading checks again what the scan
saw, on the file actually opened: a name swapped for a link to a private file, or for
a FIFO that would block the build, between the scan and the read is refused.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import operator
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class FileEntry(NamedTuple):
    """A tuple, because a walk makes one per file: cheap to build and to sort."""

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


_PLAIN_SUFFIX = re.compile(r"\*(\.[^*?\[\]/]+)")


def name_matcher(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """Whether a file name is an article's: `str.endswith` when every pattern is
    `*.<suffix>` (the usual case; it is the walk's inner loop), else the patterns' regex."""
    suffixes = [m.group(1) for p in patterns if (m := _PLAIN_SUFFIX.fullmatch(p))]
    if patterns and len(suffixes) == len(patterns):
        ends = tuple(suffixes)
        return lambda name: name.endswith(ends)
    return compile_patterns(patterns).match


def scan(root: Path, patterns: tuple[str, ...]) -> ScanResult:
    """All content files under `root` matching `patterns`, sorted by path.

    One pass over `os.scandir`, folders kept on an explicit stack. The type of an entry
    comes from the listing itself; the only system call per file is its stat (size,
    mtime). Real folders cannot form loops; symlinked ones are followed only inside the
    folder, and each real folder is entered once.
    """
    matcher = name_matcher(patterns)
    entry = _new_entry
    files: list[FileEntry] = []
    problems: list[ScanProblem] = []
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise FileNotFoundError(f"content folder not found: {root} ({exc.strerror or exc})") from None
    if not real_root.is_dir():
        raise NotADirectoryError(f"content folder is not a folder: {root}")
    root_stat = real_root.stat()
    device = root_stat.st_dev
    visited: set[tuple[int, int]] = {(device, root_stat.st_ino)}
    stack: list[tuple[str, str]] = [(str(real_root), "")]
    linked: list[tuple[str, str]] = []  # symlinked folders: entered after every real one
    while stack or linked:
        if not stack:
            path, prefix = linked.pop()
            try:
                info = os.stat(path)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) in visited:
                continue  # a folder already walked under its real name (or a loop)
            visited.add((info.st_dev, info.st_ino))
            stack.append((path, prefix))
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError as exc:
            problems.append(ScanProblem(prefix.rstrip("/") or ".", f"cannot list folder: {exc.strerror}"))
            continue
        for item in items:
            name = item.name
            if name[0] == ".":
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    visited.add((device, item.inode()))
                    stack.append((item.path, prefix + name + "/"))
                    continue
                if item.is_symlink():
                    problem = _link_problem(item.path, real_root)
                    if problem:
                        problems.append(ScanProblem(prefix + name, problem))
                        continue
                    info = item.stat()
                    if stat.S_ISDIR(info.st_mode):
                        linked.append((item.path, prefix + name + "/"))
                        continue
                    if not matcher(name):
                        continue
                elif not matcher(name):
                    continue
                else:
                    info = item.stat(follow_symlinks=False)
            except OSError as exc:
                if exc.errno is not None and os.path.lexists(item.path):
                    problems.append(ScanProblem(prefix + name, f"cannot stat: {exc.strerror}"))
                continue  # vanished between listing and stat: simply gone
            if stat.S_ISREG(info.st_mode):
                files.append(entry((prefix + name, info.st_size, info.st_mtime_ns)))
    files.sort(key=_by_path)  # paths are unique; string keys sort much faster than tuples
    return ScanResult(files=files, problems=problems)


_by_path = operator.itemgetter(0)
_new_entry = functools.partial(tuple.__new__, FileEntry)  # FileEntry(...) without its Python __new__


def _link_problem(path: str, real_root: Path) -> str | None:
    """Why the symlink at `path` is not followed, or None if it stays inside the folder."""
    try:
        target = Path(path).resolve(strict=True)
    except RuntimeError:
        return "symlink loop; not followed"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop; not followed"
        return "broken symlink (its target does not exist); not followed"
    if target == real_root or real_root in target.parents:
        return None
    return "symlink points outside the content folder; not followed"


def read_file(root: Path, entry_path: str, max_bytes: int, real_root: str | None = None) -> bytes:
    """Read one content file, refusing oversized ones without reading them whole.

    The checks run on the open descriptor, so they hold for the bytes read: a regular
    file (O_NONBLOCK keeps a FIFO from blocking the open), inside the content folder,
    whose resolved path a caller reading many files passes as `real_root`.
    """
    fd = os.open(os.path.join(root, entry_path), _READ_FLAGS)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise ValueError("not a regular file")
        if not _opened_inside(fd, root, entry_path, real_root or os.path.realpath(root)):
            raise ValueError("symlink points outside the content folder; not followed")
        chunks = []
        remaining = max_bytes + 1
        # Sized by the stat (one byte more, to see the end), going on if it grew since.
        step = max(status.st_size + 1, 1 << 16)
        while remaining > 0 and (chunk := os.read(fd, min(remaining, step))):
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise ValueError(f"file is larger than the limit of {max_bytes} bytes")
    return data


_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _opened_inside(fd: int, root: Path, entry_path: str, real_root: str) -> bool:
    try:
        where = os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)")
    except OSError:  # no /proc: resolve the name, and make sure it names the same file
        where = os.path.realpath(root / entry_path)
        try:
            same = os.path.samestat(os.stat(where), os.fstat(fd))
        except OSError:
            return False
        if not same:
            return False
    return where.startswith(real_root.rstrip(os.sep) + os.sep)
