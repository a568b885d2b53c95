"""What a build tells its caller: counts, problems and timings, and the errors that stop it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


class BuildError(Exception):
    """The build could not run (e.g. the content folder is missing); nothing was written."""


class BuildLockTimeout(BuildError):
    """Another process held the build lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    new: bool = True  # first reported by this build (the daemon logs only new ones)


@dataclass(frozen=True)
class Progress:
    """Where a running build is, for whoever watches it (a terminal display, the daemon's
    log): the library reports, it never prints."""

    phase: str  # "scan", "parse", "stories", "render", "publish"
    done: int = 0  # files parsed so far
    total: int = 0  # files to parse in this build
    elapsed: float = 0.0  # seconds since the build started

    def rate(self) -> float:
        """Files parsed per second so far (0 before the first)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


class ProgressWatcher:
    """Passes a build's progress on to its observer, at most every `interval` seconds
    within a phase (each new phase at once), so watching costs the build nothing."""

    def __init__(self, callback: ProgressCallback | None, clock: float, interval: float = 0.2) -> None:
        self.callback, self.clock, self.interval = callback, clock, interval
        self.phase, self.total, self.last = "", 0, 0.0

    def enter(self, phase: str, total: int | None = None) -> None:
        self.phase = phase
        if total is not None:
            self.total = total
        self._tell(0 if phase == "parse" else self.total, time.perf_counter())

    def parsed(self, done: int) -> None:
        if self.callback is None or (done & 31 and done != self.total):
            return
        now = time.perf_counter()
        if now - self.last >= self.interval or done == self.total:
            self._tell(done, now)

    def _tell(self, done: int, now: float) -> None:
        if self.callback is not None:
            self.last = now
            self.callback(Progress(self.phase, done, self.total, now - self.clock))


@dataclass
class BuildReport:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    duration_ms: int = 0
    files_scanned: int = 0
    scan: str = "walk"  # how the changes were found: "walk" (the whole folder) or "named" paths
    files_changed: int = 0
    files_removed: int = 0
    parsed: int = 0
    articles: int = 0
    drafts: int = 0
    scheduled: int = 0  # dated in the future: published by the first build after their date
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    stories: int = 0
    feeds: list[dict[str, Any]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    nothing_changed: bool = False
    timings_ms: dict[str, int] = field(default_factory=dict)  # where the time went, by phase

    def lap(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings_ms[phase] = self.timings_ms.get(phase, 0) + int((now - since) * 1000)
        return now

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = stamp(self.started_at)
        data["finished_at"] = stamp(self.finished_at) if self.finished_at else None
        return data

    def counts(self) -> dict[str, int]:
        return {
            "files_scanned": self.files_scanned,
            "files_changed": self.files_changed,
            "articles": self.articles,
            "drafts": self.drafts,
            "skipped": len(self.skipped),
            "stories": self.stories,
            "feeds": len(self.feeds),
            "written": len(self.written),
            "unchanged": self.unchanged,
        }

    def summary_line(self) -> str:
        return (
            f"build: {plural(self.files_scanned, 'file' if self.scan == 'walk' else 'named file')} scanned, "
            f"{self.files_changed} changed, "
            f"{self.files_removed} removed, {len(self.skipped)} skipped; {plural(self.articles, 'article')}, "
            f"{plural(self.stories, 'story', 'stories')}; {plural(len(self.feeds), 'feed')}; "
            f"{plural(len(self.written), 'file')} written, "
            f"{self.unchanged} unchanged, {len(self.removed)} removed; {self.duration_ms} ms"
        )


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 feed`, `2 feeds`, `0 stories`: a count with its noun in the right number."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def display_path(path: str) -> str:
    """A path as it may appear in a log line: control characters escaped."""
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path
