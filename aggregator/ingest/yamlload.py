"""Loading front matter YAML: libyaml's parser and composer, and a lean constructor.

`yaml.load(..., Loader=CSafeLoader)` parses in C but composes a node graph and builds the Python
objects in PyYAML's generic, pure-Python constructor, which is over half of its time.
Front matter needs only mappings, sequences and scalars, so this module reads libyaml's
event stream (resolving plain scalars with `ContentLoader`'s YAML 1.2 rules) and builds
the objects directly, falling back to PyYAML's own constructors for the rarer scalar
forms. Anything else (custom or Python tags) is refused, as the safe loader refuses
it. Aliases are built once and shared, so an alias bomb costs its size in the file,
not its expansion; nesting deeper than MAX_NESTING is refused before it can recurse.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from aggregator.ingest.yamlguard import MAX_NESTING

_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, BINARY, SEQ, MAP, MERGE = (_PREFIX + t for t in ("timestamp", "binary", "seq", "map", "merge"))
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_UTC_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class ContentLoader(yaml.CSafeLoader):
    """libyaml's safe loader with YAML 1.2 scalars.

    YAML 1.1 reads `no`, `off` and `y` as booleans (the Norway problem), `10:30` as the
    integer 630 and `0755` as octal. Content files mean text by those, so only
    true/false are booleans and only plain decimal, signed or float forms are numbers.
    Timestamps stay: dates are normalised by the model.
    """


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (BOOL, INT, FLOAT)]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
ContentLoader.add_implicit_resolver(BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
ContentLoader.add_implicit_resolver(INT, _PLAIN_INT, list("-+0123456789"))
ContentLoader.add_implicit_resolver(
    FLOAT,
    re.compile(
        r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)

_SCALARS = SafeConstructor()  # for the rarer scalar forms (timestamps, .inf, explicit !!int 0x1f)


def load_yaml(text: str) -> Any:
    """The document's data; raises yaml.YAMLError for invalid or unsupported YAML."""
    parser = ContentLoader(text)
    try:
        parser.get_event()  # stream start
        if parser.check_event(StreamEndEvent):
            return None
        parser.get_event()  # document start
        data = _Builder(parser).value(parser.get_event(), 0)
        parser.get_event()  # document end
        if not parser.check_event(StreamEndEvent):
            event = parser.get_event()
            raise ComposerError(
                "expected a single document", None, "but found another document", event.start_mark
            )
        return data
    finally:
        parser.dispose()


_PLAIN_TAGS_MAX = 65_536
_MEMO_LENGTH = 24
# First characters some implicit resolver looks at; any other plain scalar is a string.
_RESOLVED_FIRST = frozenset(k for k, rules in ContentLoader.yaml_implicit_resolvers.items() if k and rules)


def utc_timestamp(value: str) -> dt.datetime | None:
    """The common timestamp form (`2024-05-01T10:00:00Z`) as PyYAML would build it, without
    its regex walk; None for any other form, or a date that does not exist."""
    if len(value) == 20 and _UTC_STAMP.match(value):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = ContentLoader.yaml_implicit_resolvers


_RESOLVE = _Resolver().resolve


def plain_tag(value: str, memo: dict[str, str] | None = None) -> str:
    """The tag a plain (unquoted) scalar resolves to under `ContentLoader`'s rules.

    `memo` holds short scalars seen before with their tags, for a caller loading many
    documents: keys and short values (`title`, `article`, `true`, `17`) repeat across
    files, and resolving is a regex walk. It stays bounded."""
    tag = memo.get(value) if memo is not None else None
    if tag is None:
        if value and value[0] not in _RESOLVED_FIRST:
            return STR
        tag = _RESOLVE(ScalarNode, value, (True, False))
        if memo is not None and len(value) <= _MEMO_LENGTH and len(memo) < _PLAIN_TAGS_MAX:
            memo[value] = tag
    return tag


