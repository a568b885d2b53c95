"""The front matter loader builds what PyYAML's safe loader builds, faster, and no more."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.ingest.yamlload import ContentLoader, load_yaml

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=30),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_same_result_as_the_safe_loader(data: object) -> None:
    text = yaml.safe_dump({"doc": data}, allow_unicode=True)
    assert load_yaml(text) == yaml.load(text, Loader=ContentLoader)


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(
        *(st.integers(low, high) for low, high in [(1, 9999), (0, 13), (0, 32), (0, 25), (0, 61), (0, 61)])
    )
)
def test_utc_timestamps_as_the_safe_loader_builds_them(parts: tuple[int, ...]) -> None:
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*parts)
    text = f"published: {stamp}\nquoted: '{stamp}'\n"
    try:
        expected = yaml.load(text, Loader=ContentLoader)
    except ValueError:  # no such date: left as text, for the model to report
        expected = {"published": stamp, "quoted": stamp}
    assert load_yaml(text) == expected
    assert type(load_yaml(text)["published"]) is type(expected["published"])


def test_yaml_12_scalars_aliases_and_merge_keys() -> None:
    text = """
base: &base {a: 1, b: two}
both: &list [x, y]
copy: *list
merged:
  <<: *base
  b: own
words: [no, off, yes, 10:30, 0755, 1e3, .inf, '1']
when: 2024-05-01T10:00:00Z
"""
    data = load_yaml(text)
    assert data["merged"] == {"a": 1, "b": "own"}
    assert data["copy"] is data["both"]  # built once, shared
    assert data["words"][:5] == ["no", "off", "yes", "10:30", "0755"]
    assert data["words"][5:7] == [1000.0, float("inf")] and data["words"][7] == "1"
    assert data["when"] == dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']",
        "a: !custom thing",
        "? [1, 2]\n: unhashable key",
        "a: !!set {x: null}",
    ],
)
def test_unsupported_or_unsafe_documents_are_refused(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)


def test_alias_bomb_costs_its_size_not_its_expansion() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    data = load_yaml("\n".join(lines))
    assert data["a11"][0] is data["a10"]  # 9**12 strings by expansion, a few hundred objects here
