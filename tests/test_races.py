"""Two `aggregator build` processes and the daemon's scheduled builds, all at once:
one build at a time, nothing interleaved, nothing lost.

Each build says when it ran, as timed while holding the lock: `build --json` reports
started_at and finished_at, and the daemon's scheduler logs the same at debug level
(switched on here for that logger alone). No two of those spans may overlap, and the
feeds at the end are what a fresh build of the same content gives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
import time

from test_serve_e2e import Daemon, article, headline, make_site

ROUNDS = 4
DAEMON_BUILD = re.compile(r"aggregator\.scheduler: build ran from (\S+) to (\S+)$", re.M)
SERVE_WITH_BUILD_SPANS = (
    "import logging, sys; from aggregator.cli import main; "
    "logging.getLogger('aggregator.scheduler').setLevel(logging.DEBUG); sys.exit(main())"
)


class SpanLoggingDaemon(Daemon):
    """`aggregator serve`, with the scheduler's debug lines (build spans) in its log."""

    def __init__(self, site) -> None:
        self.site = site
        self.log_path = site.root / "serve.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVE_WITH_BUILD_SPANS, "serve", "--config", str(site.config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=site.env(),
            cwd=site.root,
        )


def span_of_report(report: dict) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.fromisoformat(report["started_at"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(report["finished_at"].replace("Z", "+00:00"))
    return start, end


def to_ms(moment: dt.datetime) -> dt.datetime:
    """The JSON report's precision: truncating both sides alike keeps their order."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def daemon_spans(log: str) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (to_ms(dt.datetime.fromisoformat(a)), to_ms(dt.datetime.fromisoformat(b)))
        for a, b in DAEMON_BUILD.findall(log)
    ]


def sorted_view(folder) -> dict[str, list[tuple[str, str]]]:
    return {
        p.name: sorted((i["id"], i["title"]) for i in json.loads(p.read_bytes())["items"])
        for p in sorted((folder / "feeds").glob("*.json"))
    }


def test_manual_and_scheduled_builds_never_overlap_and_lose_nothing(tmp_path, make_ws) -> None:
    site = make_site(tmp_path / "raced", articles=120)
    with site.config.open("a", encoding="utf-8") as config:
        config.write("feeds:\n  max_items: 5000\n")  # every story in every feed it belongs to
    daemon = SpanLoggingDaemon(site)
    try:
        daemon.wait_healthy()
        cli_spans: list[tuple[dt.datetime, dt.datetime]] = []
        waited = 0
        added = []
        for round_ in range(ROUNDS):
            # New content each round, so every build has real work to do.
            for j in range(15):
                name = f"race-{round_}-{j}"
                site.write_article(f"{name}.md", article(name, headline(name), hour=(round_ * 15 + j) % 24))
                added.append(headline(name))
            builds = [
                subprocess.Popen(
                    site.cli("build", "--json", "--config", str(site.config)),
                    env=site.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            for proc in builds:
                out, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, err
                cli_spans.append(span_of_report(json.loads(out)))
                waited += "another build is running; waiting" in err
            time.sleep(1.2)  # let a scheduled build fall between or on top of the next round
        log = daemon.log()
    finally:
        daemon.stop()

    scheduled = daemon_spans(log)
    assert len(scheduled) >= ROUNDS, "the daemon should have built during the rounds"
    assert waited >= 1, "the two manual builds should have met at the lock at least once"
    spans = sorted(cli_spans + scheduled)
    for (start_a, end_a), (start_b, end_b) in itertools.pairwise(spans):
        assert end_a <= start_b, f"builds overlapped: {start_a}..{end_a} and {start_b}..{end_b}"
    assert "Traceback" not in log

    final = sorted_view(site.output)
    titles = {title for _id, title in final["all.json"]}
    assert set(added) <= titles  # nothing lost
    fresh = make_ws("fresh")
    fresh.content.rmdir()
    fresh.content.symlink_to(site.content, target_is_directory=True)
    fresh.write_config({"feeds": {"max_items": 5000}})
    fresh.build("--full")
    assert final == sorted_view(fresh.output)
