"""One rebuild: scan -> parse -> cluster -> select -> render -> publish, under one lock.

Every process that builds (the daemon, `aggregator build`, `aggregator scheduler`)
goes through `run_build`, which holds the build lock for the whole run (a file lock, or
a PostgreSQL advisory lock shared by every host), so two builds never interleave. Everything is rendered in memory first; only then is the
output folder touched, file by file, atomically. A build that fails leaves the
published feeds as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aggregator.buildlock import build_lock
from aggregator.config import Config
from aggregator.fingerprint import config_fingerprint, keeps_bodies, parse_fingerprint
from aggregator.ingest.scan import FileEntry
from aggregator.model import FileRecord
from aggregator.output.files import render_outputs
from aggregator.output.publish import Publisher, publisher_for, write_atomic
from aggregator.report import (
    BuildReport,
    Problem,
    ProgressCallback,
    ProgressWatcher,
    now_utc,
    stamp,
)
from aggregator.runtime import EXIT_HOLD, gc_paused
from aggregator.scanning import SCAN_KEY, compare, look
from aggregator.state.opening import open_state, set_aside_if_damaged

if TYPE_CHECKING:
    from aggregator.model import Article
    from aggregator.state.protocol import StateBackend
    from aggregator.stories.headlines import HeadlineWords

# The parser, the clusterer and the renderers are imported where they are first used:
# a rescan that finds nothing changed (the daemon's usual case) never loads them.

log = logging.getLogger("aggregator.build")
# A file modified this close to the scan may be modified again within the same mtime
# tick; it is re-hashed on the next scan rather than trusted by its stat.
RACY_WINDOW_NS = 2_000_000_000


# --- the lock -------------------------------------------------------------------------


def run_build(
    config: Config,
    *,
    full: bool = False,
    lock_timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
    progress: ProgressCallback | None = None,
    changed: Sequence[str] | None = None,
) -> BuildReport:
    """Run one rebuild under the cross-process build lock and record its status.

    `progress`, if given, is told the phase and the files parsed as the build goes
    (`Progress`), a few times a second at most. `changed` names the paths that changed
    (absolute, or relative to the content folder): only they are looked at, instead of
    walking the folder (see `aggregator.scanning`)."""
    config.state_path.parent.mkdir(parents=True, exist_ok=True)
    timeout = config.lock_timeout_seconds if lock_timeout is None else lock_timeout
    with build_lock(config, timeout, on_wait) as fence:
        started = now_utc()
        try:
            with gc_paused():
                try:
                    report = build_once(config, full=full, progress=progress, fence=fence, changed=changed)
                except sqlite3.DatabaseError as exc:
                    if not set_aside_if_damaged(config.state_path, exc):
                        raise
                    report = build_once(config, full=full, progress=progress, fence=fence)  # as a first build
        except Exception as exc:
            _write_status(config, "error", started, None, str(exc))
            raise
        _write_status(config, "ok", started, report, None)
        return report


def _write_status(
    config: Config, status: str, started: dt.datetime, report: BuildReport | None, error: str | None
) -> None:
    """The last build's outcome, for /healthz in any web worker."""
    finished = now_utc()
    previous: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        previous = json.loads(config.status_path.read_text(encoding="utf-8"))
    last_success = stamp(finished) if status == "ok" else previous.get("last_success_at")
    changed = report is not None and bool(report.written or report.removed)
    data = {
        "status": status,
        "started_at": stamp(started),
        "finished_at": stamp(finished),
        "duration_ms": int((finished - started).total_seconds() * 1000),
        "last_success_at": last_success,
        "counts": report.counts() if report else previous.get("counts", {}),
        "error": error,
        "state_backend": config.state_backend,
        "published_to": publisher_for(config).describe(),
        "last_publish_at": stamp(finished) if changed else previous.get("last_publish_at"),
    }
    write_atomic(config.status_path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))


# --- the pipeline ---------------------------------------------------------------------


