"""What the build and the story index ask of a state store, as a protocol.

`StateStore` (SQLite, `aggregator.state.store`) implements it; another backend (a
PostgreSQL one) plugs in by implementing the same calls. The build and `aggregator.index`
are typed against `StateBackend`, so what they rely on is written down here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from aggregator.model import FileRecord, StoryRecord
from aggregator.state.bulk import BulkLoader
from aggregator.state.manifest import Manifest
from aggregator.state.rows import NodeRow


class StateBackend(Protocol):
    """The state store's queries: files, links, nodes, stories, feed entries, topic names, meta."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def created(self) -> dt.datetime:
        """When this store was started: the `updated` of a site that has no story yet."""
        ...

    def defer_file_indexes(self) -> None:
        """Drop the `files` indexes until the next bulk load rebuilds them: for a build that rewrites every row, which then goes in faster without them."""
        ...

    def bulk_load(self) -> AbstractContextManager[BulkLoader]:
        """Empty the derived tables, to be refilled by the loader with their indexes set aside."""
        ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def manifest(self) -> Manifest:
        """Size and mtime of every known file: all a no-change rescan needs, cheaply."""
        ...

    def save_manifest(self) -> None:
        """Write the manifest blob if this connection changed the files table."""
        ...

    def file_records(self, paths: Iterable[str] | None = None) -> Iterator[FileRecord]: ...

    def problems(self) -> list[tuple[str, str, str]]:
        """(path, kind, message) for every skipped file and every warning, by path."""
        ...

    def status_counts(self) -> dict[str, int]: ...

    def due_paths(self, now_ts: int) -> list[str]: ...

    def put_files(self, records: Iterable[FileRecord]) -> None: ...

    def touch_files(self, stats: Iterable[tuple[int, int, str]]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        ...

    def delete_files(self, paths: Iterable[str]) -> None: ...

    def links_of_paths(self, paths: Sequence[str]) -> list[tuple[str, str]]: ...

    def paths_of_canonicals(self, canonicals: Sequence[str]) -> list[tuple[str, str]]: ...

    def replace_links(self, paths: Sequence[str], links: Iterable[tuple[str, str]]) -> None: ...

    def memberships(self) -> dict[str, str]:
        """canonical -> story id, for every member."""
        ...

    def nodes(self, canonicals: Sequence[str]) -> list[NodeRow]: ...

    def nodes_of_stories(self, story_ids: Sequence[str]) -> list[NodeRow]: ...

    def dated_from(self, start: int) -> list[str]:
        """Every member dated at or after `start` (epoch seconds)."""
        ...

    def count_dated_from(self, start: int) -> int: ...

    def nodes_sharing_words(
        self, words: Sequence[str], start: int, end: int, at_least: int
    ) -> list[tuple[str, int, str]]:
        """(canonical, ts, words) of every member dated in [start, end] whose headline
        shares at least `at_least` of `words`: the candidates a headline may match."""
        ...

    def replace_nodes(self, canonicals: Sequence[str], rows: Iterable[NodeRow]) -> None: ...

    def story_records(self, ids: Sequence[str] | None = None) -> dict[str, StoryRecord]: ...

    def story_topics(self, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]: ...

    def story_exists(self, story_id: str) -> bool: ...

    def story_count(self) -> int: ...

    def delete_stories(self, ids: Iterable[str]) -> None: ...

    def put_stories(self, rows: Iterable[tuple[StoryRecord, tuple[tuple[str, str], ...]]]) -> None: ...

    def feed_slugs_of_stories(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(slug, sort_key, story_id) rows of these stories."""
        ...

    def delete_feed_entries(self, ids: Iterable[str]) -> None: ...

    def put_feed_entries(self, rows: Iterable[tuple[str, str, str]]) -> None: ...

    def feed_top(self, slug: str, limit: int) -> list[str]: ...

    def rank_cutoff(self, slug: str, limit: int) -> str | None:
        """The sort key of the feed's last entry within the cap (None if fewer entries)."""
        ...

    def feed_totals(self) -> dict[str, tuple[int, str]]:
        """slug -> (number of stories, newest sort key)."""
        ...

    def adjust_topic_names(self, changes: dict[tuple[str, str], int]) -> None: ...

    def topic_names(self, slugs: Sequence[str] | None = None) -> dict[str, str]:
        """slug -> its most used spelling (ties: alphabetical)."""
        ...
