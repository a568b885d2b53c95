"""Take the README's screenshots: `.venv/bin/python tests/screenshots.py`.

The browser tests' site (without its hostile stories) in Debian's Chromium: the front
page, a topic page on a desktop and on a phone (light and dark), and a feed opened in
the browser. PNGs go to docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from browser_site import REPO, keep_offline, launch_chromium, served_site
from playwright.sync_api import sync_playwright

OUT = REPO / "docs" / "screenshots"
SHOTS = [
    ("front.png", "", {"width": 1200, "height": 820}, "light"),
    ("topic-desktop.png", "topics/ai/", {"width": 1200, "height": 820}, "dark"),
    ("topic-phone.png", "topics/ai/", {"width": 390, "height": 844}, "light"),
    ("feed.png", "feeds/ai.atom", {"width": 1000, "height": 700}, "light"),
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_site(Path(tmp), "Newsroom", hostile=False) as site,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        for name, path, viewport, scheme in SHOTS:
            context = browser.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1)
            keep_offline(context, site)
            page = context.new_page()
            page.goto(site.url + path, wait_until="networkidle")
            page.screenshot(path=str(OUT / name))
            context.close()
            print(OUT / name, (OUT / name).stat().st_size // 1024, "KiB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
