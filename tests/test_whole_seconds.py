"""Every published date is in whole seconds, also an `updated` that a build moved."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

import feedparser
import pytest

import aggregator.build as build_module
from tests.conftest import Workspace, article

FRACTION = re.compile(rb"\d\d:\d\d:\d\d[.,]\d")


def test_an_updated_moved_by_a_build_is_whole_seconds(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = dt.datetime(2030, 3, 4, 5, 6, 7, 654321, tzinfo=dt.UTC)
    monkeypatch.setattr(build_module, "now_utc", lambda: clock)
    ws.add("a.md", article("A story that will be edited later today", "https://example.com/a"))
    ws.build()
    ws.add(
        "a.md", article("A story that will be edited later today", "https://example.com/a", excerpt="New.")
    )
    clock = clock + dt.timedelta(hours=1)
    report = ws.build()
    assert report["written"]

    atom = ws.read("all.atom")
    entry = feedparser.parse(atom).entries[0]
    assert tuple(entry.updated_parsed[:6]) == (2030, 3, 4, 6, 6, 7)
    for name, data in ws.outputs().items():
        assert not FRACTION.search(data), (name, FRACTION.search(data))
    item = json.loads(ws.read("all.json"))["items"][0]
    assert item["date_modified"] == "2030-03-04T06:06:07Z"
    with sqlite3.connect(ws.state) as db:
        (changed_at,) = db.execute("SELECT changed_at FROM stories").fetchone()
    assert dt.datetime.fromisoformat(changed_at) == clock.replace(microsecond=0)

    # The next build (nothing changed) keeps every byte.
    clock = clock + dt.timedelta(minutes=5)
    assert ws.build()["written"] == []
