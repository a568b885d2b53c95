"""`make bench`: the build's cost at scale, measured end to end against its floors.

Generates (or reuses) a synthetic corpus, measures the floors on it, then times
`aggregator build --json` as a fresh process for a cold build, a no-change rebuild and
one file edited, added and deleted; each change is checked in the feeds on disk before
its time counts. Prints a table and writes it as JSON. All reads hit a warm page cache
(the corpus is read once before measuring), for the floors and the builds alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import checks, corpus, floors, measure, report

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles in the corpus [100000]")
    parser.add_argument(
        "--repeat", type=int, default=3, help="repetitions per figure; the median is reported [3]"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed [1]")
    parser.add_argument(
        "--workdir", type=Path, default=HERE / "out" / "work", help="corpus, state and output"
    )
    parser.add_argument(
        "--json", type=Path, default=HERE / "out" / "results.json", help="where to write the results"
    )
    parser.add_argument(
        "--state-url",
        help="time the PostgreSQL state store (postgresql://USER@HOST:PORT/DB; emptied before each cold build)",
    )
    parser.add_argument("--keep-corpus", action="store_true", help="reuse a corpus of the same N and seed")
    parser.add_argument(
        "--aggregator",
        type=Path,
        default=Path(sys.executable).parent / "aggregator",
        help="the aggregator command to time [the one next to this Python]",
    )
    args = parser.parse_args(argv)
    if args.n < 20 or args.repeat < 1:
        parser.error("--n must be at least 20 and --repeat at least 1")
    if args.repeat > corpus.probe_count(args.n):
        parser.error(
            f"--repeat is at most {corpus.probe_count(args.n)} at this N (one new article per deletion)"
        )
    return args


class Bench:
    """One benchmark run: the paths, the command, and the figures gathered so far."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.repeat: int = args.repeat
        work = args.workdir.resolve()
        self.work = work
        self.content = work / "corpus"
        self.state = work / "state"
        self.site = work / "site"
        self.config = work / "aggregator.yaml"
        self.command = [str(args.aggregator), "build", "--config", str(self.config), "--json"]
        self.floors: dict[str, dict[str, Any]] = {}
        self.builds: dict[str, dict[str, Any]] = {}
        self.memory: dict[str, Any] = {}
        self.state_url: str | None = args.state_url

    def prepare(self, n: int, seed: int, keep: bool) -> corpus.CorpusInfo:
        info = corpus.load_info(self.content)
        if keep and info is not None and (info.n, info.seed) == (n, seed):
            if not info.clean:
                corpus.restore(self.content)
            print(f"reusing the corpus in {self.content}")
        else:
            print(f"generating {n:,} articles in {self.content} ...", flush=True)
            seconds, info = floors.timed(lambda root: corpus.generate(root, n, seed), self.content)
            print(f"  generated in {seconds:.1f} s")
        info = corpus.load_info(self.content)
        assert info is not None
        self.work.mkdir(parents=True, exist_ok=True)
        config = {
            "site": {"base_url": "https://feeds.example.org/"},
            "content": {"dir": str(self.content)},
            "output": {"dir": str(self.site)},
            "state": {"path": str(self.state / "aggregator.sqlite3")},
        }
        if self.state_url:
            config["state"]["url"] = self.state_url
        self.config.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return info

    def drop_pg_state(self) -> None:
        """A cold build with PostgreSQL state starts from an empty database, as one with
        SQLite starts without a file."""
        if self.state_url:
            import psycopg

            with psycopg.connect(self.state_url, autocommit=True) as conn:
                conn.execute("DROP TABLE IF EXISTS schema_version")

    def warm(self) -> None:
        """Corpus, state and output in the page cache before each timed run (see measure.warm)."""
        measure.warm(self.content, self.state, self.site)

    def _floor(self, func: Callable[[Path], object]) -> float:
        self.warm()
        return floors.timed(func, self.content)[0]

    def measure_floors(self) -> None:
        """The stat-walk floor; the parse floor is measured with the cold builds (`cold`)."""
        walks = [self._floor(floors.stat_walk) for _ in range(self.repeat)]
        self.floors["stat_walk"] = report.figure(walks)
        print(f"floors: stat walk {walks}", flush=True)

    def _build(self, label: str, sample_memory: bool = False) -> measure.BuildRun:
        self.warm()
        run = measure.run_build(self.command, sample_memory=sample_memory)
        print(
            f"  {label}: {run.seconds:.3f} s, CPU {run.cpu_seconds:.1f} s, peak RSS {run.peak_bytes / 1e6:.0f} MB",
            flush=True,
        )
        return run

    def cold(self, info: corpus.CorpusInfo) -> None:
        """Cold builds, each right after a run of its floor, so that the pair sees the
        machine in the same state (its speed drifts by a fifth within minutes); the
        ratio reported is the median of the pairs' ratios."""
        runs, parses = [], []
        for i in range(self.repeat):
            parses.append(self._floor(floors.csafe_parse))
            print(f"  CSafeLoader parse {i + 1}: {parses[-1]:.3f} s", flush=True)
            shutil.rmtree(self.state, ignore_errors=True)
            self.drop_pg_state()
            shutil.rmtree(self.site, ignore_errors=True)
            runs.append(self._build(f"cold build {i + 1}", sample_memory=True))
        self.floors["csafe_parse"] = report.figure(parses)
        got = runs[-1].report
        if got.get("skipped"):
            reasons = "; ".join(f"{p['path']}: {p['reason']}" for p in got["skipped"][:5])
            raise checks.CheckFailed(f"cold build skipped {len(got['skipped'])} files: {reasons}")
        expected = {"files_scanned": info.n, "drafts": len(info.drafts), "scheduled": 0}
        wrong = {k: (got.get(k), v) for k, v in expected.items() if k in got and got[k] != v}
        if wrong:
            raise checks.CheckFailed(f"cold build report (got, expected): {wrong}")
        drafts = [checks.read_article(self.content / p).url for p in info.drafts[:50]]
        checks.check_absent(self.site, drafts, "draft")
        checks.check_present(self.site, checks.read_article(self.content / info.probes[0]), "newest article")
        self.builds["cold"] = report.figure([r.seconds for r in runs])
        self.builds["cold"]["paired_ratios"] = [
            round(r.seconds / p, 4) for r, p in zip(runs, parses, strict=True)
        ]
        self.builds["cold"]["stories"] = got.get("stories")
        self.builds["cold"]["cpu_seconds"] = [round(r.cpu_seconds, 2) for r in runs]
        self.builds["cold"]["phases_ms"] = got.get("timings_ms", {})
        self.memory = {
            "peak_bytes": max(r.peak_bytes for r in runs),
            "runs_bytes": [r.peak_bytes for r in runs],
            "maxrss_bytes": [r.maxrss_bytes for r in runs],
            "tree_sampled_bytes": [r.tree_peak_bytes for r in runs],
            "max_processes": max(r.tree_max_processes for r in runs),
            "limit_bytes": report.MEMORY_LIMIT_BYTES,
            "method": measure.__doc__.split("\n\n", 1)[1].strip() if measure.__doc__ else "",
        }
        self.memory["pass"] = self.memory["peak_bytes"] < report.MEMORY_LIMIT_BYTES

    def no_change(self) -> None:
        runs = [self._build(f"no-change rebuild {i + 1}") for i in range(self.repeat)]
        for run in runs:
            changed = {
                k: run.report[k] for k in ("files_changed", "files_removed", "parsed") if run.report.get(k)
            }
            if changed:
                raise checks.CheckFailed(f"no-change rebuild found changes: {changed}")
        self.builds["no_change"] = report.figure([r.seconds for r in runs])

    def edit(self) -> None:
        times = []
        for i in range(self.repeat):
            article = checks.read_article(corpus.edit_one(self.content))
            times.append(self._build(f"one file edited {i + 1}").seconds)
            checks.check_edited(self.site, article)
        self.builds["edit"] = report.figure(times)

    def add(self) -> None:
        times = []
        for i in range(self.repeat):
            article = checks.read_article(corpus.add_one(self.content))
            times.append(self._build(f"one file added {i + 1}").seconds)
            checks.check_present(self.site, article, "added article")
        self.builds["add"] = report.figure(times)

    def delete(self) -> None:
        times = []
        for i in range(self.repeat):
            article = checks.read_article(corpus.live_probes(self.content)[0])
            checks.check_present(self.site, article, "article about to be deleted")
            if corpus.delete_one(self.content) != article.path:
                raise checks.CheckFailed("delete_one removed another file than expected")
            times.append(self._build(f"one file deleted {i + 1}").seconds)
            checks.check_absent(self.site, [article.url], "deleted article")
        self.builds["delete"] = report.figure(times)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    info = bench.prepare(args.n, args.seed, args.keep_corpus)
    print(info.summary(), flush=True)
    load_start = os.getloadavg()[0]
    try:
        bench.measure_floors()
        bench.cold(info)
        bench.no_change()
        bench.edit()
        bench.add()
        bench.delete()
    except (measure.BuildFailed, checks.CheckFailed) as exc:
        print(f"bench: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        corpus.restore(bench.content)
    report.score(bench.floors, bench.builds)
    results = {
        "n": args.n,
        "seed": args.seed,
        "repeat": args.repeat,
        "machine": measure.machine_info(bench.work)
        | {"load_1min_start": round(load_start, 2), "load_1min_end": round(os.getloadavg()[0], 2)},
        "code": measure.code_version(sys.executable),
        "corpus": {
            "summary": info.summary(),
            "files": info.n,
            "avg_bytes": round(info.avg_bytes),
            "folders": info.folders,
            "layout": info.layout,
            "drafts": len(info.drafts),
        },
        "command": " ".join(bench.command),
        "floors": bench.floors,
        "builds": bench.builds,
        "memory": bench.memory,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(report.header(results))
    print()
    print(report.table(results))
    for fig in bench.floors.values():
        if "note" in fig:
            print(f"note: CSafeLoader parse: {fig['note']}")
    print(f"memory: {measure.MEMORY_NOTE}; {bench.memory['max_processes']} process(es) seen")
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
