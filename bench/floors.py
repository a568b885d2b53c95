"""The floors: the least any build of the same folder could cost, measured on the same files.

A no-change rebuild has to notice that nothing changed, which needs at least a stat of
every file: `stat_walk`. A cold build has to read and parse every file's front matter,
which costs at least what libyaml's C loader takes in one process: `csafe_parse`. The
benchmark reports each build as a multiple of its floor, which says more than seconds
on an unknown machine. Hidden names are skipped, as the service skips them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import yaml

T = TypeVar("T")


def _files(folder: str) -> Iterator[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _files(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield entry


def stat_walk(root: Path) -> int:
    """One recursive scandir walk with a stat of every file; returns the file count."""
    count = 0
    for entry in _files(str(root)):
        entry.stat()
        count += 1
    return count


def front_matter(text: str) -> str:
    """The text between the first two `---` lines ("" when there is none)."""
    if not text.startswith("---"):
        return ""
    start = text.find("\n") + 1
    if start == 0:
        return ""
    end = text.find("\n---", start - 1)
    while end != -1:
        after = text[end + 4 : end + 5]
        if after in ("", "\n", "\r"):
            return text[start : end + 1]
        end = text.find("\n---", end + 4)
    return ""


def csafe_parse(root: Path) -> int:
    """Read, decode and parse every file's front matter with CSafeLoader; returns the count."""
    loader = yaml.CSafeLoader
    count = 0
    for entry in _files(str(root)):
        with open(entry.path, "rb") as handle:
            text = handle.read().decode("utf-8")
        yaml.load(front_matter(text), Loader=loader)  # the C *safe* loader
        count += 1
    return count


def timed(func: Callable[[Path], T], root: Path) -> tuple[float, T]:
    """Seconds taken by `func(root)` (wall clock) and its result."""
    start = time.perf_counter()
    result = func(root)
    return time.perf_counter() - start, result