def build_once(
    config: Config,
    *,
    full: bool = False,
    progress: ProgressCallback | None = None,
    fence: Callable[[], None] | None = None,
    changed: Sequence[str] | None = None,
) -> BuildReport:
    """The pipeline itself, without the lock (callers hold it; `fence` checks it is still
    held, just before anything is published)."""
    clock = time.perf_counter()
    now = now_utc()
    report = BuildReport(started_at=now)
    watch = ProgressWatcher(progress, clock)
    watch.enter("scan")
    looked = look(config, None if full else changed)
    mark = report.lap("scan", clock)

    publisher: Publisher = publisher_for(config)
    with open_state(config.state_url, config.state_path) as store:
        config_fp, parse_fp = config_fingerprint(config), parse_fingerprint(config)
        reparse_all = full or store.get_meta("parse_fingerprint") != parse_fp
        recompute_all = reparse_all or store.get_meta("config_fingerprint") != config_fp
        to_check, removed, scan_problems, problems_text = compare(
            config, store, looked, reparse_all, recompute_all
        )
        report.files_scanned = looked.files_scanned
        report.scan = "walk" if looked.walked else "named"
        due = [] if reparse_all else sorted(set(store.due_paths(int(now.timestamp()))) - set(removed))
        published_sizes: dict[str, int] = json.loads(store.get_meta("published") or "{}")
        damaged = publisher.damaged(published_sizes)  # asked once: for a bucket, it is a round trip
        mark = report.lap("manifest", mark)

        if not (to_check or removed or due or recompute_all) and published_sizes and not damaged:
            if problems_text is not None:
                with store.transaction():
                    store.set_meta(SCAN_KEY, problems_text)
            report.nothing_changed = True
            _report_state(report, store, scan_problems, set(), json.loads(store.get_meta("feeds") or "[]"))
            report.unchanged = len(published_sizes)
            return _finish(report, clock)

        from aggregator.index.full import apply_full
        from aggregator.index.incremental import apply_incremental
        from aggregator.index.views import StoredFeeds
        from aggregator.ingest.codec import ArticleDecoder
        from aggregator.stories.headlines import HeadlineWords

        with store.transaction():
            if reparse_all:
                store.defer_file_indexes()  # every row is rewritten; apply_full rebuilds them
            words = HeadlineWords()  # this build's memo, dropped with it
            watch.enter("parse", len(to_check))
            changes = _read_changes(config, store, to_check, removed, due, now, reparse_all, watch, words)
            mark = report.lap("parse", mark)
            report.parsed = changes.parsed
            report.files_changed = len(changes.fresh)
            report.files_removed = len(removed)
            store.put_files(changes.due_records)
            store.touch_files(changes.touched)
            store.delete_files(removed)
            mark = report.lap("store_files", mark)
            watch.enter("stories")

            with contextlib.ExitStack() as loading:  # a full pass's bulk load, until published
                outcome = None
                if not recompute_all and len(changes.overlay) <= INCREMENTAL_LIMIT:
                    outcome = apply_incremental(
                        store, config, changes.overlay, changes.old_links, _loader(store, now), now, words
                    )
                if outcome is None:
                    articles = {} if reparse_all else _loader(store, now)(None)
                    articles.update(changes.overlay)
                    visible = [a for a in articles.values() if a is not None]
                    outcome = apply_full(store, config, visible, now, loading, words)
                mark = report.lap("stories", mark)
                watch.enter("render")
                source = outcome.snapshot or StoredFeeds(store, now, ArticleDecoder())
                files, expected, infos = render_outputs(
                    source,
                    config,
                    outcome,
                    set(published_sizes),
                    damaged,
                    store.created(),
                )
                mark = report.lap("render", mark)
            # The state is written before the site is published: a store (or lock) lost
            # by now fails the build with nothing published, and the transaction commits
            # only once publishing has succeeded.
            sizes = {name: published_sizes[name] for name in expected if name in published_sizes}
            sizes.update({name: len(data) for name, data in files.items()})
            feeds = [
                {"slug": i.slug, "title": i.title, "entries": min(i.total, i.cap), "stories": i.total}
                for i in infos
            ]
            store.set_meta("published", json.dumps(sizes, sort_keys=True))
            if problems_text is not None:
                store.set_meta(SCAN_KEY, problems_text)
            store.set_meta("feeds", json.dumps(feeds))
            store.set_meta("copies", _merged_copies(store, outcome.copies, outcome.copies_scope))
            store.set_meta("config_fingerprint", config_fp)
            store.set_meta("parse_fingerprint", parse_fp)
            store.save_manifest()
            if fence is not None:
                fence()
            watch.enter("publish")
            published = publisher.publish(files, expected)
        mark = report.lap("publish", mark)

        report.written = published.written
        report.unchanged = len(published.unchanged) + len(expected) - len(files)
        report.removed = published.removed
        _report_state(report, store, scan_problems, set(changes.fresh), feeds)
    EXIT_HOLD.keep(locals())  # the build's articles, stories and files, for a process about to exit
    return _finish(report, clock)


INCREMENTAL_LIMIT = 5000  # more changed files than this: re-cluster everything


def _finish(report: BuildReport, clock: float) -> BuildReport:
    report.finished_at = now_utc()
    report.duration_ms = int((time.perf_counter() - clock) * 1000)
    return report


