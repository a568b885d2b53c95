"""Making untrusted text safe for XML, JSON and HTML output.

Content files are written by other people and tools: any text field may hold HTML,
entities, control characters or unpaired surrogates. Plain-text fields are reduced to
text (markup removed, entities decoded, XML-illegal characters dropped); HTML we emit
goes through nh3, a real sanitiser, with an allow-list of tags and http(s) URLs only.
"""

from __future__ import annotations

import html
import re

import nh3

# Characters XML 1.0 forbids, plus what the W3C validator flags: non-characters, and
# U+FFFD, which is what a broken entity (`&#0;`) or a decoding error leaves behind.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")
_MARKUP_HINT = re.compile(r"[<&]")

# One allow-list for every piece of HTML the service writes: the entry markup it builds
# and the article bodies rendered from Markdown (hence headings, quotes, code and lists).
ALLOWED_TAGS = frozenset(
    {"p", "a", "img", "ul", "ol", "li", "strong", "em", "br", "time", "span", "figure", "figcaption"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "del", "s", "sub", "sup"}
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "time": {"datetime"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https"})


# The same characters within ASCII, for `bytes.translate`, which is several times
# faster than the regular expression over long ASCII text such as an article's body.
_ASCII_ILLEGAL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def xml_safe(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry at all (they would break the feed)."""
    if text.isascii():
        raw = text.encode("ascii")
        kept = raw.translate(None, _ASCII_ILLEGAL)
        return text if len(kept) == len(raw) else kept.decode("ascii")
    return _XML_ILLEGAL.sub("", text)


def _needs_work(text: str) -> bool:
    """False for text that none of the work below would change: no markup, single
    spaces, nothing XML-illegal. `isprintable()` is False for every control character,
    surrogate, non-character and whitespace other than the space, so together with the
    rest it covers all `_plain_text_full` looks for (it may also say True for harmless
    text, which then takes the general path and comes out unchanged)."""
    return (
        not text.isprintable()
        or "<" in text
        or "&" in text
        or "  " in text
        or "\ufffd" in text
        or text.startswith(" ")
        or text.endswith(" ")
    )


def plain_text(value: object, max_length: int) -> str:
    """A single line of plain text: markup removed, entities decoded, length bounded."""
    return plain_text_noting(value, max_length)[0]


def plain_text_noting(value: object, max_length: int) -> tuple[str, bool]:
    """`plain_text`, and whether markup (tags, comments, script bodies) was removed, so the
    file can be warned about: decoding an entity such as `&amp;` is not removing markup."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return "", False
    text = value if isinstance(value, str) else str(value)
    if not _needs_work(text):
        return truncate(text, max_length), False
    return _cleaned(text, max_length)


def _plain_text_full(text: str, max_length: int) -> str:
    """The general case of `plain_text`."""
    return _cleaned(text, max_length)[0]


def _cleaned(text: str, max_length: int) -> tuple[str, bool]:
    """The general case of `plain_text_noting`."""
    text = xml_safe(text)
    removed = False
    if _MARKUP_HINT.search(text):
        # nh3 with no allowed tags strips markup (and the bodies of script/style);
        # unescaping afterwards turns entities into the characters they stand for.
        decoded = html.unescape(text)
        text = html.unescape(nh3.clean(text, tags=set()))
        removed = text != decoded
        text = xml_safe(text)
    text = _WHITESPACE.sub(" ", text).strip()
    return truncate(text, max_length), removed


def truncate(text: str, max_length: int) -> str:
    """Cut at a word boundary near the limit and mark the cut with an ellipsis."""
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    space = cut.rfind(" ")
    if space > max_length * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def sanitize_html(markup: str, base_url: str | None = None) -> str:
    """The last gate before HTML leaves the service: allow-listed tags, http(s) URLs.

    With `base_url`, relative links and image sources are resolved against it (feeds
    must carry absolute URLs); without it they are left as they are.
    """
    return nh3.clean(
        xml_safe(markup),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        url_relative=("rewrite_with_base", base_url) if base_url else None,
    )


def escape(text: str) -> str:
    return html.escape(text, quote=True)
