"""The pages and the folder layout, through `aggregator build`: what a page holds, how
feeds name their stylesheet, and what the publisher removes (and never removes)."""

from __future__ import annotations

import os
from html.parser import HTMLParser

import feedparser
from conftest import Workspace, article, related
from feedcheck import assert_valid


class Outline(HTMLParser):
    """The parts of a page the tests look at: articles' links, details, head links."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[list[str]] = []  # each article's hrefs, in order
        self.in_details = 0
        self.details_links: list[str] = []
        self.head_links: list[dict[str, str]] = []
        self.inputs: list[dict[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.times: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article":
            self.articles.append([])
        elif tag == "a" and self.articles and "href" in a:
            self.articles[-1].append(a["href"])
            if self.in_details:
                self.details_links.append(a["href"])
        elif tag == "details":
            self.in_details += 1
        elif tag == "link":
            self.head_links.append(a)
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "img":
            self.images.append(a)
        elif tag == "time":
            self.times.append(a.get("datetime", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.in_details -= 1


def outline(data: bytes) -> Outline:
    parser = Outline()
    parser.feed(data.decode("utf-8"))
    return parser


def many_outlets(ws: Workspace) -> None:
    others = [
        related(f"Coverage {n} of the eclipse", f"https://o{n}.example/e", provider=f"Outlet {n}")
        for n in range(5)
    ]
    ws.add(
        "eclipse.md",
        article(
            "Eclipse seen across the continent",
            "https://main.example/eclipse",
            topics=["Space", "Science"],
            related=others,
            images=[{"url": "https://img.example/e.jpg", "width": 800, "height": 450}],
        ),
    )
    ws.add("chess.md", article("Grandmaster wins the final game", "https://c.example/1", topics=["Chess"]))


def test_a_topic_page_holds_its_feed_stories_in_order(ws: Workspace) -> None:
    many_outlets(ws)
    for i in range(4):
        ws.add(
            f"s{i}.md", article(f"Probe {i} lands on comet {i}", f"https://s.example/{i}", topics=["Space"])
        )
    ws.build()
    page = outline(ws.read("topics/space/index.html"))
    entries = feedparser.parse(ws.read("feeds/space.atom")).entries
    assert [links[0] for links in page.articles] == [e.link for e in entries]
    eclipse = next(links for links in page.articles if links[0] == "https://main.example/eclipse")
    base = "https://feeds.example.org/"
    # Topics link to their pages; the five other outlets follow, the last two folded away.
    assert sorted(eclipse[1:3]) == [f"{base}topics/science/", f"{base}topics/space/"]
    assert eclipse[3:] == [f"https://o{n}.example/e" for n in range(5)]
    assert page.details_links == ["https://o3.example/e", "https://o4.example/e"]
    assert page.images == [
        {
            "class": "thumb",
            "src": "https://img.example/e.jpg",
            "width": "800",
            "height": "450",
            "loading": "lazy",
            "decoding": "async",
            "alt": "Eclipse seen across the continent",
        }
    ]
    assert all(t.endswith("Z") for t in page.times) and page.times
    alternates = [(link["type"], link["href"]) for link in page.head_links if link.get("rel") == "alternate"]
    assert alternates == [
        ("application/atom+xml", f"{base}feeds/space.atom"),
        ("application/rss+xml", f"{base}feeds/space.rss"),
        ("application/feed+json", f"{base}feeds/space.json"),
    ]
    assert [i["value"] for i in page.inputs] == [href for _type, href in alternates]


def test_the_front_page_shows_the_all_feed_and_every_feed_page(ws: Workspace) -> None:
    many_outlets(ws)
    ws.build()
    front = ws.read("index.html").decode()
    page = outline(ws.read("index.html"))
    entries = feedparser.parse(ws.read("feeds/all.atom")).entries
    assert [links[0] for links in page.articles] == [e.link for e in entries]
    for slug in ("chess", "science", "space"):
        assert f'href="https://feeds.example.org/topics/{slug}/"' in front
    assert 'href="https://feeds.example.org/feeds.opml"' in front
    assert "2 stories" in front and "1 story" in front


def test_feeds_name_their_stylesheet_and_stay_valid(ws: Workspace) -> None:
    many_outlets(ws)
    ws.build()
    for fmt in ("atom", "rss"):
        data = ws.read(f"feeds/space.{fmt}")
        lines = data.split(b"\n")
        assert lines[0].startswith(b"<?xml version=")
        assert lines[1] == b'<?xml-stylesheet type="text/css" href="https://feeds.example.org/feed.css"?>'
        assert_valid(fmt, data)
        assert not feedparser.parse(data).bozo
    assert b"This is a web feed" in ws.read("feed.css")


def test_only_pages_of_changed_feeds_are_rewritten(ws: Workspace) -> None:
    many_outlets(ws)
    ws.build()
    ws.add(
        "chess.md",
        article("Grandmaster wins the final game", "https://c.example/1", topics=["Chess"], excerpt="New."),
    )
    written = set(ws.build()["written"])
    assert "topics/chess/index.html" in written and "index.html" in written
    assert not {"topics/space/index.html", "topics/science/index.html", "assets/site.css"} & written


def test_old_flat_layout_and_stale_pages_go_but_nothing_else(ws: Workspace) -> None:
    many_outlets(ws)
    ws.output.mkdir()
    keep = [
        "notes.txt",
        "feeds/README.md",
        "topics/space/photo.png",
        "topics/Mine/index.html",
        "assets/logo.png",
    ]
    gone = ["space.atom", "space.rss", "all.json", "topics/gone/index.html", "feeds/gone.atom"]
    leftovers = ["feeds/.all.atom.x1.tmp", "topics/space/.index.html.x2.tmp", ".index.html.x3.tmp"]
    for name in keep + gone + leftovers:
        (ws.output / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.output / name).write_bytes(b"old")
    report = ws.build()
    assert set(gone) <= set(report["removed"])
    for name in gone + leftovers:
        assert not (ws.output / name).exists(), name
    assert not (ws.output / "topics/gone").exists()  # an emptied topic folder goes too
    for name in keep:
        assert (ws.output / name).read_bytes() == b"old", name
    assert ws.build()["removed"] == []


def test_a_folder_in_the_old_flat_layout_moves_on_the_first_build(ws: Workspace, monkeypatch) -> None:
    """As a store and folder written before feeds/ existed: feeds at the root, their
    names in the store's record, no pages; the content itself unchanged."""
    import json

    import aggregator.fingerprint
    from aggregator.state.opening import open_store

    many_outlets(ws)
    for path in ws.content.iterdir():  # written long ago: the next scan finds nothing to re-read
        os.utime(path, (path.stat().st_mtime - 60,) * 2)
    monkeypatch.setattr(aggregator.fingerprint, "RENDER_VERSION", "the version before")
    ws.build()
    monkeypatch.undo()
    flat = {}
    for path in sorted((ws.output / "feeds").iterdir()):
        path.rename(ws.output / path.name)
        flat[path.name] = (ws.output / path.name).stat().st_size
    for name in ("topics", "assets"):
        for path in sorted((ws.output / name).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (ws.output / name).rmdir()
    (ws.output / "feed.css").unlink()
    flat |= {n: (ws.output / n).stat().st_size for n in ("index.html", "feeds.opml")}
    with open_store(ws.state) as store, store.transaction():
        store.set_meta("published", json.dumps(flat))
    report = ws.build()
    assert not report.get("nothing_changed")
    assert {name for name in flat if name.endswith((".atom", ".rss", ".json"))} <= set(report["removed"])
    assert (ws.output / "feeds/space.atom").exists() and (ws.output / "topics/space/index.html").exists()
    assert not list(ws.output.glob("*.atom"))
