"""Build progress: a line on a terminal for long builds (through a real pseudo-terminal),
nothing on a pipe or with --quiet, and a log line at most every 10 s in the daemon."""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from aggregator.cli.progress import LABELS
from aggregator.config import Config
from aggregator.report import Progress
from aggregator.serve.scheduler import ProgressLog, RebuildJob

CONSOLE = str(Path(sys.executable).with_name("aggregator"))
MANY = 30_000  # a cold build of this many files takes well over a second, even on a fast machine


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    for index in range(MANY):
        folder = root / f"d{index // 1000:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"a{index:05d}.md").write_text(
            f'---\ntitle: "Report {index} alpha{index} beta{index}"\n'
            f"webUrl: https://e.example/n/{index}\npublishedDateTime: 2024-05-01T10:00:00Z\n"
            f"topics: [T{index % 20}]\n---\n",
            encoding="utf-8",
        )
    return root


def command(content: Path, tmp_path: Path, *extra: str) -> list[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "aggregator.yaml"
    config.write_text(f"state:\n  path: {tmp_path / 'state.sqlite3'}\n", encoding="utf-8")
    return [
        CONSOLE,
        "build",
        "--config",
        str(config),
        "--content",
        str(content),
        "--output",
        str(tmp_path / "out"),
        *extra,
    ]


def on_terminal(args: list[str]) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal, as in an interactive shell."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=child, stderr=child)
    os.close(child)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_a_long_build_shows_progress_on_a_terminal(big_folder: Path, tmp_path: Path) -> None:
    code, seen = on_terminal(command(big_folder, tmp_path))
    assert code == 0, seen
    # Which phase is running after the first second depends on the machine's speed, but
    # every frame of the line names its phase and counts the files.
    frames = [frame for frame in seen.split("\r") if "|" in frame]
    assert frames, seen
    for frame in frames:
        assert frame.split(":")[0] in LABELS.values(), frame
        assert f"/{MANY}" in frame and "files/s" in frame, frame
    assert f"Scanned {MANY} files" in seen  # the report follows, as without a terminal


def test_no_progress_on_a_pipe_or_with_quiet(big_folder: Path, tmp_path: Path) -> None:
    piped = subprocess.run(command(big_folder, tmp_path / "a"), capture_output=True, text=True, check=True)
    assert "parsing" not in piped.stdout + piped.stderr and "\r" not in piped.stderr
    assert piped.stderr == ""
    code, seen = on_terminal(command(big_folder, tmp_path / "b", "--quiet"))
    assert code == 0 and f"Scanned {MANY} files" in seen
    assert "parsing" not in seen and "files/s" not in seen


def test_a_short_build_on_a_terminal_prints_just_its_report(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "---\ntitle: One\nwebUrl: https://e.example/1\npublishedDateTime: 2024-05-01\n---\n", encoding="utf-8"
    )
    code, seen = on_terminal(command(content, tmp_path))
    assert code == 0 and "Scanned 1 file " in seen
    assert "parsing" not in seen and "\r" not in seen.replace("\r\n", "\n")


def test_the_daemon_logs_progress_at_most_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="aggregator.scheduler")
    now = [100.0]
    watcher = ProgressLog(10.0, clock=lambda: now[0])
    for step in range(0, 260):  # 26 s of a build, reported every 0.1 s
        now[0] = 100.0 + step / 10
        watcher(Progress("parse", step * 100, 30_000, step / 10))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2  # at 10 s and at 20 s, none for the first 10 s
    assert lines[0] == "build in progress: parsing, 10000 of 30000 files (1000 files/s), 10 s so far"


def test_the_scheduled_build_passes_its_progress_to_the_log(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="aggregator.scheduler")
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "---\ntitle: One\nwebUrl: https://e.example/1\npublishedDateTime: 2024-05-01\n---\n", encoding="utf-8"
    )
    config = Config(content_dir=content, output_dir=tmp_path / "out", state_setting=tmp_path / "s" / "db")
    RebuildJob(config, progress_interval=0.0)()
    phases = [r.getMessage() for r in caplog.records if r.getMessage().startswith("build in progress")]
    assert any("parsing, " in line for line in phases)
    assert any(line.startswith("build in progress: publish") for line in phases)
