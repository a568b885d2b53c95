"""Front matter in, a normalised, validated, output-safe Article out.

Everything the rest of the service sees has passed through here: dates are UTC, URLs
are absolute http(s), text is plain and XML-safe, topics carry a slug, YAML 1.1
surprises are undone, and private fields (`secured`) are never copied.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aggregator.ingest.blockyaml import BlockMemo
from aggregator.ingest.frontmatter import ArticleError, read_front_matter
from aggregator.ingest.text import plain_text
from aggregator.ingest.urls import canonical_url, clean_url, host_of
from aggregator.model import Article, Image, Provider, RelatedItem, Topic
from aggregator.names import bare_host, topic_slug

UTC = dt.UTC
MAX_TITLE = 300
MAX_EXCERPT = 1000
MAX_NAME = 120
MAX_TOPICS = 50
MAX_RELATED = 100
MAX_IMAGES = 10
_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=UTC)  # older dates are implausible to feed validators
_LATEST = dt.datetime(2199, 12, 31, tzinfo=UTC)


@dataclass(unsafe_hash=True)
class ParseResult:
    article: Article
    warnings: tuple[str, ...] = field(default=())


# --- normalisation --------------------------------------------------------------------


class ParseMemo:
    """What a parse job remembers between files: outlets and topic spellings recur in
    nearly every file, and cleaning or slugging one is a walk over its text; so do YAML
    lines and scalars (`block`). Owned by the job that creates it (one per batch of
    files) and bounded."""

    LIMIT = 4096

    def __init__(self) -> None:
        self._providers: dict[tuple[str, str, str], Provider] = {}
        self._slugs: dict[str, str] = {}
        self.block = BlockMemo()

    def provider(self, name: str, raw_domain: str, url_domain: str) -> Provider:
        key = (name, raw_domain, url_domain)
        found = self._providers.get(key)
        if found is None:
            found = _named_provider(name, raw_domain, url_domain)
            if len(self._providers) < self.LIMIT:
                self._providers[key] = found
        return found

    def topic_slug(self, name: str) -> str:
        found = self._slugs.get(name)
        if found is None:
            found = topic_slug(name)
            if len(self._slugs) < self.LIMIT:
                self._slugs[name] = found
        return found


def parse_article(
    path: str, data: bytes, url_aliases: Mapping[str, str] | None = None, names: ParseMemo | None = None
) -> ParseResult:
    """Turn one file's bytes into an Article, or raise ArticleError with the reason."""
    names = names or ParseMemo()
    metadata, _body, cleaned = read_front_matter(data, names.block)
    result = article_from_metadata(path, metadata, url_aliases, names)
    if cleaned:
        note = "control characters that no feed may carry were removed"
        result = ParseResult(result.article, (*result.warnings, note))
    return result


def article_from_metadata(
    path: str,
    meta: Mapping[str, Any],
    url_aliases: Mapping[str, str] | None = None,
    names: ParseMemo | None = None,
) -> ParseResult:
    warnings: list[str] = []
    names = names or ParseMemo()

    title_raw = meta.get("title")
    if title_raw is None:
        raise ArticleError("missing required field 'title'")
    if not _is_scalar(title_raw):
        raise ArticleError(f"'title' must be text, got {_kind(title_raw)}")
    title = plain_text(title_raw, MAX_TITLE)
    if not title:
        raise ArticleError("'title' is empty")

    url = _first_link(meta)
    published = _required_date(meta)
    updated = _optional_date(meta, ("updatedDateTime", "modifiedDateTime", "updated"), warnings)
    if updated is not None and updated < published:
        updated = None

    provider = _provider(meta.get("provider"), url, names)
    aliases = url_aliases or {}
    article = Article(
        path=path,
        title=title,
        url=url,
        canonical=canonical_url(url, aliases),
        published=published,
        updated=updated,
        provider=provider,
        excerpt=plain_text(meta.get("excerpt"), MAX_EXCERPT) if _is_scalar(meta.get("excerpt")) else "",
        category=plain_text(meta.get("category"), MAX_NAME).lower()
        if _is_scalar(meta.get("category"))
        else "",
        kind=plain_text(meta.get("type"), MAX_NAME).lower() or "article"
        if _is_scalar(meta.get("type"))
        else "article",
        quality=_score(meta, "quality", warnings),
        heat=_score(meta, "heat", warnings),
        topics=_topics(meta.get("topics"), warnings, names),
        image=_first_image(meta.get("images"), warnings),
        related=_related(meta.get("related"), aliases, warnings, names),
        draft=not _published_flag(meta.get("published", True), warnings),
    )
    return ParseResult(article, tuple(warnings))


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, dt.date))


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)


