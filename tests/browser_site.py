"""A site for the browser tests and the screenshots: hostile and ordinary stories,
built by the CLI and served by `aggregator serve` on a free loopback port, and
Debian's Chromium driven by Playwright.

Nothing leaves the machine: every request that is not for the site is answered by a
route handler (outlets' images get a generated SVG; anything else is refused).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
IMAGE_HOST = "img.example"

# Markup that would run if a page let it through. Each calls window.__pwned(n); the
# tests install that function (and a dialog handler) before any page script runs.
HOSTILE = [
    "&lt;script&gt;window.__pwned(1)&lt;/script&gt; Council votes on the budget",
    '&lt;img src=x onerror="window.__pwned(2)"&gt; Storm closes the harbour',
    "&lt;svg onload=window.__pwned(3)&gt; Rail strike called off",
    '"&gt;&lt;svg/onload=alert(4)&gt; Museum reopens after repairs',
    "&lt;a href=&quot;javascript:window.__pwned(5)&quot;&gt;Click&lt;/a&gt; Port expands",
]

ORDINARY = [
    ("Open model tops reasoning benchmark", ["AI"], "Northern Ledger"),
    ("Robot hands learn to fold laundry from video", ["Robotics", "AI"], "The Daily Circuit"),
    ("Glacier retreat doubles in a decade, survey finds", ["Climate"], "Field & Stream Weekly"),
    ("Lunar lander sends first panorama", ["Space"], "Orbit Times"),
    ("Heat pumps outsell gas boilers for the first time", ["Climate", "Energy"], "Grid Report"),
    ("Chip makers race to build smaller transistors", ["AI", "Hardware"], "Silicon Herald"),
    ("City trials self-driving buses on night routes", ["Robotics", "Transport"], "Metro Post"),
    ("Solar farm on reservoir powers twenty thousand homes", ["Energy"], "Grid Report"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def svg_image(seed: str) -> bytes:
    """A small gradient picture, different per URL, for outlets' images."""
    hue = sum(seed.encode()) * 37 % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},60%,55%)"/>'
        f'<stop offset="1" stop-color="hsl({(hue + 60) % 360},65%,35%)"/></linearGradient></defs>'
        '<rect width="640" height="360" fill="url(#g)"/>'
        '<circle cx="470" cy="120" r="70" fill="rgba(255,255,255,.25)"/></svg>'
    ).encode()


def _front_matter(data: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n"


def write_corpus(content: Path, hostile: bool = True) -> None:
    """Ordinary stories with images and coverage, then hostile ones in every text field."""
    content.mkdir(parents=True, exist_ok=True)
    outlets = ["Harbour Gazette", "Evening Wire", "Plain Dealer Online", "Bay News", "Coast Courier"]
    for i, (title, topics, outlet) in enumerate(ORDINARY):
        domain = outlet.lower().replace(" & ", "-").replace(" ", "-") + ".example"
        others = 1 + i % 5  # some stories with more than three other outlets
        related = [
            {
                "title": f"{title} ({outlets[j]})",
                "webUrl": f"https://{outlets[j].lower().replace(' ', '')}.example/{i}",
                "publishedDateTime": f"2024-05-{10 + i:02d}T{8 + j:02d}:30:00Z",
                "provider": {"name": outlets[j], "domain": f"{outlets[j].lower().replace(' ', '')}.example"},
            }
            for j in range(others)
        ]
        data: dict[str, Any] = {
            "title": title,
            "webUrl": f"https://{domain}/2024/05/story-{i}",
            "publishedDateTime": f"2024-05-{10 + i:02d}T07:00:00Z",
            "excerpt": f"{title}. What happened, who is affected and what comes next, in two sentences "
            "that a reader can take in at a glance.",
            "provider": {"name": outlet, "domain": domain},
            "topics": topics,
            "quality": 80,
            "related": related,
        }
        if i % 3 != 2:  # some stories have no image
            size = {"width": 1200, "height": 675} if i % 2 == 0 else {}
            data["images"] = [{"url": f"https://{IMAGE_HOST}/{i}.jpg", **size}]
        (content / f"story-{i:02d}.md").write_text(_front_matter(data), encoding="utf-8")
    for i, text in enumerate(HOSTILE if hostile else []):
        data = {
            "title": text,
            "webUrl": f"https://hostile.example/{i}",
            "publishedDateTime": f"2024-04-{10 + i:02d}T09:00:00Z",
            "excerpt": text,
            "provider": {"name": text, "domain": "hostile.example"},
            "topics": [text, "Hostile"],
            "images": [{"url": "javascript:window.__pwned(6)"}, {"url": f"https://{IMAGE_HOST}/h{i}.png"}],
            "related": [
                {"title": text, "webUrl": "javascript:window.__pwned(7)"},
                {
                    "title": text,
                    "webUrl": f"https://other.example/h{i}",
                    "publishedDateTime": f"2024-04-{10 + i:02d}T10:00:00Z",
                    "provider": {"name": text, "domain": "other.example"},
                },
            ],
        }
        (content / f"hostile-{i}.md").write_text(_front_matter(data), encoding="utf-8")


@dataclass
class Served:
    root: Path
    port: int
    output: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("AGGREGATOR_CONFIG", None)
    return env


@contextmanager
def served_site(root: Path, title: str = "Topic feeds", hostile: bool = True) -> Iterator[Served]:
    """The corpus built with `aggregator build`, then `aggregator serve --no-scheduler`."""
    port = free_port()
    content, output = root / "content", root / "site"
    write_corpus(content, hostile)
    config = root / "aggregator.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "site": {"base_url": f"http://127.0.0.1:{port}/", "title": title},
                "content": {"dir": str(content)},
                "output": {"dir": str(output)},
                "state": {"path": str(root / "state" / "aggregator.sqlite3")},
                "feeds": {
                    "extra": [{"slug": "top-picks", "title": "Top picks", "min_quality": 70}],
                },
            }
        ),
        encoding="utf-8",
    )
    cli = [sys.executable, "-m", "aggregator.cli"]
    subprocess.run([*cli, "build", "--config", str(config)], check=True, env=_env(), capture_output=True)
    server = subprocess.Popen(
        [*cli, "serve", "--config", str(config), "--port", str(port), "--no-scheduler"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = Served(root, port, output)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                site.get("")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("aggregator serve did not come up") from None
                time.sleep(0.1)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium (Playwright's own browser download does not work here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def keep_offline(context: Any, site: Served) -> None:
    """Requests for the site go to it; outlets' images get a picture; the rest is refused."""

    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(site.url):
            route.continue_()
        elif url.startswith(f"https://{IMAGE_HOST}/"):
            route.fulfill(status=200, content_type="image/svg+xml", body=svg_image(url))
        else:
            route.abort()

    context.route("**/*", handle)
