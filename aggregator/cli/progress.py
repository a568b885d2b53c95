"""The build's progress line on a terminal (tqdm), for builds that take more than a second.

The library only reports (`Progress`); this draws it. Nothing is drawn when stderr is not
a terminal (a pipe, a log file, cron) or with `--quiet`, and a build that finishes
within `DELAY` seconds never shows one, so short builds print just their report.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from aggregator.report import Progress

DELAY = 1.0  # seconds before a build earns a progress line
LABELS = {
    "scan": "scanning",
    "parse": "parsing",
    "stories": "clustering stories",
    "render": "rendering feeds",
    "publish": "publishing",
}


def wanted(quiet: bool, stream: IO[str] | None = None) -> bool:
    """Whether to draw progress: not silenced, and the stream is a terminal."""
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


class TerminalProgress:
    """A progress observer for `run_build` that draws one tqdm line on `stream`."""

    def __init__(self, stream: IO[str] | None = None, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay
        self.bar: Any = None

    def __call__(self, progress: Progress) -> None:
        label = LABELS.get(progress.phase, progress.phase)
        if self.bar is None:
            if progress.elapsed < self.delay:
                return
            self.bar = _bar_class()(
                desc=label,  # its first frame is drawn here, so it carries the label too
                total=progress.total or None,
                initial=progress.done,
                unit=" files",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.25,
            )
        self.bar.set_description_str(label, refresh=False)
        if progress.total and self.bar.total != progress.total:
            self.bar.total = progress.total
        self.bar.update(progress.done - self.bar.n)
        self.bar.refresh()

    def close(self) -> None:
        """Clear the line, so the report that follows starts on a clean one."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _bar_class() -> type:
    """tqdm without its monitor thread: a running thread would make the parse pool start
    its workers by forkserver, which is slower than fork (see `ingest.parse`)."""
    from tqdm import tqdm

    class Bar(tqdm):  # type: ignore[misc]
        monitor_interval = 0

    return Bar
