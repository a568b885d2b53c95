"""Refusing hostile YAML before it is loaded: deep nesting and alias bombs.

libyaml recurses once per nesting level (tens of thousands of `[ ` crash the process
with a segfault, which no `except` can catch) and slows down quadratically on deep
flow collections; aliases let a few hundred bytes stand for billions of nodes
("billion laughs"), and a recursive alias builds a structure that contains itself.

Walking the event stream catches all of these exactly, but costs a good part of a load,
and a cold build is bound by YAML loading. So a cheap pre-scan (a few character counts
and literal searches; bench/README.md has the figures) first decides whether the
text *could* nest deeply or use an anchor at all; only text that could pays for the
exact check. Nesting needs one of: brackets (`[`, `{`), indentation, or block
indicators (`-`, `?`) in a row; text with fewer than 16 brackets, no line indented 16
spaces or more and fewer than 256 indicators cannot nest more than a few hundred levels
(libyaml fails at tens of thousands), and real articles stay far below all three.
"""

from __future__ import annotations

import yaml

MAX_NESTING = 64
# Nodes that aliases may add in total: legitimate reuse is a handful of small
# structures; a billion-laughs document needs millions.
MAX_ALIAS_NODES = 10_000

_DEEP_INDENT = "\n" + " " * 16
_MAX_BRACKETS = 16
# Block indicators in a row open a level each on one line (`- - x`, `? ? x`); a hundred
# thousand of them crash libyaml. Real front matter has under 150 `-` and `?` in all.
_MAX_INDICATORS = 256
# What may precede an anchor (&a) or an alias (*a): a separator or a flow indicator.
_BEFORE_ANCHOR = frozenset(" \t\r\n[{,:")


class HostileYaml(ValueError):
    """The front matter is built to exhaust the parser; the message says how."""


def could_be_hostile(text: str) -> bool:
    """True if `text` might nest deeply or use anchors; False proves it uses no anchor
    and nests at most a few hundred levels."""
    if text.count("[") + text.count("{") >= _MAX_BRACKETS or _DEEP_INDENT in text:
        return True
    if ("&" in text or "*" in text) and _has_anchor(text):
        return True
    return text.count("-") + text.count("?") >= _MAX_INDICATORS


def _has_anchor(text: str) -> bool:
    """An `&` or `*` where YAML would read an anchor or alias (not `AT&T`, not `a=1&b=2`)."""
    for mark in "&*":
        at = text.find(mark)
        while at != -1:
            if at == 0 or text[at - 1] in _BEFORE_ANCHOR:
                return True
            at = text.find(mark, at + 1)
    return False


def check_structure(text: str, loader: type = yaml.CSafeLoader) -> None:
    """Raise HostileYaml if `text` nests deeper than MAX_NESTING or its aliases expand
    past MAX_ALIAS_NODES. Stops at the first offending event, so the cost is bounded
    however large the document. Syntax errors are left for the real load to report."""
    if not could_be_hostile(text):
        return
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for
    open_anchors: set[str] = set()
    stack: list[list] = [[None, 0]]  # [anchor, nodes so far] per open collection
    expanded = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > MAX_NESTING:
                    raise HostileYaml(f"front matter nested deeper than {MAX_NESTING} levels")
                stack.append([event.anchor, 1])
                if event.anchor:
                    open_anchors.add(event.anchor)
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, nodes = stack.pop()
                if anchor:
                    sizes[anchor] = nodes
                    open_anchors.discard(anchor)
                stack[-1][1] += nodes
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    sizes[event.anchor] = 1
                stack[-1][1] += 1
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    raise HostileYaml(f"alias *{event.anchor} refers to a node that contains it")
                nodes = sizes.get(event.anchor, 1)
                expanded += nodes
                if expanded > MAX_ALIAS_NODES:
                    raise HostileYaml(f"aliases expand to more than {MAX_ALIAS_NODES} nodes")
                stack[-1][1] += nodes
    except yaml.YAMLError:
        return  # the load that follows reports it, with its line and column
