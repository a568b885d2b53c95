"""WebSub publisher pings: telling hubs which feed URLs changed, off the build's path.

After a build that wrote feed files, every hub gets one `hub.mode=publish` POST per
changed feed URL (`hub.url`, and `hub.topic` with the same value, which some hubs read
instead). A background thread sends them, so a slow, failing or hanging hub never
delays or fails a build: each ping has a short timeout, a failed one is retried with
growing delays and then given up, the queue is bounded (the oldest ping is dropped when
it is full), and what is still queued at shutdown is dropped. The counts go to a small
JSON file beside the build status, which /healthz reports from any web process.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aggregator.config import Config
from aggregator.output.publish import write_atomic
from aggregator.output.render.links import FORMATS, FeedLinks

log = logging.getLogger("aggregator.websub")

PING_TIMEOUT = 5.0  # seconds for one POST, connect and answer together
RETRY_DELAYS = (2.0, 10.0, 60.0)  # before the first, second and third retry; then given up
QUEUE_LIMIT = 1000  # pings waiting at once; past it the oldest is dropped
COUNTERS = ("sent", "failed", "retried", "dropped", "pending")


def counters_path(config: Config) -> Path:
    """The ping counters, beside the build status file."""
    return config.state_path.with_name(config.state_path.name + ".websub.json")


def changed_feed_urls(written: Iterable[str], links: FeedLinks) -> list[str]:
    """The public URLs of the feed files a build wrote (`ai.atom` or `feeds/ai.atom`)."""
    urls = []
    for name in written:
        folder, _, base = name.rpartition("/")
        slug, dot, fmt = base.rpartition(".")
        if dot and slug and fmt in FORMATS and folder in ("", "feeds"):
            urls.append(links.feed(slug, fmt))
    return sorted(set(urls))


def read_counters(config: Config) -> dict[str, Any] | None:
    try:
        data = json.loads(counters_path(config).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def start_pinger(config: Config) -> Pinger | None:
    """A running worker when hubs are configured, else None."""
    return Pinger(config).start() if config.hubs else None


def ping(hub: str, url: str, timeout: float = PING_TIMEOUT) -> None:
    """One publish notification; raises OSError (with the reason) unless the hub says 2xx."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url, "hub.topic": url}).encode()
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "aggregator"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from None
    except (TimeoutError, ValueError) as exc:
        raise OSError(str(exc) or type(exc).__name__) from None


class Pinger:
    """One worker thread sending queued pings; `submit` never blocks on the network."""

    def __init__(
        self,
        config: Config,
        *,
        timeout: float = PING_TIMEOUT,
        delays: tuple[float, ...] = RETRY_DELAYS,
        limit: int = QUEUE_LIMIT,
    ) -> None:
        self.config = config
        self.timeout, self.delays, self.limit = timeout, delays, limit
        self._queue: list[tuple[float, int, str, str, int]] = []  # (due, seq, hub, url, attempt)
        self._queued: set[tuple[str, str]] = set()
        self._seq = 0
        self._busy = 0
        self._wake = threading.Condition()
        self._stopping = False
        self._last_error = ""
        self._thread = threading.Thread(target=self._work, name="websub-pings", daemon=True)
        self._file_lock = threading.Lock()

    def start(self) -> Pinger:
        self._thread.start()
        return self

    def after_build(self, report: Any) -> None:
        """Queue pings for the feed files a build wrote (none when nothing changed)."""
        urls = changed_feed_urls(getattr(report, "written", ()), FeedLinks(self.config.base_url))
        if urls:
            self.submit(urls)

    def submit(self, urls: Iterable[str]) -> int:
        """Queue a ping to every hub for each URL; returns how many were queued."""
        urls = list(urls)
        added = dropped = 0
        with self._wake:
            if self._stopping:
                return 0
            for url in urls:
                for hub in self.config.hubs:
                    if (hub, url) in self._queued:
                        continue  # already waiting: one ping covers both changes
                    if len(self._queue) >= self.limit:
                        _due, _seq, old_hub, old_url, _attempt = heapq.heappop(self._queue)
                        self._queued.discard((old_hub, old_url))
                        dropped += 1
                    self._seq += 1
                    heapq.heappush(self._queue, (time.monotonic(), self._seq, hub, url, 0))
                    self._queued.add((hub, url))
                    added += 1
            self._wake.notify()
        if added:
            log.info("WebSub: pinging %d hub(s) for %d changed feed URL(s)", len(self.config.hubs), len(urls))
        if dropped:
            log.warning("WebSub: queue full; dropped %d older ping(s)", dropped)
        self._count(pending=added - dropped, dropped=dropped)
        return added

    def close(self, wait: float = 0.0) -> None:
        """Stop: wait up to `wait` seconds for the queue to empty, then drop what is left."""
        deadline = time.monotonic() + wait
        with self._wake:
            while (self._queue or self._busy) and time.monotonic() < deadline:
                self._wake.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            left = len(self._queue)
            self._queue.clear()
            self._queued.clear()
            self._stopping = True
            self._wake.notify_all()
        if left:
            why = f" (last failure: {self._last_error})" if self._last_error else ""
            log.warning("WebSub: dropped %d ping(s) still queued at shutdown%s", left, why)
            self._count(pending=-left, dropped=left)

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._wake.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
                if self._stopping:
                    return
                _due, _seq, hub, url, attempt = heapq.heappop(self._queue)
                self._queued.discard((hub, url))
                self._busy += 1
            try:
                self._send(hub, url, attempt)
            finally:
                with self._wake:
                    self._busy -= 1
                    self._wake.notify_all()

    def _send(self, hub: str, url: str, attempt: int) -> None:
        try:
            ping(hub, url, self.timeout)
        except OSError as exc:
            reason = f"{hub} for {url}: {exc}"
            self._last_error = reason
            if attempt < len(self.delays):
                delay = self.delays[attempt]
                log.info("WebSub ping failed (%s); retrying in %gs", reason, delay)
                with self._wake:
                    if not self._stopping and (hub, url) not in self._queued:
                        self._seq += 1
                        heapq.heappush(
                            self._queue, (time.monotonic() + delay, self._seq, hub, url, attempt + 1)
                        )
                        self._queued.add((hub, url))
                        self._count(retried=1, last_error=reason)
                        return
                self._count(pending=-1, dropped=1, last_error=reason)
            else:
                log.warning("WebSub ping given up after %d tries (%s)", attempt + 1, reason)
                self._count(pending=-1, failed=1, last_error=reason)
            return
        log.debug("WebSub ping sent: %s for %s", hub, url)
        self._count(pending=-1, sent=1, last_ping_at=_stamp())

    def _count(self, **changes: Any) -> None:
        """Add to the counters in the shared file (other processes that build add to it too)."""
        if not any(changes.values()):
            return
        with self._file_lock:
            data = read_counters(self.config) or {}
            for key in COUNTERS:
                data[key] = max(0, int(data.get(key, 0)) + int(changes.get(key, 0)))
            for key in ("last_error", "last_ping_at"):
                if changes.get(key):
                    data[key] = changes[key]
            data["hubs"] = list(self.config.hubs)
            with contextlib.suppress(OSError):
                counters_path(self.config).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(counters_path(self.config), (json.dumps(data, indent=2) + "\n").encode())


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
