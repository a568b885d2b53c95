"""Rebuilding seconds after the content folder changes, not at the next interval.

watchdog (inotify on Linux) reports changes; a quiet period debounces them, so a burst
of a thousand files makes one build, or a few when the burst lasts longer than
`MAX_DELAY` (a build then runs every `MAX_DELAY` seconds until it ends). The folder's
identity (device and inode) is checked every poll: when it is replaced (a git checkout
of a new tree, `mv new content`, a restore), the watch moves to the new folder and a
build follows. The build is told which files changed, so it stats those instead of
walking the folder (a million files take seconds to walk); a folder created, moved or
deleted, or more than `NAMED_LIMIT` files, make it walk. The periodic scan still walks,
so a change the watcher missed waits at most one interval. When watching cannot start
(no inotify, or its watch limit reached), a log line says so and the periodic scan
alone keeps the feeds current.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aggregator.ingest.named import NAMED_LIMIT, OutsideContent, relative_paths

log = logging.getLogger("aggregator.watch")

QUIET_SECONDS = 0.75  # a build starts this long after the last change
MAX_DELAY = 5.0  # ...or this long after the first one, in a burst that does not stop
POLL_SECONDS = 0.25  # how often the folder's identity is checked
# Events that change nothing: a build reading the files must not set off another build.
_IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})


class ContentWatcher:
    """Calls `on_change` (in its own thread) after the content folder changes."""

    def __init__(
        self,
        folder: Path,
        patterns: Sequence[str],
        on_change: Callable[[list[str] | None], None],
        *,
        quiet: float = QUIET_SECONDS,
        max_delay: float = MAX_DELAY,
        observer_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.folder = folder
        self.patterns = tuple(patterns)
        self.on_change = on_change
        self.quiet, self.max_delay = quiet, max_delay
        self._observer_factory = observer_factory
        self._observer: Any = None
        self._identity: tuple[int, int] | None = None
        self._first: float | None = None  # when the pending changes began
        self._last = 0.0
        self._paths: set[str] = set()  # changed files since the last build, relative
        self._walk = False  # ...or something only a walk of the folder can tell
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="content-watch", daemon=True)
        self.builds = 0

    def start(self) -> bool:
        """Start watching; False (with a log line) when watching is not available here."""
        try:
            self._observer = self._new_observer()
            self._observer.start()
        except Exception as exc:  # no inotify, watch or instance limit reached, ...
            log.warning(
                "cannot watch %s for changes (%s); rebuilding on the interval only", self.folder, _reason(exc)
            )
            self._observer = None
            return False
        self._thread.start()
        log.info("watching %s: rebuilding about %gs after a change", self.folder, self.quiet)
        return True

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching, waiting up to `timeout` seconds for the threads to end."""
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout)
            except Exception:  # stopping must never fail the shutdown
                log.debug("stopping the observer failed", exc_info=True)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # --- the observer -------------------------------------------------------------

    def _new_observer(self) -> Any:
        if self._observer_factory is not None:
            observer = self._observer_factory()
        else:
            from watchdog.observers import Observer

            observer = Observer()
        observer.schedule(_Handler(self), str(self.folder), recursive=True)
        self._identity = _identity(self.folder)
        return observer

    def _rewatch(self) -> None:
        """The folder was replaced (or came back): watch the new one."""
        old, self._observer = self._observer, None
        try:
            old.stop()
        except Exception:
            log.debug("stopping the old observer failed", exc_info=True)
        try:
            self._observer = self._new_observer()
            self._observer.start()
            log.info("%s was replaced: watching the new folder", self.folder)
        except Exception as exc:
            self._observer = None
            log.warning("cannot watch %s (%s); rebuilding on the interval only", self.folder, _reason(exc))

    # --- changes --------------------------------------------------------------------

    def changed(self, paths: Sequence[str], is_directory: bool) -> None:
        """Note a change, if it can concern an article (or a folder of them)."""
        files = [] if is_directory else [p for p in paths if p and self._matches(p)]
        if not is_directory and not files:
            return
        named = None if is_directory else self._relative(files)
        now = time.monotonic()
        with self._lock:
            if self._first is None:
                self._first = now
            self._last = now
            if named is None or len(self._paths) + len(named) > NAMED_LIMIT:
                self._walk = True
            elif not self._walk:
                self._paths.update(named)
        self._wake.set()

    def _relative(self, paths: list[str]) -> list[str] | None:
        """Paths relative to the watched folder; None if one is outside it."""
        try:
            return relative_paths(self.folder, [os.fsdecode(path) for path in paths])
        except OutsideContent:
            return None

    def _matches(self, path: str) -> bool:
        name = os.path.basename(os.fsdecode(path))
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.patterns)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._wait_time())
            self._wake.clear()
            if self._stop.is_set():
                return
            identity = _identity(self.folder)
            if identity is not None and identity != self._identity and self._observer is not None:
                self._rewatch()
                self.changed([], True)
            if self._due():
                with self._lock:
                    self._first = None
                    named = None if self._walk else sorted(self._paths)
                    self._paths, self._walk = set(), False
                self.builds += 1
                try:
                    self.on_change(named)
                except Exception:
                    log.exception("rebuild after a change failed")

    def _wait_time(self) -> float:
        with self._lock:
            if self._first is None:
                return POLL_SECONDS
            now = time.monotonic()
            due = min(self._last + self.quiet, self._first + self.max_delay)
        return max(0.0, min(POLL_SECONDS, due - now))

    def _due(self) -> bool:
        with self._lock:
            if self._first is None:
                return False
            now = time.monotonic()
            return now - self._last >= self.quiet or now - self._first >= self.max_delay


class _Handler:
    """watchdog's event handler interface, forwarding what matters to the watcher."""

    def __init__(self, watcher: ContentWatcher) -> None:
        self.watcher = watcher

    def dispatch(self, event: Any) -> None:
        if event.event_type in _IGNORED_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed: its own event says whether it matters
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.watcher.changed(paths, event.is_directory)


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{exc.strerror or exc} (errno {exc.errno})"
    return str(exc) or type(exc).__name__
