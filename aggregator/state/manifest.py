"""The file manifest: size and mtime of every content file the state store knows.

A rescan compares it with the folder's stats to find what may have changed. It is kept
as one blob beside the `files` table: the paths in order, joined by NUL (which no file
name can hold), and the sizes and mtimes as packed 64-bit arrays. Loading that is a
split and two array copies, and when the folder still holds the same paths (the
daemon's usual case) the comparison is a list equality and one pass over two arrays,
instead of a hundred thousand dictionary lookups.
"""

from __future__ import annotations

import marshal
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aggregator.ingest.scan import FileEntry

_SEPARATOR = "\0"
IN_PLACE_LIMIT = 1000  # more changes than this at once: rebuilt from a dictionary


class Manifest:
    """path -> (size, mtime_ns), as sorted parallel sequences."""

    __slots__ = ("mtimes", "paths", "sizes")

    def __init__(self, paths: list[str], sizes: array, mtimes: array) -> None:
        self.paths = paths  # sorted
        self.sizes = sizes
        self.mtimes = mtimes

    @classmethod
    def from_mapping(cls, entries: Mapping[str, tuple[int, int]]) -> Manifest:
        paths = sorted(entries)
        return cls(
            paths,
            array("q", [entries[path][0] for path in paths]),
            array("q", [entries[path][1] for path in paths]),
        )

    @classmethod
    def from_blob(cls, blob: bytes) -> Manifest:
        text, sizes, mtimes = marshal.loads(blob)
        return cls(text.split(_SEPARATOR) if text else [], array("q", sizes), array("q", mtimes))

    def to_blob(self) -> bytes:
        # marshal keeps any str, even the lone surrogates that undecodable file names become
        return marshal.dumps((_SEPARATOR.join(self.paths), self.sizes.tobytes(), self.mtimes.tobytes()))

    def apply(self, updates: Iterable[tuple[str, int, int]], gone: Iterable[str]) -> None:
        """Record new stats and forget paths in place, keeping the paths sorted: for a
        few changes, cheaper than a dictionary of every file and a sort of it again."""
        paths, sizes, mtimes = self.paths, self.sizes, self.mtimes
        for path, size, mtime in updates:
            i = bisect_left(paths, path)
            if i < len(paths) and paths[i] == path:
                sizes[i], mtimes[i] = size, mtime
            else:
                paths.insert(i, path)
                sizes.insert(i, size)
                mtimes.insert(i, mtime)
        for path in gone:
            i = bisect_left(paths, path)
            if i < len(paths) and paths[i] == path:
                del paths[i], sizes[i], mtimes[i]

    def as_dict(self) -> dict[str, tuple[int, int]]:
        return dict(zip(self.paths, zip(self.sizes, self.mtimes, strict=True), strict=True))

    def diff(self, files: Sequence[FileEntry]) -> tuple[list[FileEntry], list[str]]:
        """(the files whose stat differs from the manifest's, the paths no longer there).

        `files` must be sorted by path, as `content.scan` gives them.
        """
        paths = [entry.path for entry in files]
        if paths == self.paths:  # the usual case: no file added, removed or renamed
            return [
                entry
                for entry, size, mtime in zip(files, self.sizes, self.mtimes, strict=True)
                if entry.size != size or entry.mtime_ns != mtime
            ], []
        known = self.as_dict()
        changed = [entry for entry in files if known.get(entry.path) != (entry.size, entry.mtime_ns)]
        return changed, sorted(known.keys() - set(paths))


