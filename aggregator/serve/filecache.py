"""Reading published files for the web app, with their validators and gzip form.

A build replaces each output file with os.replace, so a file's inode never changes
content once it has a name. Its inode, mtime and size therefore identify exactly one
version of its bytes: that tuple keys a small cache, so a request for a version already
read costs one stat, hashing and compressing happen once per version, and a new version
is seen by the first request after the rename. A version not yet cached is opened, and
the open descriptor's own fstat keys what was read.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Below this, gzip's header costs more than it saves.
MIN_GZIP_BYTES = 256
CACHE_ENTRIES = 512
CACHE_MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass
class Published:
    """One version of one published file.

    The ETag is strong: a hash of the exact bytes. The gzip form is a different
    representation with different bytes, so RFC 9110 (section 8.8.3) requires it to
    carry a different strong tag; it gets the identity tag with a `-gzip` suffix.
    gzip runs with mtime=0, so the same bytes always compress to the same bytes and
    the suffixed tag stays truthful across workers and restarts.
    """

    body: bytes
    modified: datetime
    etag: str = ""
    _gzipped: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def compressible(self) -> bool:
        return len(self.body) >= MIN_GZIP_BYTES

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'

    def tags(self) -> list[str]:
        """Every tag a client may legitimately hold for this version."""
        return [self.etag, self.gzip_etag] if self.compressible else [self.etag]

    def gzipped(self) -> bytes:
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
            return self._gzipped


class StaticFile:
    """Reads files by name from one folder; the caller has already validated the name."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self._cache: OrderedDict[tuple[str, int, int, int, int], Published] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, name: str) -> Published | None:
        """The current version of `name`, or None if there is no such regular file."""
        if "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            return None
        path = os.path.join(self.root, name)
        # One stat answers a request for a version already read: a name's inode never
        # changes content, so the cached bytes of that inode are the file's bytes.
        try:
            seen = os.stat(path)
        except OSError:  # missing, unreadable, a name too long: not a published file
            return None
        with self._lock:
            cached = self._cache.get(_key(name, seen))
            if cached is not None:
                self._cache.move_to_end(_key(name, seen))
                return cached
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # gone since the stat, a folder, unreadable: not a published file
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            key = _key(name, info)
            body = _read_all(fd, info.st_size)
        finally:
            os.close(fd)
        published = Published(body=body, modified=datetime.fromtimestamp(info.st_mtime, UTC))
        if len(body) <= CACHE_MAX_FILE_BYTES:
            with self._lock:
                # One entry per name: an older version of the file is never asked for again.
                for old in [k for k in self._cache if k[0] == name]:
                    del self._cache[old]
                self._cache[key] = published
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return published


def _key(name: str, info: os.stat_result) -> tuple[str, int, int, int, int]:
    return (name, info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _read_all(fd: int, size_hint: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, max(size_hint, 65536))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
