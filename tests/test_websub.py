"""WebSub: hubs advertised in every format and header, and pinged for exactly what changed."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from conftest import Workspace, article
from feedcheck import assert_valid
from hub import Hub
from test_serve_e2e import Daemon, free_port, make_site, request

from aggregator.config import load_config
from aggregator.serve import websub
from aggregator.serve.web import create_app

FORMATS = ("atom", "rss", "json")
BASE = "https://feeds.example.org/"


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub()
    yield running
    running.close()


def feed_urls(*slugs: str) -> list[str]:
    return sorted(f"{BASE}feeds/{slug}.{fmt}" for slug in slugs for fmt in FORMATS)


def with_hubs(ws: Workspace, *hubs: str) -> None:
    ws.write_config({"websub": {"hubs": list(hubs)}})


def test_pings_exactly_the_changed_feeds_and_none_after_no_change(ws: Workspace, hub: Hub) -> None:
    with_hubs(ws, hub.url)
    ws.add("a.md", article("Robots learn to fold laundry", "https://example.com/a", topics=["AI"]))
    ws.add("b.md", article("Telescope spots a distant comet", "https://example.com/b", topics=["Space"]))
    ws.build()
    assert hub.urls() == feed_urls("ai", "all", "space")
    for ping in hub.pings:
        assert ping["hub.mode"] == ["publish"]
        assert ping["hub.topic"] == ping["hub.url"]
    assert set(hub.content_types) == {"application/x-www-form-urlencoded"}

    hub.pings.clear()
    report = ws.build()
    assert report["written"] == [] and hub.pings == []

    ws.add("b.md", article("Telescope spots a brighter comet", "https://example.com/b", topics=["Space"]))
    report = ws.build()
    assert hub.urls() == feed_urls("all", "space")  # not ai: its feeds were not written
    assert hub.urls() == websub.changed_feed_urls(report["written"], websub.FeedLinks(BASE))


def test_every_hub_gets_every_changed_url(ws: Workspace, hub: Hub) -> None:
    second = Hub()
    try:
        with_hubs(ws, hub.url, second.url)
        ws.add("a.md", article("Robots learn to fold laundry", topics=["AI"]))
        ws.build()
        assert hub.urls() == second.urls() == feed_urls("ai", "all")
    finally:
        second.close()


def test_a_hub_that_is_down_neither_fails_nor_holds_up_the_build(ws: Workspace, monkeypatch) -> None:
    monkeypatch.setattr("aggregator.cli.building.BUILD_PING_SECONDS", 1.0)
    with_hubs(ws, f"http://127.0.0.1:{free_port()}/hub")  # nothing listens there
    ws.add("a.md", article("Robots learn to fold laundry"))
    started = time.monotonic()
    report = ws.build()
    assert time.monotonic() - started < 10
    assert report["written"]
    counters = json.loads(Path(str(ws.state) + ".websub.json").read_text())
    assert counters["sent"] == 0 and counters["pending"] == 0
    assert counters["dropped"] + counters["failed"] == len(feed_urls("ai", "all"))
    assert "127.0.0.1" in counters["last_error"]


def test_failed_pings_are_retried_with_backoff(tmp_path: Path) -> None:
    flaky = Hub("fail", failures=2)
    try:
        config = load_config(None).with_overrides(state_setting=tmp_path / "s.sqlite3", hubs=(flaky.url,))
        pinger = websub.Pinger(config, delays=(0.2, 0.4, 0.8)).start()
        started = time.monotonic()
        pinger.submit([BASE + "feeds/ai.atom"])
        pinger.close(wait=5)  # until the queue is empty and nothing is in flight
        assert flaky.urls() == [BASE + "feeds/ai.atom"]
        assert time.monotonic() - started >= 0.6  # waited 0.2 s, then 0.4 s
        counters = websub.read_counters(config)
        assert counters is not None
        assert (counters["sent"], counters["retried"], counters["pending"]) == (1, 2, 0)
    finally:
        flaky.close()


def test_the_queue_is_bounded(tmp_path: Path) -> None:
    config = load_config(None).with_overrides(
        state_setting=tmp_path / "s.sqlite3", hubs=("http://127.0.0.1:9/",)
    )
    pinger = websub.Pinger(config, limit=3)  # not started: nothing is sent
    assert pinger.submit([f"{BASE}feeds/t{i}.atom" for i in range(5)]) == 5
    assert pinger.submit([f"{BASE}feeds/t4.atom"]) == 0  # already queued: one ping covers both
    pinger.close()
    counters = websub.read_counters(config)
    assert counters is not None and counters["dropped"] == 5 and counters["pending"] == 0


def test_feeds_advertise_the_hubs_and_stay_valid(ws: Workspace) -> None:
    hubs = ["https://hub.example.net/", "https://push.example.com/publish"]
    ws.write_config({"websub": {"hubs": hubs}, "site": {"base_url": BASE}})
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    for fmt in ("atom", "rss"):
        data = ws.read(f"ai.{fmt}")
        assert_valid(fmt, data)
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        links = {(link["rel"], link["href"]) for link in parsed.feed.links}
        assert {("hub", h) for h in hubs} | {("self", f"{BASE}feeds/ai.{fmt}")} <= links
    data = ws.read("ai.json")
    assert_valid("json", data)
    assert json.loads(data)["hubs"] == [{"type": "WebSub", "url": h} for h in hubs]


def test_feed_responses_carry_the_link_header(ws: Workspace) -> None:
    ws.write_config({"websub": {"hubs": ["https://hub.example.net/"]}})
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    client = create_app(load_config(ws.config)).test_client()
    for fmt in FORMATS:
        response = client.get(f"/feeds/ai.{fmt}")
        assert response.headers["Link"] == (
            f'<https://hub.example.net/>; rel="hub", <{BASE}feeds/ai.{fmt}>; rel="self"'
        )
    assert "Link" not in client.get("/").headers
    ws.write_config({})
    assert "Link" not in create_app(load_config(ws.config)).test_client().get("/feeds/ai.atom").headers


def test_hub_urls_are_checked(ws: Workspace) -> None:
    ws.write_config({"websub": {"hubs": ["ftp://hub.example.net/"]}})
    result = ws.cli("build", expect=2)
    assert "websub.hubs[0]: must be an absolute http(s) URL" in result.output


def test_a_hanging_hub_holds_up_neither_builds_nor_shutdown(tmp_path: Path) -> None:
    hanging = Hub("hang")
    site = make_site(tmp_path / "site", articles=4)
    site.config.write_text(
        site.config.read_text().replace("interval_seconds: 1", "interval_seconds: 300")
        + f"websub:\n  hubs: [{hanging.url}]\n"
    )
    daemon = Daemon(site)
    try:
        daemon.wait_healthy()
        site.write_article("new.md", site_article("fresh-one", "Fresh headline zebra quokka"))
        deadline = time.monotonic() + 10
        while b"Fresh headline zebra quokka" not in request(site.url + "feeds/all.atom").body:
            assert time.monotonic() < deadline, daemon.log()
            time.sleep(0.1)
        health = json.loads(request(site.url + "healthz").body)
        assert health["status"] == "ok"
        assert health["websub"]["hubs"] == [hanging.url]
        started = time.monotonic()
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(15) == 0
        assert time.monotonic() - started < 10
    finally:
        daemon.stop()
        hanging.close()


def site_article(slug: str, title: str) -> str:
    from test_serve_e2e import article as e2e_article

    return e2e_article(slug, title)
