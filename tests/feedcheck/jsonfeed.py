"""JSON Feed 1.1 documents (https://jsonfeed.org/version/1.1): keys, types, URLs, dates and
authors, with the W3C validator's date, language and HTML rules reused where they apply."""

from __future__ import annotations

import json
import math

from .common import Report
from .dates import check_rfc3339
from .markup import check_html
from .urls import check_http_url, check_uri
from .values import check_language, check_mime

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
             "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}  # fmt: skip


ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
             "banner_image", "date_published", "date_modified", "authors", "author", "tags", "language",
             "attachments"}  # fmt: skip


AUTHOR_KEYS = {"name", "url", "avatar"}
ATTACHMENT_KEYS = {"url", "mime_type", "title", "size_in_bytes", "duration_in_seconds"}


def check_json_keys(obj: dict, known: set[str], where: str, report: Report) -> None:
    """JSON Feed 1.1 "Extensions": custom keys must start with an underscore."""
    for key in obj:
        if key not in known and not key.startswith("_"):
            # JSON Feed 1.1: unknown keys are neither defined nor extensions (project: warning)
            report.warning(where, f"unknown key {key!r} (extensions must start with '_')")


def check_json_string(obj: dict, key: str, where: str, report: Report, required: bool = False) -> str | None:
    if key not in obj:
        if required:
            report.error(where, f"missing required {key!r}")
        return None
    value = obj[key]
    if not isinstance(value, str):
        report.error(where, f"{key!r} must be a string")
        return None
    return value


def check_json_url(obj: dict, key: str, where: str, report: Report) -> None:
    """JSON Feed 1.1 URLs: absolute http(s) URLs (the spec's examples and "the URL of" wording;
    relative URLs have no defined base in JSON)."""
    value = check_json_string(obj, key, where, report)
    if value is not None and check_http_url(value, f"{where}.{key}", report):
        check_uri(value, f"{where}.{key}", report, full=True)


def check_json_authors(obj: dict, where: str, report: Report) -> None:
    """JSON Feed 1.1 authors: an array of author objects, each with at least one of name/url/avatar."""
    if "author" in obj:
        # JSON Feed 1.1: author is deprecated; "use the authors key instead"
        if "authors" not in obj:
            report.warning(where, "'author' is deprecated in JSON Feed 1.1; use 'authors'")
        check_json_author(obj["author"], f"{where}.author", report)
    if "authors" not in obj:
        return
    authors = obj["authors"]
    if not isinstance(authors, list):
        report.error(where, "'authors' must be an array")
        return
    for index, author in enumerate(authors):
        check_json_author(author, f"{where}.authors[{index}]", report)


def check_json_author(author: object, where: str, report: Report) -> None:
    if not isinstance(author, dict):
        report.error(where, "author must be an object")
        return
    check_json_keys(author, AUTHOR_KEYS, where, report)
    if not any(key in author for key in AUTHOR_KEYS):
        report.error(where, "author must have at least one of name, url, avatar")
    check_json_string(author, "name", where, report)
    check_json_url(author, "url", where, report)
    check_json_url(author, "avatar", where, report)


def check_json_date(obj: dict, key: str, where: str, report: Report) -> None:
    value = check_json_string(obj, key, where, report)
    if value is not None:
        # JSON Feed 1.1: dates "in RFC 3339 format"; the W3C validator's RFC 3339 profile is used
        check_rfc3339(value, f"{where}.{key}", report)


def check_json_language(obj: dict, where: str, report: Report) -> None:
    value = check_json_string(obj, "language", where, report)
    if value is not None:
        # JSON Feed 1.1: "in the format specified in RFC 5646"
        check_language(value, f"{where}.language", report)


def check_json_attachment(attachment: object, where: str, report: Report) -> None:
    if not isinstance(attachment, dict):
        report.error(where, "attachment must be an object")
        return
    check_json_keys(attachment, ATTACHMENT_KEYS, where, report)
    if "url" not in attachment:
        report.error(where, "attachment is missing required 'url'")
    check_json_url(attachment, "url", where, report)
    mime_type = check_json_string(attachment, "mime_type", where, report, required=True)
    if mime_type is not None:
        check_mime(mime_type, f"{where}.mime_type", report)
    check_json_string(attachment, "title", where, report)
    for key in ("size_in_bytes", "duration_in_seconds"):
        value = attachment.get(key)
        if key in attachment and (not isinstance(value, int | float) or isinstance(value, bool) or value < 0
                                  or not math.isfinite(value)):  # fmt: skip
            report.error(where, f"{key!r} must be a non-negative number")


