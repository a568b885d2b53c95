"""The value objects the stages share: articles, stories, and what is kept of a file.

They carry data and nothing else; each stage builds them and hands them on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

# The model's value objects (here, and Member, Story and the store's rows) are slotted
# dataclasses that nothing mutates: changed copies come from `dataclasses.replace`. They
# are not declared frozen because a frozen one costs several times as much to build (every
# field goes through `object.__setattr__`; bench/README.md), and a cold build of 100,000
# files builds millions; `unsafe_hash` keeps them hashable by value, as frozen ones are.


@dataclass(slots=True, unsafe_hash=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None


@dataclass(slots=True, unsafe_hash=True)
class Provider:
    name: str
    domain: str


@dataclass(slots=True, unsafe_hash=True)
class Topic:
    name: str
    slug: str


@dataclass(slots=True, unsafe_hash=True)
class RelatedItem:
    """Another outlet's coverage of the same story, as an article's `related` entry."""

    title: str
    url: str
    canonical: str
    provider: Provider
    excerpt: str = ""
    published: dt.datetime | None = None
    quality: int | None = None
    heat: int | None = None
    image: Image | None = None


@dataclass(slots=True, unsafe_hash=True)
class Article:
    path: str  # relative to the content folder, POSIX separators
    title: str
    url: str
    canonical: str
    published: dt.datetime
    provider: Provider
    excerpt: str = ""
    updated: dt.datetime | None = None
    category: str = ""
    kind: str = "article"
    quality: int | None = None
    heat: int | None = None
    topics: tuple[Topic, ...] = ()
    image: Image | None = None
    related: tuple[RelatedItem, ...] = ()
    draft: bool = False
    body: str = ""  # the Markdown below the front matter, XML-safe; rendered only for full content


@dataclass(slots=True, unsafe_hash=True)
class Member:
    """One piece of coverage in a story: a file, a `related` entry, or both."""

    canonical: str
    url: str
    title: str
    excerpt: str
    provider: Provider
    published: dt.datetime | None
    quality: int | None
    heat: int | None
    image: Image | None
    paths: tuple[str, ...]  # content files holding this article; empty if known only from `related`
    reason: str  # why it joined: "file", "url", "related" or "headline"
    via: str  # the file or member that brought it in
    body: str = ""  # its file's Markdown body; empty for coverage known only from `related`


@dataclass(unsafe_hash=True)
class Story:
    id: str
    primary: Member
    members: tuple[Member, ...]  # primary first, then the rest by date and URL
    topics: tuple[Topic, ...]
    categories: tuple[str, ...]
    published: dt.datetime
    updated: dt.datetime
    fingerprint: str

    @property
    def others(self) -> tuple[Member, ...]:
        return self.members[1:]

    @property
    def file_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.paths)


@dataclass(unsafe_hash=True)
class StoryRecord:
    """What the state store remembers of a story between builds."""

    id: str
    first_seen: dt.datetime
    fingerprint: str
    changed_at: dt.datetime | None


@dataclass(unsafe_hash=True)
class Cluster:
    """A story before it has an id."""

    members: tuple[Member, ...]
    articles: tuple[Article, ...]  # the file members' articles (what a story takes from them needs no order)


class FileStatus(StrEnum):
    """What the last build made of a content file."""

    OK = "ok"  # published (visible)
    DRAFT = "draft"  # `published: false`
    SCHEDULED = "scheduled"  # dated in the future: published when it comes due
    SKIPPED = "skipped"  # not an article; `reason` says why
    SAME = "same"  # read again, same bytes as last time (never stored)


@dataclass(slots=True, unsafe_hash=True, kw_only=True)
class FileRecord:
    """What the state store keeps of one content file between builds."""

    path: str
    size: int
    mtime_ns: int
    hash: str
    status: FileStatus
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    article_json: str | None = None
    due: int | None = None


def iso_z(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with a `Z`, to the second: the form every feed validator accepts,
    and the feeds' sort keys, which compare as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
