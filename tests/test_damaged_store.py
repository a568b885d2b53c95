"""A damaged state store is moved aside and the build goes on as a first build."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Workspace

AGGREGATOR = Path(sys.executable).parent / "aggregator"


def cli_build(ws: Workspace) -> subprocess.CompletedProcess[str]:
    """`aggregator build --json` as a user runs it: its own process, its own stderr."""
    return subprocess.run(
        [str(AGGREGATOR), "build", "--json", "--config", str(ws.config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "AGGREGATOR_CONFIG"},
    )


def moved_aside(ws: Workspace) -> list[Path]:
    found = ws.state.parent.glob(ws.state.name + ".damaged-*")
    return sorted(p for p in found if not p.name.endswith(("-wal", "-shm", "-journal")))


def story_ids(ws: Workspace) -> list[str]:
    return sorted(s["id"] for s in json.loads(ws.cli("stories", "--json").stdout))


def damage_random(ws: Workspace) -> None:
    state = ws.state
    state.write_bytes(os.urandom(state.stat().st_size or 8192))


def damage_truncated(ws: Workspace) -> None:
    state = ws.state
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 3])


def damage_one_table(ws: Workspace) -> None:
    """The header and schema intact, the table of files garbage: found mid-build, when a
    file touched since (same bytes) is looked up there."""
    state = ws.state
    with sqlite3.connect(state) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files'").fetchone()
    with state.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d" + os.urandom(page_size - 1))
    first = sorted(ws.content.iterdir())[0]
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))


@pytest.mark.parametrize(
    "damage",
    [damage_random, damage_truncated, damage_one_table],
    ids=["random-bytes", "truncated", "one-table"],
)
def test_a_damaged_store_is_moved_aside_and_the_build_goes_on(ws: Workspace, damage) -> None:
    ws.copy_seeds()
    clean = cli_build(ws)
    assert clean.returncode == 0, clean.stderr
    ids, published = story_ids(ws), ws.outputs()
    # Settle the store into its file (no write-ahead log left) so the damage is all there is.
    for sidecar in ws.state.parent.glob(ws.state.name + "-*"):
        sidecar.unlink()
    damage(ws)

    assert story_ids(ws) == ids  # `stories` reads past the damage too
    result = cli_build(ws)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    aside = moved_aside(ws)
    assert len(aside) == 1, list(ws.state.parent.iterdir())
    assert f"moved aside to {aside[0]}" in result.stderr
    report = json.loads(result.stdout)
    assert report["parsed"] == report["files_scanned"]  # a first build: everything read again
    assert story_ids(ws) == ids  # the same ids, derived from the content
    assert ws.outputs() == published

    again = cli_build(ws)  # the new store is sound: nothing moved, nothing rewritten
    assert again.returncode == 0 and "damaged" not in again.stderr
    assert json.loads(again.stdout)["written"] == []
    assert moved_aside(ws) == aside