def _first_link(meta: Mapping[str, Any]) -> str:
    given = [(key, meta.get(key)) for key in ("webUrl", "originalUrl", "url", "link") if meta.get(key)]
    if not given:
        raise ArticleError("missing required field 'webUrl' (or 'originalUrl')")
    for _key, value in given:
        url = clean_url(value)
        if url:
            return url
    key, value = given[0]
    shown = plain_text(value, 80) if _is_scalar(value) else _kind(value)
    raise ArticleError(f"'{key}' is not an absolute http(s) URL: {shown!r}")


def to_utc(value: object) -> dt.datetime | None:
    """A datetime in UTC from what YAML gives: datetime, date, or ISO 8601 text."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # no zone given: taken as UTC
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if not _EARLIEST <= moment <= _LATEST:
        return None
    return moment


def _required_date(meta: Mapping[str, Any]) -> dt.datetime:
    for key in ("publishedDateTime", "date", "published_at"):
        if key in meta and meta[key] is not None:
            value = to_utc(meta[key])
            if value is None:
                shown = plain_text(meta[key], 60) if _is_scalar(meta[key]) else _kind(meta[key])
                raise ArticleError(f"'{key}' is not an ISO 8601 date between 1990 and 2199: {shown!r}")
            return value
    raise ArticleError("missing required field 'publishedDateTime'")


def _optional_date(meta: Mapping[str, Any], keys: tuple[str, ...], warnings: list[str]) -> dt.datetime | None:
    for key in keys:
        if meta.get(key) is not None:
            value = to_utc(meta[key])
            if value is None:
                warnings.append(f"'{key}' is not an ISO 8601 date; ignored")
            return value
    return None


def _score(meta: Mapping[str, Any], key: str, warnings: list[str]) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            warnings.append(f"'{key}' is not a number; ignored")
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        warnings.append(f"'{key}' is not a number; ignored")
        return None
    if not 0 <= value <= 100:
        warnings.append(f"'{key}' {value} is outside 0-100; clamped")
    return int(min(100, max(0, round(value))))


def _published_flag(value: object, warnings: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "n", "0", "draft"):
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "y", "1"):
        return True
    if isinstance(value, int):
        return value != 0
    warnings.append("'published' is not true or false; taken as a draft")
    return False


def _provider(value: object, url: str, names: ParseMemo) -> Provider:
    domain = host_of(url)
    if isinstance(value, dict):
        name, raw_domain = value.get("name"), value.get("domain")
        if isinstance(name, str) and isinstance(raw_domain, str):
            return names.provider(name, raw_domain, domain)  # the usual form, remembered
        name = plain_text(name, MAX_NAME) if _is_scalar(name) else ""
        return Provider(name=name or domain, domain=_provider_domain(raw_domain, domain))
    if isinstance(value, str) and value.strip():
        return Provider(name=plain_text(value, MAX_NAME) or domain, domain=domain)
    return Provider(name=domain, domain=domain)


def _named_provider(name: str, raw_domain: str, url_domain: str) -> Provider:
    text = plain_text(name, MAX_NAME)
    domain = _provider_domain(raw_domain, url_domain)
    return Provider(name=text or domain, domain=domain)


_DOMAIN = re.compile(r"[a-z0-9.\-]+")


def _provider_domain(raw_domain: object, url_domain: str) -> str:
    """The outlet's own domain if it gives a plausible one, else the link's host."""
    if isinstance(raw_domain, str):
        cleaned = plain_text(raw_domain, MAX_NAME).lower()
        if _DOMAIN.fullmatch(cleaned):
            return bare_host(cleaned)
    return url_domain


def _topics(value: object, warnings: list[str], names: ParseMemo) -> tuple[Topic, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        warnings.append(f"'topics' must be a list, got {_kind(value)}; ignored")
        return ()
    seen: dict[str, Topic] = {}
    for item in value[: MAX_TOPICS * 2]:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            warnings.append(f"a topic must be text, got {_kind(item)}; ignored")
            continue
        name = plain_text(item, MAX_NAME)
        if not name:
            continue
        slug = names.topic_slug(name)
        seen.setdefault(slug, Topic(name=name, slug=slug))
    if len(seen) > MAX_TOPICS:
        warnings.append(f"more than {MAX_TOPICS} topics; the rest ignored")
    return tuple(list(seen.values())[:MAX_TOPICS])


def _first_image(value: object, warnings: list[str]) -> Image | None:
    if not isinstance(value, list):
        return None
    for item in value[:MAX_IMAGES]:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            continue
        url = clean_url(item.get("url"))
        if url is None:
            if item.get("url"):
                warnings.append("an image URL is not an absolute http(s) URL; ignored")
            continue
        return Image(url=url, width=_dimension(item.get("width")), height=_dimension(item.get("height")))
    return None


def _dimension(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= 100_000 else None


def _related(
    value: object, aliases: Mapping[str, str], warnings: list[str], names: ParseMemo
) -> tuple[RelatedItem, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        warnings.append(f"'related' must be a list, got {_kind(value)}; ignored")
        return ()
    items: list[RelatedItem] = []
    seen: set[str] = set()
    dropped = 0
    for entry in value:
        if len(items) >= MAX_RELATED:
            warnings.append(f"more than {MAX_RELATED} related items; the rest ignored")
            break
        if not isinstance(entry, dict):
            dropped += 1
            continue
        url = clean_url(entry.get("webUrl") or entry.get("originalUrl") or entry.get("url"))
        title = plain_text(entry.get("title"), MAX_TITLE) if _is_scalar(entry.get("title")) else ""
        if url is None or not title:
            dropped += 1
            continue
        canonical = canonical_url(url, aliases)
        if canonical in seen:
            continue
        seen.add(canonical)
        items.append(
            RelatedItem(
                title=title,
                url=url,
                canonical=canonical,
                provider=_provider(entry.get("provider"), url, names),
                excerpt=plain_text(entry.get("excerpt"), MAX_EXCERPT)
                if _is_scalar(entry.get("excerpt"))
                else "",
                published=to_utc(entry.get("publishedDateTime")),
                quality=_score(entry, "quality", []),
                heat=_score(entry, "heat", []),
                image=_first_image(entry.get("images"), []),
            )
        )
    if dropped:
        warnings.append(f"{dropped} related item(s) without a title or an absolute http(s) link; ignored")
    return tuple(items)


def as_of(article: Article, now: dt.datetime) -> tuple[Article | None, dt.datetime | None]:
    """The article as it may be shown at `now`, and when that next changes.

    A feed must not show tomorrow's date (readers sort by it, validators flag it): a
    future-dated article is held back (None) until its date, and a future `updated` or
    `related` date is left out until then. The second value is the next such date, so
    the build knows when to look at the file again.
    """
    future = [
        d
        for d in (article.published, article.updated, *(r.published for r in article.related))
        if d is not None and d > now
    ]
    if not future:
        return article, None
    due = min(future)
    if article.published > now:
        return None, due
    shown = replace(
        article,
        updated=article.updated if article.updated and article.updated <= now else None,
        related=tuple(
            replace(r, published=None) if r.published and r.published > now else r for r in article.related
        ),
    )
    return shown, due


# --- article (de)serialisation --------------------------------------------------------
