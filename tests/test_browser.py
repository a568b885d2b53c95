"""The pages and feeds in a real browser: Debian's Chromium driven by Playwright, over
HTTP on loopback from `aggregator serve`.

What a reader sees is checked where a reader sees it: the stories in the feed's order,
no script error under the real Content-Security-Policy, hostile content that stays text
even with that policy switched off, axe-core's accessibility rules, and no sideways
scrolling on a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import feedparser
import pytest
from browser_site import AXE, HOSTILE, Served, keep_offline, launch_chromium, served_site

sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")

PAGES = ["", "topics/ai/", "topics/hostile/", "topics/top-picks/"]
# A function every hostile payload calls; installed before any script of the page runs.
TRAP = "window.__hits = []; window.__pwned = (n) => window.__hits.push(n);"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_site(tmp_path_factory.mktemp("browser")) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_page(browser: Any, site: Served, path: str, **options: Any) -> tuple[Any, Any, list[str]]:
    """A fresh context and page at `path`; the list collects console errors, page errors
    and dialogs (a dialog means a payload ran)."""
    context = browser.new_context(**options)
    keep_offline(context, site)
    context.add_init_script(TRAP)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def dialog(d: Any) -> None:
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    response = page.goto(site.url + path, wait_until="load")
    assert response is not None and response.status == 200, path
    return context, page, problems


def feed_links(site: Served, slug: str) -> list[str]:
    parsed = feedparser.parse(site.get(f"feeds/{slug}.atom"))
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.link for entry in parsed.entries]


@pytest.mark.parametrize(
    ("path", "slug"), [("", "all"), ("topics/ai/", "ai"), ("topics/hostile/", "hostile")]
)
def test_article_links_are_the_feed_entry_links_in_order(browser, site, path, slug):
    context, page, problems = open_page(browser, site, path)
    shown = page.eval_on_selector_all(
        "main article", "els => els.map(e => e.querySelector('a[href]').getAttribute('href'))"
    )
    assert shown == feed_links(site, slug) and shown
    assert problems == []
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_script_errors_under_the_real_policy(browser, site, path):
    context, page, problems = open_page(browser, site, path)
    page.wait_for_load_state("networkidle")
    assert problems == []  # a CSP violation would be a console error too
    # The script ran: copy buttons are offered where the clipboard is available.
    assert page.locator("button.copy:visible").count() == 3
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_hostile_content_never_runs_even_without_the_policy(browser, site, path):
    context, page, problems = open_page(browser, site, path, bypass_csp=True)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__hits") == []
    assert problems == []
    for link in page.locator("a").all():  # a javascript: link would run when followed
        assert not (link.get_attribute("href") or "").lower().strip().startswith("javascript:")
    if path == "topics/hostile/":
        text = page.locator("main").inner_text()
        assert "<script>window.__pwned(1)</script>" in text  # shown as the words they are
        assert page.locator("main article").count() == len(HOSTILE)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, site, path, scheme):
    assert AXE.exists(), "run `npm ci --prefix tests` (make test does)"
    context, page, _problems = open_page(browser, site, path, bypass_csp=True, color_scheme=scheme)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
    context.close()


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("path", PAGES)
def test_no_sideways_scroll_on_a_phone(browser, site, path, width):
    context, page, _problems = open_page(browser, site, path, viewport={"width": width, "height": 844})
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    context.close()


def test_pages_work_without_javascript(browser, site):
    context, page, problems = open_page(browser, site, "topics/ai/", java_script_enabled=False)
    assert page.locator("main article").count() == len(feed_links(site, "ai"))
    assert page.locator("button.copy:visible").count() == 0  # nothing that would not work
    assert page.input_value("#feed-atom") == site.url + "feeds/ai.atom"
    assert problems == []
    context.close()


def test_keyboard_focus_is_visible(browser, site):
    context, page, _problems = open_page(browser, site, "")
    page.keyboard.press("Tab")  # the skip link first
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.textContent, s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused[0] == "Skip to the stories" and focused[1] != "none" and focused[2] != "0px"
    context.close()


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_feed_opened_in_the_browser_is_readable(browser, site, fmt):
    context, page, problems = open_page(browser, site, f"feeds/ai.{fmt}")
    root = "feed" if fmt == "atom" else "rss"
    note = page.evaluate(f"getComputedStyle(document.querySelector('{root}'), '::before').content")
    assert "This is a web feed: copy its address into your feed reader" in note
    entry = "entry" if fmt == "atom" else "item"
    summary = "summary" if fmt == "atom" else "description"
    titles = page.eval_on_selector_all(
        f"{entry} > title", "els => els.filter(e => e.getBoundingClientRect().height > 0).length"
    )
    assert titles == len(feed_links(site, "ai")) > 0
    shown = page.eval_on_selector_all(
        f"{entry} > {summary}", "els => els.filter(e => e.getBoundingClientRect().height > 0).length"
    )
    assert shown == titles
    hidden = page.eval_on_selector_all(
        f"{entry} > *", "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.localName)"
    )
    assert sorted(set(hidden)) == sorted({"title", summary})  # the rest is hidden
    assert problems == []
    context.close()
