"""Front matter in, a normalised, validated, output-safe Article out.

Everything the rest of the service sees has passed through here: dates are UTC, URLs
are absolute http(s), text is plain and XML-safe, topics carry a slug, YAML 1.1
surprises are undone, and private fields (`secured`) are never copied.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aggregator.ingest.frontmatter import ArticleError, read_front_matter
from aggregator.ingest.outlets import MAX_NAME, ParseMemo, provider_of
from aggregator.ingest.text import plain_text, plain_text_noting, xml_safe
from aggregator.ingest.urls import canonical_url, clean_url, without_tracking
from aggregator.model import Article, Image, RelatedItem, Topic

__all__ = ["ParseMemo", "ParseResult", "article_from_metadata", "as_of", "parse_article", "to_utc"]

UTC = dt.UTC
MAX_TITLE = 300
MAX_EXCERPT = 1000
MAX_TOPICS = 50
MAX_RELATED = 100
MAX_IMAGES = 10
MAX_BODY = 200_000  # characters of Markdown kept; a longer body is cut at a line break
_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=UTC)  # older dates are implausible to feed validators
_LATEST = dt.datetime(2199, 12, 31, tzinfo=UTC)


@dataclass(unsafe_hash=True)
class ParseResult:
    article: Article
    warnings: tuple[str, ...] = field(default=())


# --- normalisation --------------------------------------------------------------------


def parse_article(
    path: str,
    data: bytes,
    url_aliases: Mapping[str, str] | None = None,
    names: ParseMemo | None = None,
    *,
    keep_body: bool = True,
) -> ParseResult:
    """Turn one file's bytes into an Article, or raise ArticleError with the reason.

    Without `keep_body` the Markdown body is dropped: no feed shows full content."""
    names = names or ParseMemo()
    metadata, body, cleaned = read_front_matter(data, names.block)
    result = article_from_metadata(path, metadata, url_aliases, names, body if keep_body else "")
    if cleaned:
        note = "control characters that no feed may carry were removed"
        result = ParseResult(result.article, (*result.warnings, note))
    return result


def article_from_metadata(
    path: str,
    meta: Mapping[str, Any],
    url_aliases: Mapping[str, str] | None = None,
    names: ParseMemo | None = None,
    body: str = "",
) -> ParseResult:
    warnings: list[str] = []
    marked: list[str] = []  # the text fields markup was removed from
    names = names or ParseMemo()

    title_raw = meta.get("title")
    if title_raw is None:
        raise ArticleError("missing required field 'title'")
    if not _is_scalar(title_raw):
        raise ArticleError(f"'title' must be text, got {_kind(title_raw)}")
    title = _text(title_raw, MAX_TITLE, "title", marked)
    if not title:
        raise ArticleError("'title' is empty")

    url = _first_link(meta)
    published = _required_date(meta)
    updated = _optional_date(meta, ("updatedDateTime", "modifiedDateTime", "updated"), warnings)
    if updated is not None and updated < published:
        updated = None

    provider = provider_of(meta.get("provider"), url, names)
    aliases = url_aliases or {}
    article = Article(
        path=path,
        title=title,
        url=url,
        canonical=canonical_url(url, aliases),
        published=published,
        updated=updated,
        provider=provider,
        excerpt=_text(meta.get("excerpt"), MAX_EXCERPT, "excerpt", marked)
        if _is_scalar(meta.get("excerpt"))
        else "",
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
        related=_related(meta.get("related"), aliases, warnings, names, marked),
        draft=not _published_flag(meta.get("published", True), warnings),
        body=_body(body) if body else "",
    )
    if marked:
        fields = ", ".join(dict.fromkeys(marked))
        warnings.append(f"markup removed from title/excerpt ({fields}); shown as plain text")
    return ParseResult(article, tuple(warnings))


def _body(body: str) -> str:
    """The Markdown as kept: XML-safe, trimmed, bounded. Rendering waits for a feed that
    shows full content, so a parse costs no more than a copy of the text."""
    body = xml_safe(body).strip()
    if len(body) > MAX_BODY:
        cut = body.rfind("\n", 0, MAX_BODY)
        body = body[: cut if cut > MAX_BODY // 2 else MAX_BODY]
    return body


def _text(value: object, max_length: int, name: str, marked: list[str]) -> str:
    """`plain_text`, noting `name` in `marked` if markup had to be removed."""
    text, removed = plain_text_noting(value, max_length)
    if removed:
        marked.append(name)
    return text


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
            return without_tracking(url)
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
    value: object, aliases: Mapping[str, str], warnings: list[str], names: ParseMemo, marked: list[str]
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
        url = without_tracking(url) if url else None
        title = (
            _text(entry.get("title"), MAX_TITLE, "related title", marked)
            if _is_scalar(entry.get("title"))
            else ""
        )
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
                provider=provider_of(entry.get("provider"), url, names),
                excerpt=_text(entry.get("excerpt"), MAX_EXCERPT, "related excerpt", marked)
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
