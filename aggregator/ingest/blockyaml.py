"""A fast path for the plain block YAML that front matter is almost always written in.

Front matter is a mapping of `key: value` lines, nested by indentation, with `- `
lists and one-line scalars: plain, single-quoted (`''` for a quote) or double-quoted
(with the common escapes), one-line flow collections of scalars (`[a, b]`,
`{name: x, domain: y}`), `#` comments, and literal or folded block scalars (`|`, `|-`,
`>`, `>-`) of evenly indented lines. Anything else (anchors, tags, multi-line quoted or
plain scalars, nested flow collections, more-indented folded lines) goes the long way.
Reading that shape line by line in Python costs a fraction of driving libyaml's event
stream, and a cold build is bound by it.

`load_block(text)` returns exactly what `yamlload.load_yaml(text)` returns (the same
values of the same types, keys in the same order), or None as soon as the text steps
outside that shape, anywhere: the caller then loads it with libyaml, which also gives
any error its message. It never raises and never guesses.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from aggregator.ingest.yamlload import BOOL, INT, NULL, STR, TIMESTAMP, plain_tag, utc_timestamp

_KEY_TEXT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,127}\Z")
# Characters that open something other than a plain scalar (YAML 1.2 c-indicator).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_MAX_DEPTH = 16  # far below yamlguard.MAX_NESTING, so the long way reports deep nesting

_DASH, _KEY, _ITEM = 0, 1, 2
_NESTED = object()  # `key:` with nothing after it: a nested node follows, or null
_NOT_A_KEY = object()
# Double-quoted escapes read here (YAML 1.1's, as libyaml reads them); any other goes the long way.
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
# Written as "unrolled loops" (a run of plain characters, then escape and run again):
# the same matches as `"((?:[^"\\]|\\.)*)"`, several times faster on long excerpts.
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')
_SINGLE_QUOTED = re.compile(r"'([^']*(?:''[^']*)*)'")
_QUOTED = {'"': _DOUBLE_QUOTED, "'": _SINGLE_QUOTED}  # by the opening quote
# `key: value` (after an optional `- `) with nothing after the value but spaces: the value
# double-quoted without escapes, or plain without spaces (so no comment and no `: `), not
# opening with an indicator nor ending with a colon. The key matches `_KEY_TEXT`.
_SIMPLE_LINE = re.compile(
    r'( *)(- +)?([A-Za-z_][A-Za-z0-9_-]{0,127}): +(?:"([^"\\]*)"|([^ \-?:,\[\]{}#&*!|>\'"%@`][^ ]*(?<!:))) *\Z'
)
_FLOW_PLAIN_STOPS = frozenset(",[]{}#:")
_BLOCK_HEADERS = {
    "|": ("literal", "clip"),
    "|-": ("literal", "strip"),
    ">": ("folded", "clip"),
    ">-": ("folded", "strip"),
}


class _BlockHeader:
    """`key: |` and its kin: the lines below are the value (`_block_scalar`)."""

    def __init__(self, style: str, chomp: str) -> None:
        self.style, self.chomp = style, chomp


Token = tuple[int, int, Any, Any]  # column, kind, key, value
_LINES_MAX = 100_000
_LINE_LENGTH = 100


class BlockMemo:
    """What a caller loading many documents remembers between them: lines repeat across
    files (`type: article`, `  provider:`, `    isCached: false`), and so do keys and
    short scalars. Only immutable values are kept (no lists, no dicts), for short lines
    only, and at most _LINES_MAX of each. Owned by whoever parses the batch."""

    def __init__(self) -> None:
        self.lines: dict[str, tuple[Token, ...]] = {"": ()}
        self.keys: dict[str, Any] = {}
        self.tags: dict[str, str] = {}


class _OutOfShape(Exception):
    """The text is not plain block YAML: load it the long way."""


def load_block(text: str, memo: BlockMemo | None = None) -> dict[Any, Any] | None:
    """The mapping `text` holds, or None if it is not plain block YAML."""
    try:
        tokens = _tokens(text, memo or BlockMemo())
        if not tokens or tokens[0][1] != _KEY:
            return None
        mapping, position = _mapping(tokens, 0, tokens[0][0], 0)
        return mapping if position == len(tokens) else None
    except _OutOfShape:
        return None


def _tokens(text: str, memo: BlockMemo) -> list[Token]:
    tokens: list[Token] = []
    lines = memo.lines
    source = text.split("\n")
    index, count = 0, len(source)
    while index < count:
        line = source[index]
        index += 1
        known = lines.get(line)
        if known is None:
            known = _line(line, memo)
            value = known[-1][3] if known else None
            if isinstance(value, _BlockHeader):
                at, kind, key, _header = known[-1]
                text_value, index = _block_scalar(source, index, at, value)
                known = (*known[:-1], (at, kind, key, text_value))
            elif (
                not isinstance(value, (list, dict)) and len(line) <= _LINE_LENGTH and len(lines) < _LINES_MAX
            ):
                lines[line] = known  # immutable tokens only: a flow collection is built anew
        tokens += known
    return tokens


def _block_scalar(source: list[str], index: int, column: int, header: _BlockHeader) -> tuple[str, int]:
    """The block scalar whose lines start at `index`, indented more than its key's
    `column`, all by the same amount; and where the lines after it start."""
    body: list[str] = []
    indent = 0
    count = len(source)
    while index < count:
        line = source[index]
        rest = line.lstrip(" ")
        if rest:
            at = len(line) - len(rest)
            if at <= column:
                break
            if not indent:
                indent = at
            if at != indent or rest[-1] == " " or not rest.isprintable():
                raise _OutOfShape  # more-indented or trailing-space lines, tabs, controls
            body.append(rest)
        elif line:
            raise _OutOfShape  # a line of spaces only: their count is content or not
        else:
            body.append("")
        index += 1
    while body and not body[-1]:
        body.pop()  # trailing blank lines belong to the chomping, and clip and strip drop them
    if not body:
        raise _OutOfShape
    if header.style == "literal":
        value = "\n".join(body)
    else:  # folded: the break after a line of text is a space before more text and nothing
        # before a blank line; the break after a blank line is kept
        value = body[0]
        for previous, line in itertools.pairwise(body):
            if not previous:
                value += "\n" + line
            elif line:
                value += " " + line
    return (value + "\n" if header.chomp == "clip" else value), index


def _line(line: str, memo: BlockMemo) -> tuple[Token, ...]:
    """A line's tokens: `key: value` is one, `- item` and `- key: value` are two."""
    if not line.isprintable():  # no tab, no control, format or line-separator character
        raise _OutOfShape
    simple = _SIMPLE_LINE.match(line)
    if simple is not None:  # the commonest lines, read at once: the same tokens as below
        indent, dash_text, key_text, quoted, plain = simple.groups()
        key = _key(key_text, memo)
        value = quoted if plain is None else _plain(plain, memo.tags)
        if dash_text is None:
            return ((len(indent), _KEY, key, value),)
        return ((len(indent), _DASH, None, None), (len(indent) + len(dash_text), _KEY, key, value))
    rest = line.lstrip(" ")
    if not rest or rest[0] == "#":
        return ()  # a blank line, or a comment
    column = len(line) - len(rest)
    dash: tuple[Token, ...] = ()
    if rest[0] == "-" and rest[1:2] == " ":
        dash = ((column, _DASH, None, None),)
        item = rest[1:].lstrip(" ")
        column += len(rest) - len(item)
        rest = item
    colon = rest.find(":")
    if colon > 0 and (colon + 1 == len(rest) or rest[colon + 1] == " "):
        key = _key(rest[:colon], memo)
        if key is not _NOT_A_KEY:
            value = rest[colon + 1 :].strip(" ")
            if not value or value[0] == "#":
                return (*dash, (column, _KEY, key, _NESTED))
            header = _BLOCK_HEADERS.get(value)
            if header is not None:
                return (*dash, (column, _KEY, key, _BlockHeader(*header)))
            return (*dash, (column, _KEY, key, _scalar(value, memo.tags)))
    if dash and rest.strip(" ") and rest[0] != "#":
        return (*dash, (column, _ITEM, None, _scalar(rest.rstrip(" "), memo.tags)))
    raise _OutOfShape  # a continuation line, a bare `-`, a complex key


