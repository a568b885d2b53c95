"""Reading and parsing changed files, in a process pool when there are many.

A cold build of a large folder is bound by YAML parsing, so it is spread over every
core, in large batches to keep the cost of handing work around small. Workers read the
files themselves (the parent never holds raw bytes) and send back the finished records.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from aggregator.ingest.codec import ArticleDecoder, article_to_json
from aggregator.ingest.frontmatter import ArticleError
from aggregator.ingest.normalise import ParseMemo, as_of, parse_article
from aggregator.ingest.scan import FileEntry, read_file
from aggregator.model import Article, FileRecord, FileStatus
from aggregator.runtime import gc_paused

log = logging.getLogger("aggregator.parse")
POOL_THRESHOLD = 400  # fewer changed files than this are parsed in-process
BATCH_SIZE = 256


@dataclass(frozen=True)
class ParseJob:
    root: Path
    max_bytes: int
    url_aliases: Mapping[str, str]
    now: dt.datetime  # decides 'ok' or 'scheduled' for future-dated articles
    keep_body: bool = False  # only when some feed shows full content: bodies cost store space
    # What clustering will ask of each title (a headline's words, as text), found by the
    # pool's workers while they are at it; the build passes it, so parsing knows nothing
    # of stories.
    headline_words: Callable[[str], str] | None = None

    @functools.cached_property
    def real_root(self) -> str:
        """The content folder's resolved path, once per job (it may move between builds)."""
        return os.path.realpath(self.root)


@dataclass(slots=True, unsafe_hash=True)
class Parsed:
    record: FileRecord
    visible: Article | None  # the article as it may be shown now (for status 'ok')
    # (title, `ParseJob.headline_words` of it) for the visible article's titles, when a
    # pool worker found them
    headline_words: tuple[tuple[str, str], ...] = field(default=(), compare=False)


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_entry(
    job: ParseJob, entry: FileEntry, known_hash: str | None, mtime_ns: int, names: ParseMemo | None = None
) -> Parsed | None:
    """One file to a record; None if it vanished. Status 'same' if its bytes match `known_hash`.
    `names` is the memo of the batch this file is parsed in."""
    try:
        data = read_file(job.root, entry.path, job.max_bytes, job.real_root)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        return _unreadable(entry, str(exc))
    except OSError as exc:
        return _unreadable(entry, f"cannot read: {exc.strerror or exc}")
    digest = hash_bytes(data)
    if digest == known_hash:
        return Parsed(
            FileRecord(
                path=entry.path, size=len(data), mtime_ns=mtime_ns, hash=digest, status=FileStatus.SAME
            ),
            None,
        )
    try:
        result = parse_article(entry.path, data, job.url_aliases, names, keep_body=job.keep_body)
    except ArticleError as exc:
        skipped = FileRecord(
            path=entry.path,
            size=len(data),
            mtime_ns=mtime_ns,
            hash=digest,
            status=FileStatus.SKIPPED,
            reason=exc.reason,
        )
        return Parsed(skipped, None)
    except Exception as exc:  # a parser bug must not stop the build: it is this file's problem
        log.exception("unexpected error parsing %r", entry.path)
        reason = f"internal error: {exc!r}"
        skipped = FileRecord(
            path=entry.path,
            size=len(data),
            mtime_ns=mtime_ns,
            hash=digest,
            status=FileStatus.SKIPPED,
            reason=reason,
        )
        return Parsed(skipped, None)
    article = result.article
    status, due, shown = _status(article, job.now)
    record = FileRecord(
        path=entry.path,
        size=len(data),
        mtime_ns=mtime_ns,
        hash=digest,
        status=status,
        warnings=result.warnings,
        article_json=article_to_json(article),
        due=due,
    )
    return Parsed(record, shown)


def visibility(record: FileRecord, article: Article, now: dt.datetime) -> Parsed:
    """The record with its status and due time as of `now` (for a scheduled file come due)."""
    status, due, shown = _status(article, now)
    return Parsed(replace(record, status=status, due=due), shown)


