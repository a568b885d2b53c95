"""Loading front matter YAML: libyaml's parser and composer, and a lean constructor.

`yaml.load(..., Loader=CSafeLoader)` parses and composes in C but builds the Python
objects in PyYAML's generic, pure-Python constructor, which is over half of its time.
Front matter needs only mappings, sequences and scalars, so this module composes the
node graph with libyaml (through `ContentLoader`'s YAML 1.2 resolver) and builds the
objects with one small recursive function, falling back to PyYAML's own constructors
for the rarer scalar forms. Anything else (custom or Python tags) is refused, as the
safe loader refuses it. Aliases are built once and shared, so an alias bomb costs its
size in the file, not its expansion.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, BINARY, SEQ, MAP, MERGE = (_PREFIX + t for t in ("timestamp", "binary", "seq", "map", "merge"))
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


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
    node = yaml.compose(text, Loader=ContentLoader)
    if node is None:
        return None
    return _build(node, {})


def _build(node: Node, memo: dict[int, Any]) -> Any:
    known = memo.get(id(node))
    if known is not None:
        return known
    tag = node.tag
    if isinstance(node, ScalarNode):
        return _scalar(node, tag)
    if isinstance(node, SequenceNode):
        if tag != SEQ:
            raise ConstructorError(None, None, f"unsupported YAML tag {tag!r}", node.start_mark)
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(_build(child, memo) for child in node.value)
        return items
    if isinstance(node, MappingNode):
        if tag != MAP:
            raise ConstructorError(None, None, f"unsupported YAML tag {tag!r}", node.start_mark)
        mapping: dict[Any, Any] = {}
        memo[id(node)] = mapping
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged.update(_merge_sources(value_node, memo))
                continue
            key = _build(key_node, memo)
            try:
                mapping[key] = _build(value_node, memo)
            except TypeError:
                raise ConstructorError(
                    None, None, "found an unhashable mapping key", key_node.start_mark
                ) from None
        for key, value in merged.items():
            mapping.setdefault(key, value)
        return mapping
    raise ConstructorError(None, None, f"unexpected node {node!r}", node.start_mark)


def _merge_sources(node: Node, memo: dict[int, Any]) -> dict[Any, Any]:
    """`<<: *base` or `<<: [*a, *b]`: earlier sources win, as YAML's merge key says."""
    sources = node.value if isinstance(node, SequenceNode) else [node]
    merged: dict[Any, Any] = {}
    for source in reversed(sources):
        value = _build(source, memo)
        if not isinstance(value, dict):
            raise ConstructorError(None, None, "a merge key needs mappings", source.start_mark)
        merged.update(value)
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
