"""What makes the original corpus kinder to the service than the varied one: measured.

    python bench/ablate.py [--n 10000] [--repeat 2] [--factors all]

Builds the same N articles in several shapes: the original one, the "original-like"
baseline (the original parameters through the varied generator, so both sides of every
comparison run the same code), the baseline with one factor of the varied shape switched
on (`varied.FACTORS`), and the varied shape. On each it measures, the same way as
`bench/run.py`:

- the CSafeLoader parse floor and a cold build, pair by pair (median of the pairs' ratios),
  with the build's CPU time and phases (`timings_ms`), and the build's CPU time (user +
  system, workers included) against the floor's CPU time, which other work on the
  machine skews less than wall time;
- in this process, per file: the service's own parse (`aggregator.articles.parse_article`,
  what each worker does per file) against CSafeLoader on the same text, and the share of
  files the block-YAML fast path (`aggregator.blockyaml.load_block`) takes.

The table says, per factor, how much the cold build's ratio to its floor moves, and why
(which phase grows). Timings on a busy machine are indicative only; the fast-path share
and the per-file costs are steadier.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as `python bench/ablate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus, floors, measure, varied

HERE = Path(__file__).resolve().parent


def variants(seed: int, factors: list[str]) -> dict[str, str | dict[str, Any]]:
    out: dict[str, str | dict[str, Any]] = {
        "original": "original",
        "original-like": varied.with_factors(seed, []),
    }
    for factor in factors:
        out[f"+ {factor}"] = varied.with_factors(seed, [factor])
    out["varied"] = "varied"
    return out


def per_file(root: Path) -> dict[str, Any]:
    """The service's parse and CSafeLoader, per file, in this process; the fast-path share."""
    from aggregator.articles import parse_article
    from aggregator.blockyaml import load_block

    paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    blobs = [(str(p), p.read_bytes()) for p in paths]
    fast = 0
    for _, data in blobs:
        if load_block(floors.front_matter(data.decode("utf-8"))) is not None:
            fast += 1
    start = time.perf_counter()
    for path, data in blobs:
        parse_article(path, data)
    service = time.perf_counter() - start
    start = time.perf_counter()
    for _, data in blobs:
        yaml.load(floors.front_matter(data.decode("utf-8")), Loader=yaml.CSafeLoader)
    csafe = time.perf_counter() - start
    return {
        "fast_path_share": round(fast / len(blobs), 4),
        "service_parse_us": round(service / len(blobs) * 1e6, 1),
        "csafe_us": round(csafe / len(blobs) * 1e6, 1),
        "service_vs_csafe": round(service / csafe, 3),
    }


def measure_variant(
    work: Path, n: int, seed: int, shape: str | dict[str, Any], repeat: int, aggregator: Path
) -> dict[str, Any]:
    content, state, site = work / "corpus", work / "state", work / "site"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    info = corpus.generate(content, n, seed, shape)
    config = work / "aggregator.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "site": {"base_url": "https://feeds.example.org/"},
                "content": {"dir": str(content)},
                "output": {"dir": str(site)},
                "state": {"path": str(state / "aggregator.sqlite3")},
            }
        ),
        encoding="utf-8",
    )
    command = [str(aggregator), "build", "--config", str(config), "--json"]
    parses, parse_cpu, runs = [], [], []
    for _ in range(repeat):
        measure.warm(content)
        cpu = time.process_time()
        parses.append(floors.timed(floors.csafe_parse, content)[0])
        parse_cpu.append(time.process_time() - cpu)
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        measure.warm(content)
        runs.append(measure.run_build(command))
    report = runs[-1].report
    result = {
        "summary": info.summary(),
        "avg_bytes": round(info.avg_bytes),
        "parse_floor_s": statistics.median(parses),
        "cold_s": statistics.median(r.seconds for r in runs),
        "ratio": statistics.median(r.seconds / p for r, p in zip(runs, parses, strict=True)),
        "cpu_s": statistics.median(r.cpu_seconds for r in runs),
        # CPU time against CPU time: steadier than wall time when other work shares the cores
        "cpu_ratio": statistics.median(r.cpu_seconds / c for r, c in zip(runs, parse_cpu, strict=True)),
        "phases_ms": report.get("timings_ms", {}),
        "stories": report.get("stories"),
        "feeds": len(report.get("feeds", [])),
        "skipped": len(report.get("skipped", [])),
    }
    result |= per_file(content)
    shutil.rmtree(work, ignore_errors=True)
    return result


def table(results: dict[str, dict[str, Any]]) -> str:
    rows = [
        (
            "corpus",
            "KiB/file",
            "fast path",
            "svc parse us",
            "CSafe us",
            "svc/CSafe",
            "floor s",
            "cold s",
            "cold/floor",
            "CPU s",
            "CPU/floor CPU",
            "parse/stories/render/publish s",
            "feeds",
        )
    ]
    for name, r in results.items():
        ph = r["phases_ms"]
        phases = "/".join(f"{ph.get(k, 0) / 1000:.1f}" for k in ("parse", "stories", "render", "publish"))
        rows.append(
            (
                name,
                f"{r['avg_bytes'] / 1024:.2f}",
                f"{r['fast_path_share']:.0%}",
                f"{r['service_parse_us']:.0f}",
                f"{r['csafe_us']:.0f}",
                f"{r['service_vs_csafe']:.2f}",
                f"{r['parse_floor_s']:.2f}",
                f"{r['cold_s']:.2f}",
                f"{r['ratio']:.2f}x",
                f"{r['cpu_s']:.1f}",
                f"{r['cpu_ratio']:.2f}x" if "cpu_ratio" in r else "-",
                phases,
                str(r["feeds"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--factors", default="all", help=f"comma-separated, of: {', '.join(varied.FACTORS)}")
    parser.add_argument("--workdir", type=Path, default=HERE / "out" / "ablate")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "ablate.json")
    parser.add_argument("--aggregator", type=Path, default=Path(sys.executable).parent / "aggregator")
    args = parser.parse_args(argv)
    factors = list(varied.FACTORS) if args.factors == "all" else [f.strip() for f in args.factors.split(",")]
    results: dict[str, dict[str, Any]] = {}
    for name, shape in variants(args.seed, factors).items():
        print(f"{name} ...", flush=True)
        results[name] = measure_variant(args.workdir, args.n, args.seed, shape, args.repeat, args.aggregator)
        print(
            f"  {results[name]['summary']}\n  {json.dumps({k: v for k, v in results[name].items() if k != 'summary'})}",
            flush=True,
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"n": args.n, "seed": args.seed, "results": results}, indent=2) + "\n", "utf-8"
    )
    print()
    print(f"N={args.n:,}, seed {args.seed}, median of {args.repeat} (floor, cold build) pairs")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