def _key(text: str, memo: BlockMemo) -> Any:
    keys = memo.keys
    key = keys.get(text, _NOT_A_KEY)
    if key is _NOT_A_KEY and _KEY_TEXT.match(text):
        key = _plain(text, memo.tags)
        if len(keys) < _LINES_MAX:
            keys[text] = key
    return key


def _mapping(tokens: list, position: int, column: int, depth: int) -> tuple[dict[Any, Any], int]:
    if depth > _MAX_DEPTH:
        raise _OutOfShape
    mapping: dict[Any, Any] = {}
    count = len(tokens)
    while position < count:
        at, kind, key, value = tokens[position]
        if at < column:
            break
        if at > column or kind != _KEY:
            raise _OutOfShape
        position += 1
        if value is not _NESTED:
            mapping[key] = value  # a deeper line next (a continuation) fails the loop's test
            continue
        if position < count:
            below, below_kind = tokens[position][0], tokens[position][1]
            if below > column:
                mapping[key], position = _node(tokens, position, below, depth + 1)
                continue
            if below == column and below_kind == _DASH:  # a list at the key's own indent
                mapping[key], position = _sequence(tokens, position, column, depth + 1)
                continue
        mapping[key] = None
    return mapping, position


def _sequence(tokens: list, position: int, column: int, depth: int) -> tuple[list[Any], int]:
    if depth > _MAX_DEPTH:
        raise _OutOfShape
    items: list[Any] = []
    count = len(tokens)
    while position < count:
        at, kind = tokens[position][0], tokens[position][1]
        if at < column or (at == column and kind != _DASH):
            break  # the parent decides whether what follows fits
        if at > column:
            raise _OutOfShape
        at, kind, _key, item = tokens[position + 1]  # a dash is always followed by its line's rest
        if kind == _KEY:
            item, position = _mapping(tokens, position + 1, at, depth + 1)
        else:
            position += 2
        items.append(item)
    return items, position


