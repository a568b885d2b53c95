"""`make bench`: the build's cost at scale, measured end to end against its floors.

Generates (or reuses) a synthetic corpus, measures the floors on it, then times
`aggregator build --json` as a fresh process for a cold build, a no-change rebuild and
one file edited, added and deleted; each change is checked in the feeds on disk before
its time counts. Where `hugo` is installed, Hugo's cold build of the same files is timed
pair by pair with ours. Every figure is taken on each corpus shape (`--shapes`: the
original one, shaped like seeds/, and a varied one the service was never tuned on).
Prints a table per shape and writes them as JSON. All reads hit a warm page cache
(the corpus is read before every timed run), for the floors and the builds alike.
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
from bench import hugo as hugo_site

HERE = Path(__file__).resolve().parent
SHAPES = ("original", "varied")


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
    parser.add_argument(
        "--shapes",
        default=",".join(SHAPES),
        help=f"corpus shapes to measure, comma-separated, each in its own folder [{','.join(SHAPES)}]",
    )
    parser.add_argument(
        "--hugo",
        default=shutil.which("hugo"),
        help="the hugo command to compare cold builds with [hugo on PATH]; '' to skip",
    )
    args = parser.parse_args(argv)
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in args.shapes if s not in SHAPES]
    if unknown or not args.shapes:
        parser.error(
            f"--shapes: unknown shape(s) {', '.join(unknown) or '(none)'}; known: {', '.join(SHAPES)}"
        )
    if args.n < 20 or args.repeat < 1:
        parser.error("--n must be at least 20 and --repeat at least 1")
    if 2 * args.repeat > corpus.probe_count(args.n):
        parser.error(
            f"--repeat is at most {corpus.probe_count(args.n) // 2} at this N "
            "(one probe article per deletion, walked and named)"
        )
    return args


def _no_hugo(option: str | None) -> str:
    return "--hugo '' was given" if option == "" else "hugo is not installed (no `hugo` on PATH)"


class Bench:
    """One benchmark run: the paths, the command, and the figures gathered so far."""

    def __init__(self, args: argparse.Namespace, shape: str = "original") -> None:
        self.repeat: int = args.repeat
        self.shape = shape
        work = args.workdir.resolve() / shape
        self.work = work
        self.content = work / "corpus"
        self.state = work / "state"
        self.site = work / "site"
        self.config = work / "aggregator.yaml"
        self.command = [str(args.aggregator), "build", "--config", str(self.config), "--json"]
        self.floors: dict[str, dict[str, Any]] = {}
        self.builds: dict[str, dict[str, Any]] = {}
        self.memory: dict[str, Any] = {}
        self.hugo: str | None = args.hugo or None
        self.hugo_site = work / "hugo"
        self.hugo_out = self.hugo_site / "out"
        self.hugo_expected: list[int] = []
        self.hugo_results: dict[str, Any] = (
            {} if self.hugo else {"skipped": f"{_no_hugo(args.hugo)}: no Hugo comparison"}
        )
        self.state_url: str | None = args.state_url

    def prepare(self, n: int, seed: int, keep: bool) -> corpus.CorpusInfo:
        info = corpus.load_info(self.content)
        if keep and info is not None and (info.n, info.seed, info.shape_name) == (n, seed, self.shape):
            if not info.clean:
                corpus.restore(self.content)
            print(f"reusing the corpus in {self.content}")
        else:
            print(f"generating {n:,} articles in {self.content} ...", flush=True)
            seconds, info = floors.timed(
                lambda root: corpus.generate(root, n, seed, self.shape), self.content
            )
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
        if self.hugo:
            hugo_site.write_site(self.hugo_site, self.content)
            self.hugo_expected = hugo_site.expected_items(self.content)
            print(f"hugo site in {self.hugo_site} (content: hard links to the corpus)", flush=True)
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

    def _build(self, label: str, sample_memory: bool = False, named: Path | None = None) -> measure.BuildRun:
        self.warm()
        command = self.command if named is None else [*self.command, "--changed", str(named)]
        run = measure.run_build(command, sample_memory=sample_memory)
        print(
            f"  {label}: {run.seconds:.3f} s, CPU {run.cpu_seconds:.1f} s, peak RSS {run.peak_bytes / 1e6:.0f} MB",
            flush=True,
        )
        return run

    def cold(self, info: corpus.CorpusInfo) -> None:
        """Cold builds, each right after a run of its floor, so that the pair sees the
        machine in the same state (its speed drifts by a fifth within minutes); the
        ratio reported is the median of the pairs' ratios. Where hugo is installed, each
        cold build is followed by Hugo's cold build of the same files, the other half of a
        second pair (ours / Hugo's), reported the same way."""
        runs, parses, hugos = [], [], []
        for i in range(self.repeat):
            parses.append(self._floor(floors.csafe_parse))
            print(f"  CSafeLoader parse {i + 1}: {parses[-1]:.3f} s", flush=True)
            shutil.rmtree(self.state, ignore_errors=True)
            self.drop_pg_state()
            shutil.rmtree(self.site, ignore_errors=True)
            runs.append(self._build(f"cold build {i + 1}", sample_memory=True))
            if self.hugo:
                hugos.append(self._hugo(i + 1))
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
        if self.hugo:
            self.hugo_results = self._hugo_figures([r.seconds for r in runs], hugos)

    def _hugo(self, index: int) -> measure.BuildRun:
        """One cold Hugo build: no publishDir, resourceDir or cacheDir; a fresh process."""
        assert self.hugo is not None
        self.warm()  # the hard links share the corpus's pages: warming it warms Hugo's input
        hugo_site.fresh(self.hugo_out)
        run, stdout = measure.run_process(
            hugo_site.command(self.hugo, self.hugo_site, self.hugo_out), sample_memory=True
        )
        run.report = {"stdout": stdout[-1000:]}
        run.report["check"] = hugo_site.check_output(self.hugo_out / "public", self.hugo_expected)
        print(
            f"  hugo cold build {index}: {run.seconds:.3f} s, CPU {run.cpu_seconds:.1f} s, "
            f"peak RSS {run.peak_bytes / 1e6:.0f} MB, {run.report['check']['term_feeds']} term feeds "
            f"with {run.report['check']['items']} items",
            flush=True,
        )
        return run

    def _hugo_figures(self, ours: list[float], hugos: list[measure.BuildRun]) -> dict[str, Any]:
        assert self.hugo is not None
        fig = hugo_site.pair_figures(ours, [r.seconds for r in hugos])
        version = measure.run_process([self.hugo, "version"])[1].strip()
        return fig | {
            "command": " ".join(hugo_site.command(self.hugo, self.hugo_site, self.hugo_out)),
            "version": version,
            "cpu_seconds": [round(r.cpu_seconds, 2) for r in hugos],
            "peak_bytes": max(r.peak_bytes for r in hugos),
            "runs_bytes": [r.peak_bytes for r in hugos],
            "check": hugos[-1].report["check"],
            "setup": hugo_site.__doc__.split("\n\n", 1)[1].strip() if hugo_site.__doc__ else "",
        }

    def no_change(self) -> None:
        runs = [self._build(f"no-change rebuild {i + 1}") for i in range(self.repeat)]
        for run in runs:
            changed = {
                k: run.report[k] for k in ("files_changed", "files_removed", "parsed") if run.report.get(k)
            }
            if changed:
                raise checks.CheckFailed(f"no-change rebuild found changes: {changed}")
        self.builds["no_change"] = report.figure([r.seconds for r in runs])

    def _one_file(self, what: str, run_index: int, path: Path, named: bool) -> float:
        """The build after one file changed at `path`; `named`: told the path (`--changed`)."""
        label = f"one file {what}{', named' if named else ''} {run_index + 1}"
        run = self._build(label, named=path if named else None)
        checks.check_scan(run.report, named)
        return run.seconds

    def edit(self, named: bool = False) -> None:
        times = []
        for i in range(self.repeat):
            path = corpus.edit_one(self.content)
            article = checks.read_article(path)
            times.append(self._one_file("edited", i, path, named))
            checks.check_edited(self.site, article)
        self.builds["edit_named" if named else "edit"] = report.figure(times)

    def add(self, named: bool = False) -> None:
        times = []
        for i in range(self.repeat):
            path = corpus.add_one(self.content)
            article = checks.read_article(path)
            times.append(self._one_file("added", i, path, named))
            checks.check_present(self.site, article, "added article")
        self.builds["add_named" if named else "add"] = report.figure(times)

    def delete(self, named: bool = False) -> None:
        times = []
        for i in range(self.repeat):
            article = checks.read_article(corpus.live_probes(self.content)[0])
            checks.check_present(self.site, article, "article about to be deleted")
            if corpus.delete_one(self.content) != article.path:
                raise checks.CheckFailed("delete_one removed another file than expected")
            times.append(self._one_file("deleted", i, article.path, named))
            checks.check_absent(self.site, [article.url], "deleted article")
        self.builds["delete_named" if named else "delete"] = report.figure(times)


def measure_shape(args: argparse.Namespace, shape: str) -> dict[str, Any]:
    """Every figure on one corpus shape; raises BuildFailed, CheckFailed or HugoFailed."""
    bench = Bench(args, shape)
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
        bench.edit(named=True)
        bench.add(named=True)
        bench.delete(named=True)
    finally:
        corpus.restore(bench.content)
    report.score(bench.floors, bench.builds)
    return {
        "shape": shape,
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
            "shape_params": info.shape,
        },
        "command": " ".join(bench.command),
        "floors": bench.floors,
        "builds": bench.builds,
        "memory": bench.memory,
        "hugo": bench.hugo_results,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.hugo:
        print(f"note: {_no_hugo(args.hugo)}: the Hugo comparison is skipped", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for shape in args.shapes:
        print(f"=== {shape} shape ===", flush=True)
        try:
            results[shape] = measure_shape(args, shape)
        except (measure.BuildFailed, checks.CheckFailed, hugo_site.HugoFailed) as exc:
            print(f"bench: {shape} shape: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"shapes": results}
    args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for result in results.values():
        print()
        print(report.header(result))
        print()
        print(report.table(result))
        for fig in result["floors"].values():
            if "note" in fig:
                print(f"note: CSafeLoader parse: {fig['note']}")
        print(f"memory: {measure.MEMORY_NOTE}; {result['memory']['max_processes']} process(es) seen")
    if len(results) > 1:
        print()
        print(report.compare(results))
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
