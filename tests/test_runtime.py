"""A one-shot process holds what a build leaves until it exits; a daemon frees it."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref

from conftest import Workspace, article

from aggregator.runtime import ExitHold


class _Thing:
    pass


def test_only_a_holding_process_keeps_what_it_is_given() -> None:
    daemon, one_shot = ExitHold(), ExitHold()
    one_shot.hold()
    given, kept = _Thing(), _Thing()
    freed, held = weakref.ref(given), weakref.ref(kept)
    daemon.keep(given)
    one_shot.keep(kept)
    del given, kept
    assert freed() is None  # nothing holds it: freed at once, as a daemon needs
    assert held() is not None
    assert gc.get_freeze_count() > 0  # and set aside from the collector
    gc.unfreeze()


def test_the_console_script_builds_and_exits_cleanly(ws: Workspace) -> None:
    for i in range(3):
        ws.add(f"{i}.md", article(f"Story {i} of the day", f"https://e.example/{i}", topics=["AI"]))
    done = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "build", "--config", str(ws.config), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["articles"] == 3 and report["written"]
    assert "Traceback" not in done.stderr
    assert ws.outputs()["feeds/ai.atom"].count(b"<entry>") == 3
