"""Rebuilds within seconds of a change in the content folder, with a 300 s interval."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_serve_e2e import Daemon, Site, article, make_site, request

from aggregator.config import config_from_mapping
from aggregator.serve.watch import ContentWatcher

VISIBLE_WITHIN = 2.0


def slow_site(root: Path) -> Site:
    site = make_site(root, articles=4)
    site.config.write_text(site.config.read_text().replace("interval_seconds: 1", "interval_seconds: 300"))
    return site


def until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until `check()` holds; fails past `timeout`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout}s"
        time.sleep(0.05)
    return time.monotonic() - started


def served(site: Site, text: str) -> bool:
    return text.encode() in request(site.url + "feeds/all.atom").body


@pytest.fixture
def daemon(tmp_path: Path):
    site = slow_site(tmp_path / "site")
    running = Daemon(site)
    running.wait_healthy()
    time.sleep(1.0)  # let the first build's own file reads settle
    yield running
    running.stop()


def test_drop_edit_and_delete_each_reach_the_feed_within_two_seconds(daemon: Daemon) -> None:
    site = daemon.site
    site.write_article("drop.md", article("drop", "Walrus orbits tangerine lighthouse"))
    until(lambda: served(site, "Walrus orbits tangerine lighthouse"), VISIBLE_WITHIN)

    site.write_article("drop.md", article("drop", "Walrus paints vermilion lighthouse"))
    until(lambda: served(site, "Walrus paints vermilion lighthouse"), VISIBLE_WITHIN)
    assert not served(site, "Walrus orbits tangerine lighthouse")

    (site.content / "drop.md").unlink()
    until(lambda: not served(site, "Walrus paints vermilion lighthouse"), VISIBLE_WITHIN)
    # The watcher told each build the file it saw change: no walk of the folder.
    assert daemon.log().count("build: 1 named file scanned") >= 2, daemon.log()


def test_a_replaced_content_folder_is_watched_again(daemon: Daemon) -> None:
    site = daemon.site
    fresh = site.root / "content.new"
    fresh.mkdir()
    for path in site.content.iterdir():
        (fresh / path.name).write_bytes(path.read_bytes())
    (fresh / "swap.md").write_text(article("swap", "Quokka juggles saffron meteor"), encoding="utf-8")
    os.rename(site.content, site.root / "content.old")
    os.rename(fresh, site.content)  # as a deploy or a checkout of a new tree does
    until(lambda: served(site, "Quokka juggles saffron meteor"), VISIBLE_WITHIN + 1)
    site.write_article("after.md", article("after", "Narwhal sketches cobalt glacier"))
    until(lambda: served(site, "Narwhal sketches cobalt glacier"), VISIBLE_WITHIN)


def test_no_watch_leaves_it_to_the_interval(tmp_path: Path) -> None:
    site = slow_site(tmp_path / "site")
    running = Daemon(site, "--no-watch")
    try:
        running.wait_healthy()
        site.write_article("drop.md", article("drop", "Walrus orbits tangerine lighthouse"))
        time.sleep(VISIBLE_WITHIN + 1)
        assert not served(site, "Walrus orbits tangerine lighthouse")
        assert "watching" not in running.log()
    finally:
        running.stop()


def test_a_burst_of_500_files_makes_at_most_a_few_builds(tmp_path: Path) -> None:
    builds: list[float] = []
    watcher = ContentWatcher(tmp_path, ["*.md"], lambda named: builds.append(time.monotonic()))
    assert watcher.start()
    try:
        for i in range(500):
            (tmp_path / f"burst-{i:03d}.md").write_text(article(f"b{i}", f"Burst {i}"), encoding="utf-8")
        until(lambda: len(builds) >= 1, 5)
        time.sleep(2)
        assert 1 <= len(builds) <= 3
    finally:
        watcher.stop()


def test_reading_files_and_other_names_do_not_rebuild(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    builds: list[float] = []
    watcher = ContentWatcher(tmp_path, ["*.md"], lambda named: builds.append(time.monotonic()))
    assert watcher.start()
    try:
        time.sleep(0.3)
        (tmp_path / "a.md").read_text()  # a build reads every file: that is no change
        (tmp_path / ".a.md.swp").write_text("editor noise")
        time.sleep(1.5)
        assert builds == []
        (tmp_path / "b.md").write_text("y")
        until(lambda: len(builds) == 1, 3)
    finally:
        watcher.stop()


def test_without_inotify_it_falls_back_to_the_interval_with_a_log_line(tmp_path: Path, caplog) -> None:
    class Exhausted:
        def schedule(self, *args: object, **kwargs: object) -> None:
            pass

        def start(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    watcher = ContentWatcher(tmp_path, ["*.md"], lambda named: None, observer_factory=Exhausted)
    with caplog.at_level(logging.WARNING, logger="aggregator.watch"):
        assert watcher.start() is False
    assert "rebuilding on the interval only" in caplog.text
    assert "inotify watch limit reached" in caplog.text
    watcher.stop()


def test_a_change_during_a_build_gets_a_build_of_its_own(tmp_path: Path) -> None:
    """The job that the watcher and the interval share runs once more when asked mid-build."""
    from aggregator.serve.scheduler import RebuildJob

    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    class Report:
        skipped = warnings = written = ()

        def summary_line(self) -> str:
            return "built"

    def build(config, lock_timeout, progress=None, changed=None):
        calls.append(1)
        if len(calls) == 1:
            started.set()
            release.wait(5)
        return Report()

    job = RebuildJob(config_from_mapping({}), build)
    first = threading.Thread(target=job)
    first.start()
    started.wait(5)
    job()  # arrives while the first build runs: returns at once
    release.set()
    first.join(5)
    assert len(calls) == 2


def test_watch_setting(tmp_path: Path) -> None:
    assert config_from_mapping({}).watch is True
    assert config_from_mapping({"schedule": {"watch": False}}).watch is False
    with pytest.raises(ValueError, match=r"schedule\.watch: must be true or false"):
        config_from_mapping({"schedule": {"watch": "sometimes"}})