class ManifestCache:
    """The manifest one store connection works with: one blob beside the `files` table,
    and a journal of the changes made since the blob was written.

    Loading one blob is many times faster than reading a hundred thousand rows; the
    table is the fallback when the blob is missing. A build that changes a few files
    writes only the journal (at a million files the blob is tens of megabytes, a quarter
    of a second to write); one that changes more than `IN_PLACE_LIMIT` since the blob
    was written writes the blob whole and empties the journal. A build that changes files
    without loading the manifest (one told the changed paths) only adds to the journal.
    `db` is a DB-API connection with `execute`; the statements are SQLite's, and another
    database's store overrides them.
    """

    READ = "SELECT value FROM blobs WHERE key = 'manifest'"
    ROWS = "SELECT path, size, mtime_ns FROM files"
    WRITE = "INSERT OR REPLACE INTO blobs (key, value) VALUES ('manifest', ?)"
    JOURNAL_READ = "SELECT value FROM blobs WHERE key = 'manifest_journal'"
    JOURNAL_WRITE = "INSERT OR REPLACE INTO blobs (key, value) VALUES ('manifest_journal', ?)"
    JOURNAL_FORGET = "DELETE FROM blobs WHERE key = 'manifest_journal'"

    def __init__(self) -> None:
        self._manifest: Manifest | None = None  # the blob with the journal applied, and this build's changes
        self._entries: dict[str, tuple[int, int]] | None = None  # ...as a dictionary, after many changes
        self._journal: dict[str, tuple[int, int] | None] | None = None  # path -> stat, None: gone
        self._journal_dirty = False
        self._rewrite = False  # the blob is to be written whole

    def _load_journal(self, db: Any) -> dict[str, tuple[int, int] | None]:
        if self._journal is None:
            row = db.execute(self.JOURNAL_READ).fetchone()
            self._journal = marshal.loads(row[0]) if row is not None else {}
        return self._journal

    def load(self, db: Any) -> Manifest:
        if self._manifest is None:
            row = db.execute(self.READ).fetchone()
            if row is not None:
                manifest = Manifest.from_blob(row[0])
                journal = self._load_journal(db)
                manifest.apply(
                    ((path, *stat) for path, stat in journal.items() if stat is not None),
                    [path for path, stat in journal.items() if stat is None],
                )
                self._manifest = manifest
            else:
                rows = db.execute(self.ROWS).fetchall()
                self._manifest = Manifest.from_mapping({path: (size, mtime) for path, size, mtime in rows})
                self._journal, self._rewrite = {}, True
        return self._manifest

    def save(self, db: Any) -> None:
        if self._rewrite:
            self.load(db)
            if self._entries is not None:
                self._manifest = Manifest.from_mapping(self._entries)
                self._entries = None
            assert self._manifest is not None
            db.execute(self.WRITE, (self._manifest.to_blob(),))
            db.execute(self.JOURNAL_FORGET)
            self._journal, self._journal_dirty, self._rewrite = {}, False, False
        elif self._journal_dirty:
            db.execute(self.JOURNAL_WRITE, (marshal.dumps(self._journal),))
            self._journal_dirty = False

    def forget(self) -> None:
        """Drop what is held in memory (after a rollback: it may hold undone changes)."""
        self._manifest, self._entries, self._journal = None, None, None
        self._journal_dirty = self._rewrite = False

    def changed(
        self, db: Any, updates: Iterable[tuple[str, int, int]] = (), gone: Iterable[str] = ()
    ) -> None:
        updates, gone = list(updates), list(gone)
        if not self._rewrite:
            journal = self._load_journal(db)
            if len(journal) + len(updates) + len(gone) <= IN_PLACE_LIMIT:
                for path, size, mtime in updates:
                    journal[path] = (size, mtime)
                for path in gone:
                    journal[path] = None
                self._journal_dirty = True
            else:  # the blob is written whole: start from it (with the journal so far)
                self.load(db)
                self._rewrite = True
        if self._manifest is None:
            return  # the journal holds the change
        if self._entries is None:
            if len(updates) + len(gone) <= IN_PLACE_LIMIT:
                self._manifest.apply(updates, gone)  # an edit or two: no dictionary of every file
                return
            self._entries = self._manifest.as_dict()
        for path, size, mtime in updates:
            self._entries[path] = (size, mtime)
        for path in gone:
            self._entries.pop(path, None)