def _node(tokens: list, position: int, column: int, depth: int) -> tuple[Any, int]:
    # A line starts with a dash or a key; an item only ever follows a dash.
    if tokens[position][1] == _DASH:
        return _sequence(tokens, position, column, depth)
    return _mapping(tokens, position, column, depth)


def _scalar(text: str, tags: dict[str, str]) -> Any:
    """A one-line value, with any comment after it."""
    first = text[0]
    if first == '"' or first == "'":
        match = _QUOTED[first].match(text)
        if match is None or not _comment_or_nothing(text[match.end() :]):
            raise _OutOfShape
        return _quoted(first, match.group(1))
    if first == "[" or first == "{":
        return _flow(text, tags)
    cut = text.find(" #")
    if cut != -1:
        text = text[:cut].rstrip(" ")
    if first in _INDICATORS and not (first == "-" and len(text) > 1 and text[1] in "0123456789."):
        raise _OutOfShape
    if ": " in text or text[-1] == ":":
        raise _OutOfShape
    return _plain(text, tags)


def _comment_or_nothing(rest: str) -> bool:
    """What follows a quoted scalar: nothing, spaces, or spaces and a comment."""
    after = rest.lstrip(" ")
    return not rest or (rest[0] == " " and (not after or after[0] == "#"))


def _quoted(quote: str, inner: str) -> str:
    if quote == "'":
        return inner.replace("''", "'")
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(_unescape, inner)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 1:
        found = _ESCAPES.get(code)
        if found is None:
            raise _OutOfShape  # an escape libyaml refuses, or reads otherwise
        return found
    point = int(code[1:], 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _OutOfShape
    return chr(point)


def _flow(text: str, tags: dict[str, str]) -> list[Any] | dict[Any, Any]:
    """A one-line flow collection of scalars: `[a, "b c"]`, `{name: x, domain: y}`."""
    is_list = text[0] == "["
    if text[-1] != ("]" if is_list else "}"):
        raise _OutOfShape  # a comment after it, or a collection over several lines
    inner = text[1:-1].strip(" ")
    if not inner:
        return [] if is_list else {}
    parts = _flow_parts(inner)
    if is_list:
        return [_flow_scalar(part, tags) for part in parts]
    mapping: dict[Any, Any] = {}
    for part in parts:
        key_text, separator, value = part.partition(": ")
        if not separator or not _KEY_TEXT.match(key_text):
            raise _OutOfShape
        mapping[_plain(key_text, tags)] = _flow_scalar(value.strip(" "), tags)
    return mapping


def _flow_parts(inner: str) -> list[str]:
    """The entries between the commas, quoted ones kept whole; empty entries refused."""
    parts: list[str] = []
    start = position = 0
    length = len(inner)
    while position < length:
        char = inner[position]
        if char == '"' or char == "'":
            match = _QUOTED[char].match(inner, position)
            if match is None:
                raise _OutOfShape
            position = match.end()
            continue
        if char == ",":
            parts.append(inner[start:position].strip(" "))
            start = position + 1
        position += 1
    parts.append(inner[start:].strip(" "))
    if not all(parts):
        raise _OutOfShape  # `[a, ]`, `[, a]`: allowed by YAML, read here no further
    return parts


def _flow_scalar(text: str, tags: dict[str, str]) -> Any:
    if not text:
        raise _OutOfShape
    first = text[0]
    if first == '"' or first == "'":
        match = _QUOTED[first].fullmatch(text)
        if match is None:
            raise _OutOfShape
        return _quoted(first, match.group(1))
    if first in _INDICATORS or not _FLOW_PLAIN_STOPS.isdisjoint(text):
        raise _OutOfShape  # nested collections, `key: value` pairs, comments, and the like
    return _plain(text, tags)


def _plain(text: str, tags: dict[str, str]) -> Any:
    """A plain scalar as `yamlload` resolves it; the rarer forms go the long way."""
    tag = plain_tag(text, tags)
    if tag == STR:
        return text
    if tag == NULL:
        return None
    if tag == BOOL:
        return text.lower() == "true"
    if tag == INT:  # the only implicit int form is plain decimal (see `ContentLoader`)
        return int(text)
    if tag == TIMESTAMP and (stamp := utc_timestamp(text)) is not None:
        return stamp
    raise _OutOfShape
