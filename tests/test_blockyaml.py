"""The block YAML fast path builds exactly what the libyaml loader builds, or declines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_yamlload import documents  # the loader's own property-test documents

from aggregator.ingest.blockyaml import BlockMemo, load_block
from aggregator.ingest.frontmatter import _split
from aggregator.ingest.yamlload import load_yaml

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def identical(a: object, b: object) -> bool:
    """Equal with the same types all the way down (1 == True and 1 == 1.0 do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (
            list(map(type, a)) == list(map(type, b))
            and list(a) == list(b)
            and all(  # type: ignore[arg-type]
                identical(a[k], b[k])
                for k in a  # type: ignore[index]
            )
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


# One memo across every document the tests load, as a parse batch shares one.
SHARED = BlockMemo()


def agrees(text: str) -> bool:
    """The fast path's answer, if it gives one, is the loader's (with a fresh memo and
    with one that has seen many other documents); True if it gave one."""
    fast = load_block(text)
    remembered = load_block(text, SHARED)
    assert (fast is None) == (remembered is None) and identical(fast, remembered), text
    if fast is None:
        return False
    assert identical(fast, load_yaml(text)), text
    return True


# Block documents drawn as text, in the layouts people write (indents of any width, lists
# at or under their key, extra spaces after a dash), from keys and values that mostly fit
# the fast path, with near misses mixed in: comments, anchors, tags, flow collections,
# escapes, odd spaces, scalars of other types, dates with no such day. Some documents then
# get one line broken or one extra line (a stray indent, a comment, a continuation, a tab).
good_keys = st.sampled_from(["title", "a", "b", "Key", "x-y", "_z", "webUrl", "k2"])
odd_keys = st.sampled_from(["true", "null", "False", "on", "no", "2x", "a b", "<<", '"q"', "?", "x" * 130])
good_values = st.sampled_from(
    [
        "plain",
        "two  words",
        "yes",
        "no",
        "~",
        "null",
        "True",
        "false",
        "17",
        "-5",
        "+3",
        "007",
        "0x1f",
        "2023-11-23T16:17:00Z",
        "2023-02-30T00:00:00Z",
        "10:30",
        "a:b",
        "a#c",
        "'single'",
        "''",
        '"double"',
        '""',
        '"a: #b"',
        "\u201cquoted\u201d",
        "caf\u00e9",
        "http://x.org/a?b=c&d",
        "trailing  ",
        "-x",
        "- x",
        "'it''s'",
        "''''",
        '"a\\"b"',
        '"tab\\tx"',
        '"\\x20sp"',
        '"caf\\u00e9"',
        '"\\U0001F600"',
        '"back\\\\slash"',
        '"nel\\N"',
        "plain # note",
        "17  # note",
        "'q' # note",
        '"q"   # note',
        "# only a comment",
        "[a, b]",
        "[]",
        "{}",
        "[ ]",
        '[Computer Vision, "AI", 3, true]',
        "['a, b', \"c\"]",
        '{name: "Bright Report", domain: brightreport.com}',
        "{a: 1, b: null, c: 'x'}",
    ]
)
odd_values = st.sampled_from(
    [
        "1.5",
        "1e3",
        ".inf",
        "2023-11-23",
        "2023-11-23 10:00:00",
        "a: b",
        "a #c",
        "#c",
        "&a x",
        "*a",
        "!t x",
        "!!str 5",
        "[1, 2]",
        "{a: 1}",
        "|",
        ">",
        "'it''s'",
        '"a\\"b"',
        '"tab\\tx"',
        '"open',
        "'open",
        "nb\u00a0sp",
        "line\u2028sep",
        "-",
        "--- x",
        "...",
        "%x",
        "@x",
        "`x",
        "x:",
        "a\tb",
        '"\\ud800"',
        '"\\/"',
        '"\\q"',
        '"\\x00"',
        '"\\u00"',
        '"end\\"',
        "'a'#c",
        "'a' #",
        '"a"x',
        "[a, ]",
        "[, a]",
        "[a, [b]]",
        "{a}",
        "{a: {b: c}}",
        "[a: b]",
        "[a #b]",
        "[1, 2] # c",
        "[a,b]",
        "{a:b}",
        "{a: b, a: c}",
        "[-x]",
        "[- x]",
        "[?x]",
        "[a",
        "{a: 1",
        "[a] b",
        "{'k': v}",
        '["a"b]',
    ]
)
block_headers = st.sampled_from(["|", "|-", ">", ">-"])
odd_block_headers = st.sampled_from(["|+", ">+", "|2", ">-  # note", "| x", ">1-"])
block_words = st.sampled_from(
    ["one", "two words", "#hash", "key: value", "- dash", "'q'", '"dq"', "caf\u00e9", "x"]
)
odd_block_lines = st.sampled_from(["  extra indent", "trailing ", "\ttab", "   ", " "])


def block_scalar(draw: st.DrawFn, column: int, odd: bool) -> list[str]:
    """The lines of a block scalar under a key at `column`: evenly indented text, blank
    lines among and after them, now and then a line that makes it not plain."""
    indent = " " * (column + draw(st.integers(1, 4)))
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 4)) == 0:
            lines.append("")
        else:
            lines.append(indent + draw(block_words))
    if odd and draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), indent + draw(odd_block_lines))
    if draw(st.integers(0, 3)) == 0:
        lines.append("")
    return lines


good_separators = st.sampled_from([": ", ":  "])
odd_separators = st.sampled_from([":", ":\t", " :", ":: "])
dashes = st.sampled_from(["- ", "- ", "- ", "-  ", "-   "])


