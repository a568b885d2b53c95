"""A fast path for the plain block YAML that front matter is almost always written in.

Front matter is a mapping of `key: value` lines, nested by indentation, with `- `
lists, one-line quoted or plain scalars and nothing else: no flow collections, anchors,
tags, comments, escapes or multi-line scalars. Reading that shape line by line in Python
costs a fraction of driving libyaml's event stream, and a cold build is bound by it.

`load_block(text)` returns exactly what `yamlload.load_yaml(text)` returns (the same
values of the same types, keys in the same order), or None as soon as the text steps
outside that shape, anywhere: the caller then loads it with libyaml, which also gives
any error its message. It never raises and never guesses.
"""

from __future__ import annotations

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
    for line in text.split("\n"):
        known = lines.get(line)
        if known is None:
            known = _line(line, memo)
            if len(line) <= _LINE_LENGTH and len(lines) < _LINES_MAX:
                lines[line] = known
        tokens += known
    return tokens


def _line(line: str, memo: BlockMemo) -> tuple[Token, ...]:
    """A line's tokens: `key: value` is one, `- item` and `- key: value` are two."""
    if not line.isprintable():  # no tab, no control, format or line-separator character
        raise _OutOfShape
    rest = line.lstrip(" ")
    if not rest:
        return ()
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
            return (*dash, (column, _KEY, key, _scalar(value, memo.tags) if value else _NESTED))
    if dash and rest.strip(" "):
        return (*dash, (column, _ITEM, None, _scalar(rest.rstrip(" "), memo.tags)))
    raise _OutOfShape  # a continuation line, a comment, a bare `-`, a complex key


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
    first = text[0]
    if first == '"' or first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != first or first in inner or (first == '"' and "\\" in inner):
            raise _OutOfShape
        return inner
    if first in _INDICATORS and not (first == "-" and len(text) > 1 and text[1] in "0123456789."):
        raise _OutOfShape
    if ": " in text or " #" in text or text[-1] == ":":
        raise _OutOfShape
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