def _report_state(
    report: BuildReport,
    store: StateBackend,
    scan_problems: list[Problem],
    fresh: set[str],
    feeds: list[dict[str, Any]],
) -> None:
    """Counts and problems as the store holds them after this build."""
    counts = store.status_counts()
    report.articles = counts.get("ok", 0)
    report.drafts = counts.get("draft", 0)
    report.scheduled = counts.get("scheduled", 0)
    report.stories = store.story_count()
    report.feeds = feeds
    report.skipped = list(scan_problems)
    for path, kind, message in store.problems():
        target = report.skipped if kind == "skipped" else report.warnings
        target.append(Problem(path, message, new=path in fresh))
    # Two files for one article: the copy not published is named, with the one that is.
    for notices in json.loads(store.get_meta("copies") or "{}").values():
        for path, message, paths in notices:
            report.warnings.append(Problem(path, message, new=not fresh.isdisjoint(paths)))


def _merged_copies(store: StateBackend, found: dict[str, Any], scope: set[str] | None) -> str:
    """The stored superseded-copy notices with this pass's (for the links it covered)."""
    kept = {} if scope is None else json.loads(store.get_meta("copies") or "{}")
    merged = {link: notices for link, notices in kept.items() if link not in (scope or ())}
    merged.update(found)
    return json.dumps(merged, sort_keys=True)


@dataclass
class _Changes:
    fresh: list[str] = field(default_factory=list)  # paths with new or changed content (already stored)
    due_records: list[FileRecord] = field(default_factory=list)  # unchanged, but a date came due
    touched: list[tuple[int, int, str]] = field(default_factory=list)  # new stat, same bytes
    overlay: dict[str, Article | None] = field(default_factory=dict)  # changed path -> visible version
    old_links: dict[str, set[str]] = field(default_factory=dict)
    parsed: int = 0


def _read_changes(
    config: Config,
    store: StateBackend,
    to_check: list[FileEntry],
    removed: list[str],
    due: list[str],
    now: dt.datetime,
    reparse_all: bool,
    watch: ProgressWatcher,
    words: HeadlineWords,
) -> _Changes:
    """Read what the stat says may have changed; keep what really did."""
    from aggregator.ingest.codec import article_from_json
    from aggregator.ingest.parse import ParseJob, parse_entries, visibility
    from aggregator.stories.headlines import headline_words_text

    changes = _Changes()
    known = {} if reparse_all else {r.path: r for r in store.file_records([e.path for e in to_check])}
    scan_ns = time.time_ns()
    job = ParseJob(
        config.content_dir,
        config.max_file_bytes,
        config.stories.url_aliases,
        now,
        keep_body=keeps_bodies(config),
        headline_words=headline_words_text,
    )
    work = []
    for entry in to_check:
        # A file modified within the racy window may change again in the same mtime tick:
        # record an mtime that never matches, so the next scan re-hashes it.
        mtime = entry.mtime_ns if entry.mtime_ns < scan_ns - RACY_WINDOW_NS else -1
        old = known.get(entry.path)
        work.append((entry, old.hash if old and old.size >= 0 else None, mtime))
    gone: list[str] = []
    pending: list[FileRecord] = []
    for done, ((entry, _hash, _mtime), parsed) in enumerate(
        zip(work, parse_entries(job, work), strict=True), start=1
    ):
        watch.parsed(done)
        if parsed is None:
            gone.append(entry.path)
        elif parsed.record.status == "same":
            changes.touched.append((parsed.record.size, parsed.record.mtime_ns, entry.path))
        else:
            changes.parsed += 1
            changes.fresh.append(entry.path)
            pending.append(parsed.record)
            if len(pending) >= 2000:  # stored as they come, so the raw JSON is not all held at once
                store.put_files(pending)
                pending.clear()
            changes.overlay[entry.path] = parsed.visible
            for title, text in parsed.headline_words:
                words.learn(title, text)
    store.put_files(pending)
    store.delete_files(gone)
    for path in gone + list(removed):
        changes.overlay[path] = None
    for record in store.file_records(sorted(set(due) - set(changes.overlay))):
        article = article_from_json(record.article_json) if record.article_json else None
        if article is not None and record.status in ("ok", "scheduled"):
            parsed = visibility(record, article, now)
            changes.due_records.append(parsed.record)
            changes.overlay[record.path] = parsed.visible
    if not reparse_all:
        for path, canonical in store.links_of_paths(sorted(changes.overlay)):
            changes.old_links.setdefault(path, set()).add(canonical)
    return changes


def _loader(store: StateBackend, now: dt.datetime) -> Callable[[Sequence[str] | None], dict[str, Article]]:
    """Visible articles of these paths (all paths for None), from the store's parse cache."""

    from aggregator.index.views import visible_articles
    from aggregator.ingest.codec import ArticleDecoder

    def load(paths: Sequence[str] | None) -> dict[str, Article]:
        records = store.file_records(paths)
        return visible_articles(((r.path, r.article_json, r.status) for r in records), now, ArticleDecoder())

    return load
