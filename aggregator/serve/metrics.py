"""Prometheus metrics: HTTP responses by code, builds, and the last build's counts.

Where each figure lives:

- `aggregator_http_requests_total{code}` is counted by each web worker, and
  `aggregator_builds_total{result}` and `aggregator_build_duration_seconds` by the
  process that runs the scheduled builds. With PROMETHEUS_MULTIPROC_DIR set (as
  `aggregator serve` does for its workers and its scheduler) prometheus-client keeps
  them in files there, and every worker's /metrics sums all processes.
- `aggregator_last_success_timestamp_seconds`, `aggregator_articles`,
  `aggregator_stories` and `aggregator_skipped_files` come from the status file every
  build writes (the one /healthz reads), so they are right in any worker, in split
  deployments and across restarts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BUILD_RESULTS = ("ok", "failed", "skipped")
# Builds take from well under a second (nothing changed) to minutes (a cold build of a
# very large folder).
BUILD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


class HttpMetrics:
    """Responses by status code, counted in the web worker that sent them."""

    def __init__(self) -> None:
        self.requests = Counter(
            "aggregator_http_requests_total", "HTTP responses sent, by status code.", ["code"], registry=None
        )
        self._by_code: dict[int, Any] = {}

    def count(self, code: int) -> None:
        child = self._by_code.get(code)
        if child is None:
            child = self._by_code[code] = self.requests.labels(code=str(code))
        child.inc()


class BuildMetrics:
    """Scheduled builds: how many, by result, and how long each took."""

    def __init__(self) -> None:
        self.builds = Counter(
            "aggregator_builds_total", "Scheduled builds, by result.", ["result"], registry=None
        )
        for result in BUILD_RESULTS:
            self.builds.labels(result=result)  # every result shows from the start, at 0
        self.duration = Histogram(
            "aggregator_build_duration_seconds",
            "How long each scheduled build took.",
            buckets=BUILD_BUCKETS,
            registry=None,
        )

    def observe(self, result: str, seconds: float | None) -> None:
        self.builds.labels(result=result).inc()
        if seconds is not None:
            self.duration.observe(seconds)


class StatusCollector(Collector):
    """The last build's counts, read from the status file at every scrape."""

    def __init__(self, status_path: Path) -> None:
        self.status_path = status_path

    def collect(self) -> Iterator[Metric]:
        status = _read(self.status_path)
        counts = status.get("counts") or {}
        last = _timestamp(status.get("last_success_at"))
        for name, help_text, value in (
            ("aggregator_last_success_timestamp_seconds", "When the last successful build finished.", last),
            ("aggregator_articles", "Articles published by the last build.", counts.get("articles")),
            ("aggregator_stories", "Stories published by the last build.", counts.get("stories")),
            ("aggregator_skipped_files", "Files the last build skipped.", counts.get("skipped")),
        ):
            family = GaugeMetricFamily(name, help_text)
            if isinstance(value, int | float) and not isinstance(value, bool):
                family.add_metric([], float(value))
            yield family


def exposition(status_path: Path, own: list[Any]) -> bytes:
    """The text format for one scrape: every process's counters, plus the status gauges.

    `own` are this process's metric objects, used when there is no multiprocess folder.
    """
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        for metric in own:
            registry.register(metric)
    registry.register(StatusCollector(status_path))
    return generate_latest(registry)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
