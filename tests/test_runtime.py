"""A one-shot build holds what it leaves until its process exits; nothing long-running
ever does (`aggregator serve` builds again and again in one process)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path

from browser_site import free_port
from conftest import Workspace, article

from aggregator.runtime import ExitHold


class _Thing:
    pass


def test_only_a_one_shot_command_of_an_exiting_process_holds() -> None:
    in_process, daemon, one_shot = ExitHold(), ExitHold(), ExitHold()
    in_process.hold()  # a test calling the CLI: the process goes on
    daemon.exits_after_command()  # `aggregator serve`: never says it is one-shot
    one_shot.exits_after_command()
    one_shot.hold()
    things = [_Thing() for _ in range(3)]
    refs = [weakref.ref(thing) for thing in things]
    for hold, thing in zip((in_process, daemon, one_shot), things, strict=True):
        hold.keep(thing)
    del things, thing
    assert [ref() is None for ref in refs] == [True, True, False]
    assert gc.get_freeze_count() > 0  # what is held is set aside from the collector too
    gc.unfreeze()


# The console script with a spy on the build: after each build, whether it was held.
SPY = textwrap.dedent(
    """
    import sys
    import aggregator.build as build
    from aggregator.runtime import EXIT_HOLD
    from aggregator.cli import run

    real = build.build_once

    def spied(*args, **kwargs):
        report = real(*args, **kwargs)
        print("HELD", bool(EXIT_HOLD._held), flush=True)
        return report

    build.build_once = spied
    sys.argv = ["aggregator", *sys.argv[1:]]
    run()
    """
)


def _site(ws: Workspace) -> None:
    for i in range(3):
        ws.add(f"{i}.md", article(f"Story {i} of the day", f"https://e.example/{i}", topics=["AI"]))


def test_the_console_script_build_holds_and_exits_cleanly(ws: Workspace) -> None:
    _site(ws)
    done = subprocess.run(
        [sys.executable, "-c", SPY, "build", "--config", str(ws.config), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    held, _, report_text = done.stdout.partition("\n")
    assert held == "HELD True"
    report = json.loads(report_text)
    assert report["articles"] == 3 and report["written"]
    assert "Traceback" not in done.stderr
    assert ws.outputs()["feeds/ai.atom"].count(b"<entry>") == 3


def test_the_daemon_never_holds_what_its_builds_leave(ws: Workspace, tmp_path: Path) -> None:
    _site(ws)
    log = tmp_path / "serve.log"
    command = [sys.executable, "-c", SPY, "serve", "--config", str(ws.config), "--host", "127.0.0.1"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(free_port())],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "HELD" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert "HELD False" in log.read_text() and "HELD True" not in log.read_text(), log.read_text()
