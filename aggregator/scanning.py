"""What a build looks at: a walk of the whole content folder, or only the paths it is told.

A build told the changed paths (the daemon's file watcher, `aggregator build --changed`)
stats those alone and takes every other file to be as the manifest says; the walk's
problems (a broken symlink, a folder it cannot list) are kept in the state store from
the last walk, so such a build still reports them. Whenever the paths cannot be trusted
(`ingest.named`), or every file has to be read again anyway, the folder is walked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from aggregator.config import Config
from aggregator.ingest.named import NamedScan, scan_named
from aggregator.ingest.scan import FileEntry, ScanResult, scan
from aggregator.report import BuildError, Problem
from aggregator.state.protocol import StateBackend

# What the last walk saw that a named build cannot: the patterns it listed files by, and
# its problems, as {"patterns": [...], "problems": [[path, reason], ...]}.
SCAN_KEY = "scan"


@dataclass
class Looked:
    """What the scan found, before the state store is asked what changed."""

    walked: ScanResult | None
    named: NamedScan | None

    @property
    def files_scanned(self) -> int:
        return len(self.walked.files) if self.walked else len(self.named.files) if self.named else 0


def walk(config: Config) -> ScanResult:
    try:
        return scan(config.content_dir, config.patterns)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise BuildError(str(exc)) from None


def look(config: Config, changed: Sequence[str] | None) -> Looked:
    """The named paths' stats when they can be trusted, else a walk."""
    named = scan_named(config.content_dir, config.patterns, changed) if changed is not None else None
    return Looked(None, named) if named is not None else Looked(walk(config), None)


class Found(NamedTuple):
    """What changed against the state store, and the walk's problems as of this build."""

    to_check: list[FileEntry]  # files to read
    removed: list[str]  # paths gone
    problems: list[Problem]
    record: str | None  # the text to store under SCAN_KEY, when it changed


def compare(
    config: Config, store: StateBackend, looked: Looked, reparse_all: bool, recompute_all: bool
) -> Found:
    """Compare what was looked at with the store. A named scan knows only the named files,
    so it walks after all when every file is to be read again, the configuration changed,
    or the last walk listed files by other patterns (or is not on record)."""
    text = store.get_meta(SCAN_KEY)
    last = json.loads(text) if text else None
    if looked.walked is None and (
        reparse_all or recompute_all or last is None or last["patterns"] != list(config.patterns)
    ):
        looked.walked, looked.named = walk(config), None
    if looked.walked is not None:
        to_check, removed = store.manifest().diff(looked.walked.files)
        if reparse_all:
            to_check = looked.walked.files
    else:
        assert looked.named is not None  # a few paths: asked of the table, the manifest stays unread
        to_check, removed = _named_changes(store, looked.named)
    problems, record = _scan_problems(config, looked, last or {"patterns": None, "problems": []})
    return Found(to_check, removed, problems, record)


def _named_changes(store: StateBackend, named: NamedScan) -> tuple[list[FileEntry], list[str]]:
    known = {record.path: (record.size, record.mtime_ns) for record in store.file_records(named.paths)}
    present = {entry.path for entry in named.files}
    return (
        [entry for entry in named.files if known.get(entry.path) != (entry.size, entry.mtime_ns)],
        [path for path in named.paths if path not in present and path in known],
    )


def _scan_problems(config: Config, looked: Looked, last: dict[str, Any]) -> tuple[list[Problem], str | None]:
    """The walk's problems: this walk's, or for named paths the last walk's (less those
    paths); each `new` unless the last build reported it too. With them, the record to
    store under SCAN_KEY when it changed (None when it did not)."""
    stored = [tuple(item) for item in last["problems"]]
    if looked.walked is not None:
        current = [(p.path, p.reason) for p in looked.walked.problems]
        record = {"patterns": list(config.patterns), "problems": current}
    else:
        named = set(looked.named.paths) if looked.named else set()
        current = [item for item in stored if item[0] not in named]
        record = {"patterns": last["patterns"], "problems": current}
    before = set(stored)
    problems = [Problem(path, reason, new=(path, reason) not in before) for path, reason in current]
    changed = record["patterns"] != last["patterns"] or current != stored
    return problems, (json.dumps(record) if changed else None)
