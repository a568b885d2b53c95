"""Stat the files a caller names, instead of walking the whole content folder.

At a million files the walk alone takes seconds. The daemon's file watcher already
knows which paths changed, and so may a person or a hook (`aggregator build --changed`),
so a build told the paths stats just those. It trusts them only where the walk would
have seen the same thing: a path inside the folder, under no hidden or symlinked folder,
naming a regular file or nothing at all. Anything else (a folder, a symlink, a path it
cannot stat) answers None, and the build walks the folder as usual.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aggregator.ingest.scan import FileEntry, name_matcher

# More named paths than this and the walk is as cheap as trusting them one by one.
NAMED_LIMIT = 5000


@dataclass(frozen=True)
class NamedScan:
    files: list[FileEntry]  # the named paths that are content files now, sorted by path
    paths: list[str]  # every named path that could be a content file, relative, sorted


class OutsideContent(ValueError):
    """A named path is not inside the content folder."""


def relative_paths(root: Path, paths: Iterable[str]) -> list[str]:
    """Paths (absolute, or relative to the content folder) as the walk names them:
    relative, POSIX separators, normalised. Raises OutsideContent for one outside it."""
    base = os.path.abspath(root)
    found = []
    for path in paths:
        full = os.path.normpath(os.path.join(base, path))
        if not full.startswith(base.rstrip(os.sep) + os.sep):
            raise OutsideContent(f"{path}: not inside the content folder {root}")
        found.append(os.path.relpath(full, base).replace(os.sep, "/"))
    return found


def scan_named(root: Path, patterns: tuple[str, ...], paths: Iterable[str]) -> NamedScan | None:
    """The named paths' current stats, or None when only a walk can say (see the module)."""
    try:
        named = sorted(set(relative_paths(root, paths)))
    except OutsideContent:
        return None
    if len(named) > NAMED_LIMIT or not os.path.isdir(root):
        return None
    matches = name_matcher(patterns)
    base = os.path.abspath(root)
    checked_folders: dict[str, bool] = {}  # folder -> a plain, real folder inside the content
    files: list[FileEntry] = []
    kept: list[str] = []
    for path in named:
        parts = path.split("/")
        if any(part.startswith(".") for part in parts) or not matches(parts[-1]):
            continue  # hidden, or not an article's name: the walk would not list it either
        folder_ok = _plain_folders(base, parts[:-1], checked_folders)
        if folder_ok is None:
            return None
        kept.append(path)
        if not folder_ok:
            continue  # a folder on the way is gone: so is the file
        try:
            info = os.lstat(os.path.join(base, path))
        except FileNotFoundError:
            continue
        except OSError:
            return None
        if stat.S_ISREG(info.st_mode):
            files.append(FileEntry(path, info.st_size, info.st_mtime_ns))
        elif stat.S_ISLNK(info.st_mode) or stat.S_ISDIR(info.st_mode):
            return None  # the walk's rules for links and folders decide
    return NamedScan(files, kept)


def _plain_folders(base: str, folders: list[str], checked: dict[str, bool]) -> bool | None:
    """True if every folder on the way is a real folder, False if one is missing, None if
    one is a symlink or cannot be looked at (then the walk decides)."""
    current = ""
    for name in folders:
        current = f"{current}/{name}" if current else name
        known = checked.get(current)
        if known is None:
            try:
                info = os.lstat(os.path.join(base, current))
            except (FileNotFoundError, NotADirectoryError):
                known = False
            except OSError:
                return None
            else:
                if not stat.S_ISDIR(info.st_mode):
                    return None if stat.S_ISLNK(info.st_mode) else False
                known = True
            checked[current] = known
        if not known:
            return False
    return True
