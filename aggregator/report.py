"""What a build tells its caller: counts, problems and timings, and the errors that stop it."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


class BuildError(Exception):
    """The build could not run (e.g. the content folder is missing); nothing was written."""


class BuildLockTimeout(BuildError):
    """Another process held the build lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    new: bool = True  # first reported by this build (the daemon logs only new ones)


@dataclass
class BuildReport:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    duration_ms: int = 0
    files_scanned: int = 0
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
            f"build: {self.files_scanned} files scanned, {self.files_changed} changed, "
            f"{self.files_removed} removed, {len(self.skipped)} skipped; {self.articles} articles, "
            f"{self.stories} stories; {len(self.feeds)} feeds; {len(self.written)} files written, "
            f"{self.unchanged} unchanged, {len(self.removed)} removed; {self.duration_ms} ms"
        )


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def display_path(path: str) -> str:
    """A path as it may appear in a log line: control characters escaped."""
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path
