"""One rebuild: scan -> parse -> cluster -> select -> render -> publish, under one lock.

Every process that builds (the daemon, `aggregator build`, `aggregator scheduler`)
goes through `run_build`, which holds a cross-process file lock for the whole run, so
two builds never interleave. Everything is rendered in memory first; only then is the
output folder touched, file by file, atomically. A build that fails leaves the
published feeds as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .articles import Article, ArticleError, embargo, parse_article
from .catalog import Feed, build_catalog
from .config import Config
from .content import FileEntry, read_file, scan
from .publish import publish, write_atomic
from .render.jsonfeed import render_json
from .render.links import FeedLinks
from .render.site import render_index, render_opml
from .render.xmlfeeds import render_atom, render_rss
from .store import FileRecord, StateStore
from .stories import Story, assign_ids, cluster_articles

log = logging.getLogger("aggregator.build")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# A file modified this close to the scan may be modified again within the same mtime
# tick; it is re-hashed on the next scan rather than trusted by its stat.
RACY_WINDOW_NS = 2_000_000_000


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = _stamp(self.started_at)
        data["finished_at"] = _stamp(self.finished_at) if self.finished_at else None
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


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def display_path(path: str) -> str:
    """A path as it may appear in a log line: control characters escaped."""
    return path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path


# --- the lock -------------------------------------------------------------------------


def run_build(
    config: Config,
    *,
    full: bool = False,
    lock_timeout: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> BuildReport:
    """Run one rebuild under the cross-process build lock and record its status."""
    config.state_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(config.lock_path))
    timeout = config.lock_timeout_seconds if lock_timeout is None else lock_timeout
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait()
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise BuildLockTimeout(
                f"another build held the lock {config.lock_path} for more than {timeout:g} s"
            ) from None
    try:
        started = _now()
        try:
            report = build_once(config, full=full)
        except Exception as exc:
            _write_status(config, "error", started, None, str(exc))
            raise
        _write_status(config, "ok", started, report, None)
        return report
    finally:
        lock.release()


def _write_status(
    config: Config, status: str, started: dt.datetime, report: BuildReport | None, error: str | None
) -> None:
    """The last build's outcome, for /healthz in any web worker."""
    finished = _now()
    previous: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        previous = json.loads(config.status_path.read_text(encoding="utf-8"))
    last_success = _stamp(finished) if status == "ok" else previous.get("last_success_at")
    data = {
        "status": status,
        "started_at": _stamp(started),
        "finished_at": _stamp(finished),
        "duration_ms": int((finished - started).total_seconds() * 1000),
        "last_success_at": last_success,
        "counts": report.counts() if report else previous.get("counts", {}),
        "error": error,
    }
    write_atomic(config.status_path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))


# --- the pipeline ---------------------------------------------------------------------


def _config_fingerprint(config: Config) -> str:
    """What, besides content, decides the output: a change forces a full re-render."""
    relevant = (
        config.site_title,
        config.site_description,
        config.base_url,
        config.language,
        config.max_items,
        [asdict(s) for s in config.extra_feeds],
        asdict(config.stories),
        config.max_file_bytes,
        str(config.content_dir.resolve()),
        str(config.output_dir.resolve()),
    )
    return hashlib.blake2b(
        json.dumps(relevant, sort_keys=True, default=str).encode(), digest_size=16
    ).hexdigest()


def _parse_fingerprint(config: Config) -> str:
    """What decides how a file parses: a change means every file is parsed again."""
    relevant = (sorted(config.stories.url_aliases.items()), config.max_file_bytes, "articles-v1")
    return hashlib.blake2b(json.dumps(relevant).encode(), digest_size=16).hexdigest()


