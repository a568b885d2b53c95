"""Compact JSON text for the state store and the JSON feeds: orjson first, the standard
library behind it.

The article codec and the bulk rows of a full pass write several hundred thousand
documents a cold build, on the build's own thread and in the parse workers; orjson
writes them several times faster than `json` and reads them a little faster. Both give
the same compact text (no spaces, non-ASCII as it is), so `json` takes what orjson
refuses (a lone surrogate, an integer beyond 64 bits) and reads what orjson will not
(`NaN` in a store written before), and stores stay readable either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

# One encoder for every call (json.dumps with options builds a new one each time); the
# values written are fresh and flat, so there is no cycle to look for.
_STANDARD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def standard_json(value: Any) -> str:
    """`value` as the standard library writes it in the compact layout."""
    return _STANDARD.encode(value)


def compact_json(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """`value` as compact JSON text; `default` turns what orjson cannot write natively
    (a NamedTuple, say) into what it can."""
    try:
        return orjson.dumps(value, default=default).decode()
    except orjson.JSONEncodeError:
        return standard_json(value)


def compact_json_bytes(value: Any) -> bytes:
    """`value` as compact JSON in UTF-8: the same bytes as `standard_json(value)` encoded."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return standard_json(value).encode("utf-8")


def read_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