class _Builder:
    """Python objects straight from libyaml's event stream (no node graph in between)."""

    def __init__(self, parser: ContentLoader) -> None:
        self.parser = parser
        self.next = parser.get_event
        self.anchors: dict[str, Any] = {}

    def value(self, event: Event, depth: int) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            result = self._scalar(event)
        elif kind is AliasEvent:
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            return self.anchors[event.anchor]
        elif depth >= MAX_NESTING:
            raise ComposerError(None, None, f"nested deeper than {MAX_NESTING} levels", event.start_mark)
        elif kind is SequenceStartEvent:
            result = self._sequence(event, depth + 1)
        elif kind is MappingStartEvent:
            result = self._mapping(event, depth + 1)
        else:
            raise ComposerError(None, None, f"unexpected {kind.__name__}", event.start_mark)
        if event.anchor is not None and kind is ScalarEvent:
            self.anchors[event.anchor] = result
        return result

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value  # quoted, or a block scalar: always a string
            tag = plain_tag(value)
        if tag == STR:
            return value
        if tag == TIMESTAMP and (stamp := utc_timestamp(value)) is not None:
            return stamp
        return _scalar(ScalarNode(tag, value, event.start_mark, event.end_mark, event.style), tag)

    def _sequence(self, event: SequenceStartEvent, depth: int) -> list[Any]:
        if event.tag not in (None, "!", SEQ):
            raise ConstructorError(None, None, f"unsupported YAML tag {event.tag!r}", event.start_mark)
        items: list[Any] = []
        if event.anchor is not None:
            self.anchors[event.anchor] = items
        next_event, value, scalar = self.next, self.value, self._scalar
        while (item := next_event()).__class__ is not SequenceEndEvent:
            if item.__class__ is ScalarEvent and item.anchor is None:
                items.append(scalar(item))
            else:
                items.append(value(item, depth))
        return items

    def _mapping(self, event: MappingStartEvent, depth: int) -> dict[Any, Any]:
        if event.tag not in (None, "!", MAP):
            raise ConstructorError(None, None, f"unsupported YAML tag {event.tag!r}", event.start_mark)
        mapping: dict[Any, Any] = {}
        if event.anchor is not None:
            self.anchors[event.anchor] = mapping
        merged: dict[Any, Any] = {}
        next_event, value, scalar = self.next, self.value, self._scalar
        while (key_event := next_event()).__class__ is not MappingEndEvent:
            if key_event.__class__ is ScalarEvent and key_event.anchor is None:
                if key_event.value == "<<" and key_event.implicit[0]:
                    merged.update(_merge_sources(value(next_event(), depth), key_event))
                    continue
                key = scalar(key_event)
            else:
                key = value(key_event, depth)
            item = next_event()
            if item.__class__ is ScalarEvent and item.anchor is None:
                item_value = scalar(item)
            else:
                item_value = value(item, depth)
            try:
                mapping[key] = item_value
            except TypeError:
                raise ConstructorError(
                    None, None, "found an unhashable mapping key", key_event.start_mark
                ) from None
        for key, item_value in merged.items():
            mapping.setdefault(key, item_value)
        return mapping


def _merge_sources(value: Any, event: Event) -> dict[Any, Any]:
    """`<<: *base` or `<<: [*a, *b]`: earlier sources win, as YAML's merge key says."""
    sources = value if isinstance(value, list) else [value]
    merged: dict[Any, Any] = {}
    for source in reversed(sources):
        if not isinstance(source, dict):
            raise ConstructorError(None, None, "a merge key needs mappings", event.start_mark)
        merged.update(source)
    return merged


def _scalar(node: ScalarNode, tag: str) -> Any:
    value = node.value
    if tag == STR:
        return value
    if tag == INT:
        return int(value) if _PLAIN_INT.match(value) else _SCALARS.construct_yaml_int(node)
    if tag == NULL:
        return None
    if tag == BOOL:
        return (
            value.lower() == "true"
            if value.lower() in ("true", "false")
            else _SCALARS.construct_yaml_bool(node)
        )
    if tag == FLOAT:
        return _SCALARS.construct_yaml_float(node)
    if tag == TIMESTAMP:
        try:
            return _SCALARS.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # date-shaped, no real date (2024-02-30): the model judges it
            return value
    if tag == BINARY:
        return _SCALARS.construct_yaml_binary(node)
    raise ConstructorError(None, None, f"unsupported YAML tag {tag!r}", node.start_mark)
