"""Site icon and logo in every format and page, /favicon.ico, and the RSS ttl."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from conftest import Workspace, article
from feedcheck import assert_valid
from lxml import etree

from aggregator.config import load_config
from aggregator.serve.web import create_app

BASE = "https://feeds.example.org/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def channel(ws: Workspace, slug: str = "ai") -> etree._Element:
    return etree.fromstring(ws.read(f"{slug}.rss")).find("channel")


@pytest.fixture
def pictured(ws: Workspace) -> Workspace:
    (ws.root / "icon.png").write_bytes(PNG)
    ws.write_config({"site": {"icon": "icon.png", "logo": "https://cdn.example.net/logo.png"}})
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    return ws


def test_icon_file_and_logo_url_reach_every_format(pictured: Workspace) -> None:
    ws = pictured
    assert ws.read("icon.png") == PNG  # copied beside the feeds
    atom = feedparser.parse(ws.read("ai.atom")).feed
    assert atom.icon == BASE + "icon.png"
    assert atom.logo == "https://cdn.example.net/logo.png"
    image = channel(ws).find("image")
    assert image.findtext("url") == "https://cdn.example.net/logo.png"
    assert image.findtext("title") == channel(ws).findtext("title")
    assert image.findtext("link") == channel(ws).findtext("link") == BASE
    document = json.loads(ws.read("ai.json"))
    assert (document["icon"], document["favicon"]) == ("https://cdn.example.net/logo.png", BASE + "icon.png")
    assert f'<link rel="icon" href="{BASE}icon.png" type="image/png">' in ws.read("index.html").decode()
    for fmt in ("atom", "rss", "json"):
        assert_valid(fmt, ws.read(f"ai.{fmt}"))


def test_favicon_and_icon_are_served(pictured: Workspace) -> None:
    client = create_app(load_config(pictured.config)).test_client()
    for path in ("/favicon.ico", "/icon.png"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.data == PNG and response.mimetype == "image/png"
        assert response.headers["ETag"]
    assert client.get("/logo.png").status_code == 404  # the logo is a URL, not a file of ours


def test_favicon_is_404_without_an_icon_and_redirects_to_an_icon_url(ws: Workspace) -> None:
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    assert create_app(load_config(ws.config)).test_client().get("/favicon.ico").status_code == 404
    ws.write_config({"site": {"icon": "https://cdn.example.net/favicon.ico"}})
    response = create_app(load_config(ws.config)).test_client().get("/favicon.ico")
    assert (
        response.status_code == 302 and response.headers["Location"] == "https://cdn.example.net/favicon.ico"
    )


def test_only_the_icon_makes_the_rss_image(ws: Workspace) -> None:
    ws.write_config({"site": {"icon": "https://cdn.example.net/icon.png"}})
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    assert channel(ws).find("image").findtext("url") == "https://cdn.example.net/icon.png"
    assert feedparser.parse(ws.read("ai.atom")).feed.icon == "https://cdn.example.net/icon.png"
    assert "logo" not in feedparser.parse(ws.read("ai.atom")).feed
    assert_valid("rss", ws.read("ai.rss"))


def test_a_replaced_icon_file_is_published_again(pictured: Workspace) -> None:
    (pictured.root / "icon.png").write_bytes(PNG + b"v2")
    pictured.build()
    assert pictured.read("icon.png") == PNG + b"v2"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("missing.png", "site.icon: file not found"),
        ("notes.txt", "site.icon: must be an image file"),
        ("javascript:alert(1)", "site.icon: must be an absolute http(s) URL or an image file"),
    ],
)
def test_bad_icons_are_config_errors(ws: Workspace, value: str, reason: str) -> None:
    (ws.root / "notes.txt").write_text("x")
    ws.write_config({"site": {"icon": value}})
    assert reason in ws.cli("build", expect=2).output


@pytest.mark.parametrize(("interval", "ttl"), [(300, "5"), (90, "2"), (20, "1")])
def test_rss_ttl_is_the_interval_in_minutes(ws: Workspace, interval: int, ttl: str) -> None:
    ws.write_config({"schedule": {"interval_seconds": interval}})
    ws.add("a.md", article("Robots learn to fold laundry"))
    ws.build()
    assert channel(ws).findtext("ttl") == ttl
    assert_valid("rss", ws.read("ai.rss"))


def test_icon_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "site.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "conf" / "aggregator.yaml").write_text("site:\n  icon: site.svg\n")
    assert load_config(tmp_path / "conf" / "aggregator.yaml").site_icon == str(tmp_path / "conf" / "site.svg")