def build_once(config: Config, *, full: bool = False) -> BuildReport:
    """The pipeline itself, without the lock (callers hold it)."""
    clock = time.perf_counter()
    report = BuildReport(started_at=_now())
    try:
        scanned = scan(config.content_dir, config.patterns)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise BuildError(str(exc)) from None
    report.files_scanned = len(scanned.files)

    with StateStore(config.state_path) as store:
        reparse_all = full or store.get_meta("parse_fingerprint") != _parse_fingerprint(config)
        manifest = {} if reparse_all else store.manifest()
        old_records = {r.path: r for r in store.file_records()} if not reparse_all else {}
        fresh: list[FileRecord] = []
        touched: list[tuple[int, int, str]] = []
        records: dict[str, FileRecord] = {}
        scan_ns = time.time_ns()
        for entry in scanned.files:
            known = manifest.get(entry.path)
            if known is not None and known[0] == entry.size and known[1] == entry.mtime_ns:
                records[entry.path] = old_records[entry.path]
                continue
            record = _read_and_parse(config, entry, old_records.get(entry.path), scan_ns)
            if record is None:
                continue  # vanished since the walk: it is simply gone
            if entry.path in old_records and record.hash == old_records[entry.path].hash:
                touched.append((record.size, record.mtime_ns, entry.path))
                record = old_records[entry.path]
            else:
                fresh.append(record)
                report.parsed += 1
            records[entry.path] = record
        removed_paths = sorted(set(old_records) - set(records))
        report.files_changed = len(fresh)
        report.files_removed = len(removed_paths)
        fresh_paths = {r.path for r in fresh}

        for problem in scanned.problems:
            report.skipped.append(Problem(problem.path, problem.reason))
        articles: list[Article] = []
        for path, record in sorted(records.items()):
            if record.status == "skipped":
                report.skipped.append(Problem(path, record.reason or "skipped", new=path in fresh_paths))
                continue
            for warning in record.warnings:
                report.warnings.append(Problem(path, warning, new=path in fresh_paths))
            assert record.article is not None
            if record.article.draft:
                report.drafts += 1
            else:
                articles.append(record.article)
        now = _now()
        articles, report.scheduled, next_due = embargo(articles, now)
        report.articles = len(articles)

        config_fp = _config_fingerprint(config)
        due = store.get_meta("next_due")
        nothing_changed = (
            not full
            and not fresh
            and not removed_paths
            and not (due and dt.datetime.fromisoformat(due) <= now)
            and store.get_meta("config_fingerprint") == config_fp
            and _output_intact(config.output_dir, store.get_meta("published"))
        )
        if nothing_changed:
            report.nothing_changed = True
            report.stories = int(store.get_meta("story_count") or 0)
            report.feeds = json.loads(store.get_meta("feeds") or "[]")
            report.unchanged = sum(1 for _ in json.loads(store.get_meta("published") or "{}"))
            if touched:
                with store.transaction():
                    store.touch_files(touched)
        else:
            clusters = cluster_articles(articles, config.stories)
            stories, story_records = assign_ids(clusters, store.story_members(), store.story_records(), now)
            feeds = build_catalog(stories, config)
            files = render_site(feeds, stories, config)
            published = publish(config.output_dir, files)
            report.stories = len(stories)
            report.feeds = [
                {"slug": f.slug, "title": f.title, "entries": len(f.stories), "stories": f.total}
                for f in feeds
            ]
            report.written = published.written
            report.unchanged = len(published.unchanged)
            report.removed = published.removed
            with store.transaction():
                store.put_files(fresh)
                store.touch_files(touched)
                store.delete_files(removed_paths)
                store.replace_stories(
                    story_records.values(),
                    ((m.canonical, s.id) for s in stories for m in s.members),
                )
                store.set_meta("config_fingerprint", config_fp)
                store.set_meta("parse_fingerprint", _parse_fingerprint(config))
                store.set_meta("story_count", str(len(stories)))
                store.set_meta("next_due", next_due.isoformat() if next_due else "")
                store.set_meta("feeds", json.dumps(report.feeds))
                store.set_meta("published", json.dumps({name: len(data) for name, data in files.items()}))

    report.finished_at = _now()
    report.duration_ms = int((time.perf_counter() - clock) * 1000)
    return report


def _output_intact(output_dir: Path, published_json: str | None) -> bool:
    """The output folder still holds what the last build published (same names, sizes)."""
    if not published_json:
        return False
    expected: dict[str, int] = json.loads(published_json)
    for name, size in expected.items():
        try:
            if (output_dir / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def _read_and_parse(
    config: Config, entry: FileEntry, old: FileRecord | None, scan_ns: int
) -> FileRecord | None:
    try:
        data = read_file(config.content_dir, entry.path, config.max_file_bytes)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        return _skipped(entry, "", str(exc), scan_ns)
    except OSError as exc:
        return _skipped(entry, "", f"cannot read: {exc.strerror or exc}", scan_ns)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    size = len(data)
    mtime_ns = entry.mtime_ns if entry.mtime_ns < scan_ns - RACY_WINDOW_NS else -1
    if old is not None and old.hash == digest:
        return FileRecord(
            entry.path, size, mtime_ns, digest, old.status, old.reason, old.warnings, old.article
        )
    try:
        result = parse_article(entry.path, data, config.stories.url_aliases)
    except ArticleError as exc:
        return FileRecord(entry.path, size, mtime_ns, digest, "skipped", exc.reason, (), None)
    except Exception as exc:  # a parser bug must not stop the build; report it as the file's problem
        log.exception("unexpected error parsing %s", display_path(entry.path))
        return FileRecord(entry.path, size, mtime_ns, digest, "skipped", f"internal error: {exc!r}", (), None)
    status = "draft" if result.article.draft else "ok"
    return FileRecord(entry.path, size, mtime_ns, digest, status, None, result.warnings, result.article)


def _skipped(entry: FileEntry, digest: str, reason: str, scan_ns: int) -> FileRecord:
    # No hash: the file could not be read, so it is tried again on every scan.
    return FileRecord(entry.path, -1, -1, digest, "skipped", reason, (), None)


def render_site(feeds: list[Feed], stories: list[Story], config: Config) -> dict[str, bytes]:
    """Every output file's name and bytes, rendered before anything is written."""
    links = FeedLinks(config.base_url)
    fallback = max((s.updated for s in stories), default=EPOCH)
    files: dict[str, bytes] = {}
    for feed in feeds:
        args = (feed, links, config.site_title, config.language, fallback)
        files[f"{feed.slug}.atom"] = render_atom(*args)
        files[f"{feed.slug}.rss"] = render_rss(*args)
        files[f"{feed.slug}.json"] = render_json(*args)
    files["index.html"] = render_index(
        feeds, links, config.site_title, config.site_description, config.language, fallback
    )
    files["feeds.opml"] = render_opml(feeds, links, config.site_title, fallback)
    return files
