"""The results table: each figure next to its floor, its ratio and the target it must meet.

The targets are issue #5's, stated for N = 100,000 articles on a 2-core machine; at
other sizes the pass/fail column is shown for orientation only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

TARGET_N = 100_000
MEMORY_LIMIT_BYTES = 1_500_000_000  # 1.5 GB


@dataclass(frozen=True)
class Target:
    label: str
    floor: str | None  # the floor the ratio is taken against
    max_ratio: float | None = None
    max_seconds: float | None = None

    def describe(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x floor")
        if self.max_seconds is not None:
            parts.append(f"< {self.max_seconds:g} s")
        return " and ".join(parts) or "-"

    def met(self, seconds: float, ratio: float | None) -> bool:
        if self.max_seconds is not None and not seconds < self.max_seconds:
            return False
        return not (self.max_ratio is not None and (ratio is None or ratio > self.max_ratio))


FLOOR_LABELS = {"stat_walk": "stat-only walk", "csafe_parse": "CSafeLoader parse, 1 process"}
TARGETS = {
    "cold": Target("cold build", "csafe_parse", max_ratio=1.0),
    "no_change": Target("no-change rebuild", "stat_walk", max_ratio=3.0, max_seconds=1.5),
    "edit": Target("one file edited", "stat_walk", max_seconds=1.5),
    "add": Target("one file added", "stat_walk", max_seconds=1.5),
    "delete": Target("one file deleted", "stat_walk", max_seconds=1.5),
    # The same changes told to the build (`aggregator build --changed PATH`, as the
    # daemon's watcher does): no walk of the folder.
    "edit_named": Target("one file edited, named", "stat_walk", max_seconds=1.5),
    "add_named": Target("one file added, named", "stat_walk", max_seconds=1.5),
    "delete_named": Target("one file deleted, named", "stat_walk", max_seconds=1.5),
}


def figure(runs: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(runs), "runs_s": runs}


def score(floors: dict[str, dict[str, Any]], builds: dict[str, dict[str, Any]]) -> None:
    """Add ratio, target and pass/fail to each build figure, in place."""
    for key, target in TARGETS.items():
        if key not in builds:
            continue
        fig = builds[key]
        floor = floors.get(target.floor or "", {}).get("median_s")
        fig["floor"] = target.floor
        if fig.get("paired_ratios"):  # each run against the floor run just before it
            fig["ratio"] = statistics.median(fig["paired_ratios"])
        else:
            fig["ratio"] = fig["median_s"] / floor if floor else None
        fig["target"] = target.describe()
        fig["pass"] = target.met(fig["median_s"], fig["ratio"])


def _secs(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def table(results: dict[str, Any]) -> str:
    """The figures as a fixed-width text table."""
    rows = [("figure", "median", "runs", "vs floor", "target", "result")]
    for key, fig in results["floors"].items():
        runs = " ".join(f"{r:.3f}" for r in fig["runs_s"])
        rows.append((FLOOR_LABELS[key], _secs(fig["median_s"]), runs, "(floor)", "", ""))
    hugo = results.get("hugo") or {}
    if "median_s" in hugo:
        runs = " ".join(f"{r:.3f}" for r in hugo["runs_s"])
        rows.append(("Hugo cold build", _secs(hugo["median_s"]), runs, "(reference)", "", ""))
    for key, fig in results["builds"].items():
        runs = " ".join(f"{r:.3f}" for r in fig["runs_s"])
        ratio = (
            f"{fig['ratio']:.2f}x {'walk' if fig['floor'] == 'stat_walk' else 'parse'}"
            if fig["ratio"]
            else "-"
        )
        result = "pass" if fig["pass"] else "FAIL"
        rows.append((TARGETS[key].label, _secs(fig["median_s"]), runs, ratio, fig["target"], result))
    memory = results["memory"]
    rows.append(
        (
            "peak memory, cold build",
            f"{memory['peak_bytes'] / 1e6:.0f} MB",
            " ".join(f"{b / 1e6:.0f}" for b in memory["runs_bytes"]),
            "",
            f"< {MEMORY_LIMIT_BYTES / 1e9:g} GB",
            "pass" if memory["pass"] else "FAIL",
        )
    )
    if "median_s" in hugo:
        pairs = " ".join(f"{r:.2f}" for r in hugo["paired_ratios"])
        rows.append(("cold build vs Hugo", f"{hugo['ratio']:.2f}x", f"pairs {pairs}", "", "", ""))
        rows.append(
            (
                "Hugo peak memory",
                f"{hugo['peak_bytes'] / 1e6:.0f} MB",
                " ".join(f"{b / 1e6:.0f}" for b in hugo["runs_bytes"]),
                "",
                "",
                "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    cold = results["builds"].get("cold", {})
    if cold.get("cpu_seconds"):
        cpu = " ".join(f"{c:.1f}" for c in cold["cpu_seconds"])
        phases = ", ".join(f"{k} {v / 1000:.1f}" for k, v in cold.get("phases_ms", {}).items() if v)
        lines.append(f"cold build CPU time (user + system, build and workers), s: {cpu}")
        lines.append(f"cold build phases of the last run, s: {phases}")
    if "median_s" in hugo:
        cpu = " ".join(f"{c:.1f}" for c in hugo["cpu_seconds"])
        check = hugo["check"]
        lines.append(
            f"Hugo: {hugo['version']}; CPU time, s: {cpu}; checked: {check['term_feeds']} term RSS feeds "
            f"with {check['items']} items, as the corpus gives"
        )
    elif hugo.get("skipped"):
        lines.append(f"Hugo cold build: skipped ({hugo['skipped']})")
    return "\n".join(lines)


def header(results: dict[str, Any]) -> str:
    m = results["machine"]
    code = results["code"]
    note = "" if results["n"] == TARGET_N else f" (targets are for N={TARGET_N:,}; shown for orientation)"
    return (
        f"{results.get('shape', 'original')} shape, N={results['n']:,} articles, seed {results['seed']}, median of {results['repeat']} runs{note}\n"
        f"machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), {m['ram_gb']} GB RAM, "
        f"{m['os']}, {m['filesystem']}, Python {m['python']}, {m['date']}, "
        f"load {m['load_1min_start']} -> {m['load_1min_end']} (other work on the machine skews timings)\n"
        f"code: aggregator {code['version']} at {code['commit']} ({code['source']})\n"
        f"corpus: {results['corpus']['summary']}"
    )


def compare(by_shape: dict[str, dict[str, Any]]) -> str:
    """Every figure side by side, one column per corpus shape: median (ratio to its floor)."""
    shapes = list(by_shape)
    rows = [("figure", *shapes)]

    def cell(result: dict[str, Any], key: str) -> str:
        if key in result["floors"]:
            return _secs(result["floors"][key]["median_s"])
        if key == "hugo":
            hugo = result.get("hugo") or {}
            return _secs(hugo["median_s"]) if "median_s" in hugo else "skipped"
        if key == "vs_hugo":
            hugo = result.get("hugo") or {}
            return f"{hugo['ratio']:.2f}x" if "ratio" in hugo else "-"
        if key == "memory":
            return f"{result['memory']['peak_bytes'] / 1e6:.0f} MB"
        fig = result["builds"].get(key)
        if fig is None:
            return "-"
        ratio = f" ({fig['ratio']:.2f}x)" if fig.get("ratio") else ""
        return _secs(fig["median_s"]) + ratio + ("" if fig["pass"] else " FAIL")

    labels = {**FLOOR_LABELS, "hugo": "Hugo cold build", "vs_hugo": "cold build vs Hugo"}
    labels |= {key: target.label for key, target in TARGETS.items()} | {"memory": "peak memory, cold build"}
    for key in ("stat_walk", "csafe_parse", "hugo", *TARGETS, "vs_hugo", "memory"):
        rows.append((labels[key], *(cell(by_shape[s], key) for s in shapes)))
    rows.append(("average file", *(f"{by_shape[s]['corpus']['avg_bytes'] / 1024:.2f} KiB" for s in shapes)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return (
        "every figure on each shape: median (ratio to its floor; cold build: median of pairs)\n"
        + "\n".join(lines)
    )
