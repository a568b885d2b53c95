"""Running one `aggregator build` as a user would, and what it cost: wall time and memory.

Memory is measured two ways, and the larger is reported, because a build may use a
process pool and one number alone can miss it:

- `ru_maxrss` from `os.wait4` on the build process: the kernel's exact high-water mark
  of resident memory for the largest single process of the tree (the build itself, or
  a worker it waited for);
- the sum of resident memory over the whole process tree, read from /proc every 50 ms;
  copy-on-write pages shared by forked workers are counted once per process, so this
  errs high, never low (short peaks between two samples can be missed). A child caught
  between vfork and exec, which shows its parent's very memory, is counted once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")
MEMORY_NOTE = (
    "the larger of wait4 ru_maxrss (largest single process of the build's tree) and the "
    "sum of RSS over the tree sampled every 50 ms (errs high: shared pages count per process, "
    "except a child caught while it is still an unchanged copy of its parent)"
)
SAMPLE_SECONDS = 0.05


class BuildFailed(RuntimeError):
    """`aggregator build` exited non-zero, or its report was not what the step expects."""


@dataclass
class BuildRun:
    seconds: float
    maxrss_bytes: int  # wait4 ru_maxrss: largest single process of the tree
    tree_peak_bytes: int = 0  # sampled sum over the tree (0 when not sampled)
    tree_max_processes: int = 1
    report: dict[str, Any] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system time of the build and the workers it waited for

    @property
    def peak_bytes(self) -> int:
        return max(self.maxrss_bytes, self.tree_peak_bytes)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        with contextlib.suppress(OSError, ValueError):
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
            found.extend(int(c) for c in text.split())
    return found


def _statm(pid: int) -> tuple[int, ...]:
    """/proc/<pid>/statm in pages (size, resident, shared, text, lib, data, dirty); () if gone."""
    try:
        return tuple(int(field) for field in Path(f"/proc/{pid}/statm").read_text().split())
    except (OSError, ValueError):
        return ()


def tree_resident(statm: dict[int, tuple[int, ...]], parent: dict[int, int]) -> int:
    """Resident bytes of a process tree, by /proc/<pid>/statm. A child whose statm equals
    its parent's to the page is the parent's memory seen twice (a `subprocess` child
    between vfork and exec shares the parent's address space): it counts once. Any other
    child counts in full, the pages it still shares with a forked parent too (errs high)."""
    total = 0
    for pid, pages in statm.items():
        if len(pages) < 2 or (pid in parent and statm.get(parent[pid]) == pages):
            continue
        total += pages[1] * PAGE
    return total


class TreeSampler(threading.Thread):
    """Polls /proc for the resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.max_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            statm: dict[int, tuple[int, ...]] = {}
            parent: dict[int, int] = {}
            queue = [self.pid]
            while queue:
                pid = queue.pop()
                statm[pid] = _statm(pid)
                for child in _children(pid):
                    parent[child] = pid
                    queue.append(child)
            self.peak = max(self.peak, tree_resident(statm, parent))
            self.max_processes = max(self.max_processes, len(statm))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_process(command: list[str], *, sample_memory: bool = False) -> tuple[BuildRun, str]:
    """Run a command once, end to end, as `run_build` does; returns the run and its stdout.

    Any command: the aggregator's build, or another tool's (Hugo) measured the same way.
    Raises BuildFailed on a non-zero exit."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid) if sample_memory else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler is not None:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise BuildFailed(f"{' '.join(command)} exited {proc.returncode}:\n{stderr[-4000:]}{stdout[-2000:]}")
    run = BuildRun(
        seconds=seconds,
        maxrss_bytes=usage.ru_maxrss * 1024,  # KiB on Linux
        tree_peak_bytes=sampler.peak if sampler else 0,
        tree_max_processes=sampler.max_processes if sampler else 1,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )
    return run, stdout


def run_build(command: list[str], *, sample_memory: bool = False) -> BuildRun:
    """Run the build command once, end to end; raise BuildFailed on a non-zero exit."""
    run, stdout = run_process(command, sample_memory=sample_memory)
    try:
        run.report = json.loads(stdout)
    except ValueError as exc:
        raise BuildFailed(f"build printed no JSON report ({exc}):\n{stdout[-2000:]}") from None
    return run


def warm(*folders: Path) -> int:
    """Read every file under these folders, so the next run finds them in the page cache.

    Done before every timed run, not once: some machines (this one runs the kernel's
    DAMON page-out) evict page-cache pages that nobody touched for about a minute, and
    a run that finds them gone measures the disk, not the code. And first, everything the
    last run wrote goes to disk (`os.sync`): Hugo writes hundreds of megabytes, and a
    build started while they are still being written back waits for them in its own
    `fsync` (seen here: no-change rebuilds of 3.6-4.3 s wall for 1.5 s of CPU right after
    a Hugo build, 0.78 s once the writeback was over).
    """
    os.sync()
    total = 0
    buffer = bytearray(1 << 20)  # read in pieces: a whole state file at once would grow this process
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                if path.is_file():
                    with path.open("rb", buffering=0) as handle:
                        while read := handle.readinto(buffer):
                            total += read
    return total


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def _filesystem(path: Path) -> str:
    """The file system type the corpus lives on (tmpfs and ext4 differ a lot)."""
    best, kind = "", "unknown"
    target = str(path.resolve())
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and target.startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    return kind


def machine_info(workdir: Path) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gb": round(_mem_total() / 1e9, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "filesystem": _filesystem(workdir),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def code_version(python: str) -> dict[str, str]:
    """Which aggregator code the builds ran: its folder and git commit."""
    probe = subprocess.run(
        [python, "-c", "import aggregator; print(aggregator.__file__); print(aggregator.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = probe.stdout.split()
    if probe.returncode != 0 or len(lines) < 2:
        return {"source": "unknown", "version": "unknown", "commit": "unknown"}
    folder = str(Path(lines[0]).parent)
    commit = subprocess.run(
        ["git", "-C", folder, "describe", "--always", "--dirty", "--abbrev=12"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {"source": folder, "version": lines[1], "commit": commit or "unknown"}
