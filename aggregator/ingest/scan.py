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
import pickle
import re
import stat
import threading
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
    processes: int = 1  # how many processes shared the walk


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


# A walk that reaches this many folders before it goes deeper is shared between processes.
SPLIT_FOLDERS = 64
MAX_SCAN_PROCESSES = 4


def scan(root: Path, patterns: tuple[str, ...], processes: int | None = None) -> ScanResult:
    """All content files under `root` matching `patterns`, sorted by path.

    One pass over `os.scandir`, folders kept on explicit stacks. The type of an entry
    comes from the listing itself; the only system call per file is its stat (size,
    mtime). Real folders cannot form loops; symlinked ones are followed only inside the
    folder, each real folder is entered once, and only after every real folder has been
    walked. A folder tree of many folders is shared between forked processes (one per
    core, `processes` to choose), since the walk is interpreter time more than system
    calls and threads would only queue for the interpreter lock.
    """
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise FileNotFoundError(f"content folder not found: {root} ({exc.strerror or exc})") from None
    if not real_root.is_dir():
        raise NotADirectoryError(f"content folder is not a folder: {root}")
    root_stat = real_root.stat()
    walk = _Walk(real_root, root_stat.st_dev, name_matcher(patterns), _new_entry)
    walk.visited.add((root_stat.st_dev, root_stat.st_ino))
    frontier = [(str(real_root), "")]
    shares = _process_count(processes)
    used = 1
    if shares > 1:
        while frontier and len(frontier) < SPLIT_FOLDERS:  # breadth first, to find enough folders
            frontier = [sub for folder in frontier for sub in walk.folder(*folder)]
        if len(frontier) >= SPLIT_FOLDERS:
            used = _walk_in_shares(walk, frontier, shares)
            frontier = []
    walk.run(frontier)
    while walk.linked:  # symlinked folders: entered after every real one
        path, prefix = walk.linked.pop()
        try:
            info = os.stat(path)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in walk.visited:
            continue  # a folder already walked under its real name (or a loop)
        walk.visited.add((info.st_dev, info.st_ino))
        walk.run([(path, prefix)])
    walk.files.sort(key=_by_path)  # paths are unique; string keys sort much faster than tuples
    walk.problems.sort(key=_problem_path)
    return ScanResult(files=walk.files, problems=walk.problems, processes=used)


_by_path = operator.itemgetter(0)
_problem_path = operator.attrgetter("path")
_new_entry = functools.partial(tuple.__new__, FileEntry)  # FileEntry(...) without its Python __new__


class _Walk:
    """What a walk (or one process's share of it) has found so far."""

    def __init__(
        self, real_root: Path, device: int, matcher: Callable[[str], object], entry: Callable
    ) -> None:
        self.real_root, self.device, self.matcher, self.entry = real_root, device, matcher, entry
        self.files: list = []
        self.problems: list[ScanProblem] = []
        self.visited: set[tuple[int, int]] = set()
        self.linked: list[tuple[str, str]] = []  # symlinked folders, for after the real ones

    def run(self, stack: list[tuple[str, str]]) -> None:
        while stack:
            stack.extend(self.folder(*stack.pop()))

    def folder(self, folder: str, prefix: str) -> list[tuple[str, str]]:
        """List one folder: keep its files, return its real subfolders."""
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError as exc:
            self.problems.append(
                ScanProblem(prefix.rstrip("/") or ".", f"cannot list folder: {exc.strerror}")
            )
            return []
        matcher, entry, files, folders = self.matcher, self.entry, self.files, []
        for item in items:
            name = item.name
            if name[0] == ".":
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    self.visited.add((self.device, item.inode()))
                    folders.append((item.path, prefix + name + "/"))
                    continue
                if item.is_symlink():
                    problem = _link_problem(item.path, self.real_root)
                    if problem:
                        self.problems.append(ScanProblem(prefix + name, problem))
                        continue
                    info = item.stat()
                    if stat.S_ISDIR(info.st_mode):
                        self.linked.append((item.path, prefix + name + "/"))
                        continue
                    if not matcher(name):
                        continue
                elif not matcher(name):
                    continue
                else:
                    info = item.stat(follow_symlinks=False)
            except OSError as exc:
                if exc.errno is not None and os.path.lexists(item.path):
                    self.problems.append(ScanProblem(prefix + name, f"cannot stat: {exc.strerror}"))
                continue  # vanished between listing and stat: simply gone
            if stat.S_ISREG(info.st_mode):
                files.append(entry((prefix + name, info.st_size, info.st_mtime_ns)))
        return folders


def _process_count(asked: int | None) -> int:
    """How many processes may share a walk: forking is safe only while no other thread runs
    (the daemon's scheduler and web server walk in one process)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    if asked is not None:
        return max(1, asked)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_SCAN_PROCESSES)


def _walk_in_shares(walk: _Walk, frontier: list[tuple[str, str]], shares: int) -> int:
    """Walk every `shares`-th folder in a forked child each, the first share here; a child
    that fails leaves its share to this process. Returns how many processes walked."""
    parts = [frontier[i::shares] for i in range(shares)]
    children: list[tuple[int, int, list[tuple[str, str]]]] = []
    try:
        for part in parts[1:]:
            try:
                children.append((*_fork_share(walk, part), part))
            except OSError:  # no process to spare (memory, a process limit): walked here
                walk.run(part)
        walk.run(parts[0])
        used = 1
        while children:
            pid, fd, part = children.pop()
            found = _collect(pid, fd)
            if found is None:
                walk.run(part)
                continue
            used += 1
            files, problems, visited, linked = found
            walk.files.extend(map(_new_entry, files))
            walk.problems.extend(problems)
            walk.visited.update(visited)
            walk.linked.extend(linked)
        return used
    finally:
        for pid, fd, _part in children:  # only on the way out of an exception
            os.close(fd)
            os.waitpid(pid, 0)


def _fork_share(walk: _Walk, part: list[tuple[str, str]]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: walk, send what it found through the pipe, leave at once
        status = 1
        try:
            os.close(read_end)
            share = _Walk(walk.real_root, walk.device, walk.matcher, tuple)  # plain tuples pickle fast
            share.run(part)
            found = (share.files, share.problems, share.visited, share.linked)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> tuple | None:
    """A child's findings, or None if it did not finish."""
    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # a child cut short: walk its share here instead
        return None


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
        while remaining > 0:
            wanted = min(remaining, step)
            chunk = os.read(fd, wanted)
            chunks.append(chunk)
            remaining -= len(chunk)
            if len(chunk) < wanted:
                break  # a regular file reads short only at its end: no read to see it
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