def _status(article: Article, now: dt.datetime) -> tuple[FileStatus, int | None, Article | None]:
    """'draft', 'ok' or 'scheduled' by the article's flag and dates; when to look at the
    file again (epoch seconds); and the article as it may be shown now."""
    if article.draft:
        return FileStatus.DRAFT, None, None
    shown, due_at = as_of(article, now)
    return (
        (FileStatus.OK if shown is not None else FileStatus.SCHEDULED),
        (int(due_at.timestamp()) if due_at else None),
        shown,
    )


def _unreadable(entry: FileEntry, reason: str) -> Parsed:
    # size -1 never matches a stat, so the file is tried again on every scan.
    return Parsed(
        FileRecord(path=entry.path, size=-1, mtime_ns=-1, hash="", status=FileStatus.SKIPPED, reason=reason),
        None,
    )


def _parse_batch(job: ParseJob, batch: Sequence[tuple[str, int, int, str | None, int]]) -> list[tuple | None]:
    """Runs in a worker. Plain tuples cross the process boundary: pickling dataclasses
    costs more than parsing JSON, so the article travels as its JSON text, with the
    `ParseJob.headline_words` of its title and `related` titles."""
    names = ParseMemo()
    with gc_paused():
        results: list[tuple | None] = []
        for path, size, mtime_ns, known, mtime in batch:
            parsed = parse_entry(job, FileEntry(path, size, mtime_ns), known, mtime, names)
            if parsed is None:
                results.append(None)
                continue
            words = None
            if parsed.visible is not None and job.headline_words is not None:
                words = tuple(job.headline_words(title) for title in _titles(parsed.visible))
            results.append((*astuple_record(parsed.record), words))
        return results


def _titles(article: Article) -> list[str]:
    return [article.title, *(item.title for item in article.related)]


_RECORD_FIELDS = ("path", "size", "mtime_ns", "hash", "status", "reason", "warnings", "article_json", "due")


def astuple_record(record: FileRecord) -> tuple:
    return (
        record.path,
        record.size,
        record.mtime_ns,
        record.hash,
        record.status,
        record.reason,
        record.warnings,
        record.article_json,
        record.due,
    )


def _from_worker(item: tuple | None, now: dt.datetime, decode: ArticleDecoder) -> Parsed | None:
    if item is None:
        return None
    *fields, words = item
    record = FileRecord(**dict(zip(_RECORD_FIELDS, fields, strict=True)))
    if record.status != "ok":
        return Parsed(record, None)
    shown = as_of(decode(record.article_json), now)[0]  # type: ignore[arg-type]
    if shown is not None and words is not None:
        titles = _titles(shown)
        if len(titles) == len(words):  # the same article the worker saw, as it should be
            return Parsed(record, shown, tuple(zip(titles, words, strict=True)))
    return Parsed(record, shown)


def parse_entries(
    job: ParseJob, work: Sequence[tuple[FileEntry, str | None, int]], workers: int | None = None
) -> Iterator[Parsed | None]:
    """Parse (entry, known hash, mtime to record) items, in order, on every core if many."""
    workers = workers or os.cpu_count() or 1
    if len(work) < POOL_THRESHOLD or workers < 2:
        names = ParseMemo()
        for entry, known, mtime in work:
            yield parse_entry(job, entry, known, mtime, names)
        return
    import multiprocessing  # only a build with many changed files needs a pool
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheap but unsafe once threads run (the daemon's web server, the scheduler).
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    items = [(entry.path, entry.size, entry.mtime_ns, known, mtime) for entry, known, mtime in work]
    batches = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
    decode = ArticleDecoder()  # one for the whole pass: outlets and topics repeat across batches
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for results in pool.map(_parse_batch, [job] * len(batches), batches, chunksize=1):
            for item in results:
                yield _from_worker(item, job.now, decode)