@st.composite
def block_documents(draw: st.DrawFn) -> str:
    # Most documents use good keys and values only, so that many are read to the end.
    odd = draw(st.integers(0, 2)) == 0
    keys = st.one_of(good_keys, odd_keys) if odd else good_keys
    values = st.one_of(good_values, odd_values) if odd else good_values
    separators = st.one_of(good_separators, odd_separators) if odd else good_separators

    def mapping(column: int, depth: int) -> list[str]:
        lines = []
        for _ in range(draw(st.integers(1, 4))):
            key = " " * column + draw(keys)
            shape = draw(
                st.sampled_from(["scalar", "scalar", "empty", "map", "list", "block"])
                if depth < 4
                else st.just("scalar")
            )
            if shape == "block":
                headers = st.one_of(block_headers, odd_block_headers) if odd else block_headers
                lines.append(key + ": " + draw(headers))
                lines += block_scalar(draw, column, odd)
            elif shape == "scalar":
                lines.append(key + draw(separators) + draw(values))
            elif shape == "empty":
                lines.append(key + ":")
            elif shape == "map":
                lines.append(key + ":")
                lines += mapping(column + draw(st.integers(1, 4)), depth + 1)
            else:
                lines.append(key + ":")
                lines += sequence(column + draw(st.sampled_from([0, 0, 1, 2, 4])), depth + 1)
        return lines

    def sequence(column: int, depth: int) -> list[str]:
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            dash = draw(dashes)
            if draw(st.booleans()):
                lines.append(" " * column + dash + draw(values))
            else:
                item = mapping(column + len(dash), depth + 1)
                lines += [" " * column + dash + item[0].lstrip(" "), *item[1:]]
        return lines

    lines = mapping(draw(st.sampled_from([0, 0, 0, 1, 2])), 0)
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = (
            draw(st.sampled_from([" ", "  ", "", "\t", "#", "# note\n", "  cont\n", "- "])) + lines[at]
        )
    if draw(st.integers(0, 5)) == 0:
        lines.insert(
            draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "   ", "# note", "---", "\t"]))
        )
    return "\n".join(lines) + "\n"


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_documents())
def test_block_documents_are_read_as_the_loader_reads_them_or_declined(text: str) -> None:
    agrees(text)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,10}", fullmatch=True), documents, min_size=1))
def test_dumped_documents_are_read_as_the_loader_reads_them(data: dict) -> None:
    for indent in (2, 4):
        agrees(yaml.safe_dump(data, allow_unicode=True, default_flow_style=False, indent=indent, width=10**6))


def test_front_matter_shaped_like_the_seeds_takes_the_fast_path() -> None:
    files = sorted(SEEDS.iterdir())
    assert files
    for path in files:
        front, _body = _split(path.read_text(encoding="utf-8").lstrip())
        assert agrees(front), path.name


def test_nested_lists_and_mappings() -> None:
    text = """title: "A: b # c"
count: 3
when: 2023-11-23T16:17:00Z
flag: true
empty:
tags:
- one
- 'two'
related:
  - title: x
    provider:
      name: "P"
    images:
    - url: u
      width: 10
  -   title: y
"""
    assert agrees(text)
    assert load_block(text) == {
        "title": "A: b # c",
        "count": 3,
        "when": dt.datetime(2023, 11, 23, 16, 17, tzinfo=dt.UTC),
        "flag": True,
        "empty": None,
        "tags": ["one", "two"],
        "related": [
            {"title": "x", "provider": {"name": "P"}, "images": [{"url": "u", "width": 10}]},
            {"title": "y"},
        ],
    }


def test_anything_else_is_declined() -> None:
    declined = [
        "a: b\n  c\n",  # a continuation line
        "a: 'it's'\n",  # an unescaped quote
        'a: "x\\qy"\n',  # an escape YAML does not have
        'a: "\\ud800"\n',  # an escape of half a character
        "a: b #\n  c\n",  # a comment, then a continuation
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: [1, [2]]\n",  # nested flow collections
        "a: [1,\n  2]\n",  # a flow collection over two lines
        "a: |+\n  text\n",  # a block scalar that keeps its trailing lines
        "a: >\n  text\n    more\n",  # a more-indented folded line
        "a: |\n  text \n",  # trailing spaces in a block scalar
        "a:\tb\n",  # a tab
        "a: .inf\n",  # a rarer scalar form
        "a: 1.5\n",
        "- a\n- b\n",  # not a mapping
        "a: b\nc\n",
        "a: b\n - c\n",
        "x" * 200 + ": y\n",  # a key longer than the fast path reads
    ]
    for text in declined:
        assert load_block(text) is None, text


QUOTED_EDGES = [
    '"a\\"b"',
    '"ends in a backslash\\\\"',
    '"\\""',
    '"unterminated',
    '"unterminated \\"',
    '"two" "strings"',
    '"x" trailing',
    "'it''s'",
    "'a'''",
    "''''''",
    "'unterminated",
    "'a''",
    "'a' 'b'",
    '"' + 'long excerpt, with \\u00e9 escapes and \\"quotes\\" ' * 40 + '"',
    "'" + "long excerpt, it''s quoted " * 40 + "' # note",
]


def test_quoted_scalars_end_where_the_loader_ends_them() -> None:
    """The quoted-scalar patterns are written for speed; each must still end a scalar at
    the same quote as libyaml, or decline."""
    for value in QUOTED_EDGES:
        for text in (f"excerpt: {value}\n", f"topics:\n  - {value}\n", f"a: [{value}, b]\n"):
            try:
                load_yaml(text)
            except yaml.YAMLError:  # the loader refuses it: the fast path must decline
                assert load_block(text) is None, text
            else:
                agrees(text)