def check_json_item(item: object, where: str, report: Report) -> str | None:
    if not isinstance(item, dict):
        report.error(where, "item must be an object")
        return None
    check_json_keys(item, ITEM_KEYS, where, report)
    item_id = item.get("id")
    if "id" not in item:
        report.error(where, "missing required 'id'")
    elif not isinstance(item_id, str):
        # JSON Feed 1.1: "id (required, string)"; readers must coerce other types
        report.error(where, f"'id' must be a string, not {type(item_id).__name__}")
        item_id = None
    elif not item_id.strip():
        report.error(where, "'id' must not be empty")
    if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
        # JSON Feed 1.1: "content_html and content_text are each optional strings — but one or both
        # must be present"
        report.error(where, "item needs content_html or content_text")
    for key in ("title", "content_html", "content_text", "summary"):
        check_json_string(item, key, where, report)
    if isinstance(item.get("content_html"), str):
        # W3C rules for escaped HTML (SecurityRisk, ContainsRelRef); JSON has no base URL, so relative
        # references cannot be resolved by readers -- project rule.
        check_html(item["content_html"], f"{where}.content_html", report, relative_refs=True)
    for key in ("url", "external_url", "image", "banner_image"):
        check_json_url(item, key, where, report)
    for key in ("date_published", "date_modified"):
        check_json_date(item, key, where, report)
    check_json_authors(item, where, report)
    check_json_language(item, where, report)
    if "tags" in item and (
        not isinstance(item["tags"], list) or not all(isinstance(t, str) and t for t in item["tags"])
    ):
        report.error(where, "'tags' must be an array of non-empty strings")
    if "attachments" in item:
        if not isinstance(item["attachments"], list):
            report.error(where, "'attachments' must be an array")
        else:
            for index, attachment in enumerate(item["attachments"]):
                check_json_attachment(attachment, f"{where}.attachments[{index}]", report)
    return item_id if isinstance(item_id, str) else None


def check_json_top_level(feed: dict, report: Report) -> None:
    where = "feed"
    check_json_keys(feed, FEED_KEYS, where, report)
    version = check_json_string(feed, "version", where, report, required=True)
    if version is not None and version != JSONFEED_VERSION:
        report.error(where, f"version must be {JSONFEED_VERSION!r}, not {version!r}")
    check_json_string(feed, "title", where, report, required=True)
    for key in ("home_page_url", "feed_url"):
        if key not in feed:
            # JSON Feed 1.1: "optional but strongly recommended"
            report.warning(where, f"missing {key!r} (strongly recommended)")
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        check_json_url(feed, key, where, report)
    for key in ("description", "user_comment"):
        check_json_string(feed, key, where, report)
    if "expired" in feed and not isinstance(feed["expired"], bool):
        report.error(where, "'expired' must be a boolean")
    if "hubs" in feed:
        hubs = feed["hubs"]
        valid = isinstance(hubs, list) and all(
            isinstance(h, dict) and isinstance(h.get("type"), str) and isinstance(h.get("url"), str)
            for h in hubs
        )
        if not valid:
            report.error(where, "'hubs' must be an array of objects with type and url")
    check_json_authors(feed, where, report)
    check_json_language(feed, where, report)


def check_jsonfeed(data: bytes) -> list[str]:
    """Checks a JSON Feed 1.1 document."""
    report = Report()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # JSON Feed 1.1 / RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8
        report.error("document", f"not UTF-8: {exc}")
        return report.problems
    if text.startswith("\ufeff"):
        # RFC 8259 §8.1: implementations MUST NOT add a byte order mark
        report.error("document", "must not start with a byte order mark")
        text = text[1:]
    try:
        feed = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        report.error("document", f"invalid JSON: {exc}")
        return report.problems
    if not isinstance(feed, dict):
        report.error("document", "top level must be a JSON object")
        return report.problems
    check_json_top_level(feed, report)
    items = feed.get("items")
    if not isinstance(items, list):
        report.error("feed", "missing required 'items' array")
        return report.problems
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"items[{index}]"
        item_id = check_json_item(item, where, report)
        if item_id is None:
            continue
        if item_id in seen:
            # JSON Feed 1.1: id "is unique for that item for that feed over time"
            report.error(where, f"same id as items[{seen[item_id]}]: {item_id!r}")
        else:
            seen[item_id] = index
    return report.problems


def _reject_constant(name: str) -> object:
    # RFC 8259 §6: NaN and Infinity are not JSON
    raise ValueError(f"{name} is not valid JSON")
