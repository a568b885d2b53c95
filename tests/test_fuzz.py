"""Property-based: arbitrary front matter never crashes the parser, the renderers or the
build, and every feed written parses and passes the strict checker."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import feedparser
import yaml
from feedcheck import assert_valid
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregator.build import build_once
from aggregator.config import Config
from aggregator.ingest.frontmatter import ArticleError
from aggregator.ingest.normalise import article_from_metadata, as_of, parse_article
from aggregator.output.render.jsonfeed import render_json
from aggregator.output.render.links import FeedLinks
from aggregator.output.render.site import render_index, render_opml
from aggregator.output.render.xmlfeeds import render_atom, render_rss
from aggregator.selection.catalog import build_catalog
from aggregator.stories.clustering import cluster_articles
from aggregator.stories.identity import assign_ids

NOW = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
KIND = {".atom": "atom", ".rss": "rss", ".json": "json", ".opml": "opml"}

# Text as hostile as Python strings get: controls, surrogates, non-characters, markup.
nasty_text = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(
            [
                "<",
                ">",
                "&",
                '"',
                "'",
                "\x00",
                "\x07",
                "\x1b",
                "\x85",
                "\ud800",
                "\udfff",
                "\ufffe",
                "\uffff",
                "javascript:",
                "<script>",
                "onerror=",
                "&#0;",
                "]]>",
                " ",
            ]
        ),
    ),
    max_size=30,
).map("".join)
urls = st.one_of(
    st.builds(
        lambda host, path: f"https://{host}.example/{path}",
        st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        nasty_text,
    ),
    nasty_text,
    st.sampled_from(
        [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://localhost/x",
            "https://[::1]/x",
            "https://a.b/" + "x" * 3000,
            "//evil.example/x",
        ]
    ),
)
dates = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1980, 1, 1),
        max_value=dt.datetime(2210, 1, 1),
        timezones=st.one_of(st.none(), st.timezones()),
    ),
    st.dates(),
    st.sampled_from(["2024-02-30", "yesterday", "2024-05-01T10:00:00+14:00", ""]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), nasty_text, dates)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)
related = st.fixed_dictionaries(
    {"title": st.one_of(nasty_text, anything), "webUrl": urls},
    optional={
        "excerpt": anything,
        "publishedDateTime": dates,
        "provider": anything,
        "quality": anything,
        "images": anything,
    },
)
front_matter = st.fixed_dictionaries(
    {"title": st.one_of(nasty_text, anything), "webUrl": urls, "publishedDateTime": dates},
    optional={
        "excerpt": st.one_of(nasty_text, anything),
        "updatedDateTime": dates,
        "category": anything,
        "type": anything,
        "quality": anything,
        "heat": anything,
        "published": anything,
        "provider": st.one_of(anything, st.fixed_dictionaries({"name": nasty_text, "domain": nasty_text})),
        "topics": st.one_of(anything, st.lists(nasty_text, max_size=5)),
        "images": st.one_of(
            anything,
            st.lists(
                st.fixed_dictionaries({"url": urls}, optional={"width": anything, "height": anything}),
                max_size=3,
            ),
        ),
        "related": st.one_of(anything, st.lists(related, max_size=4)),
        "secured": anything,
    },
)


def assert_feed_bytes_valid(name: str, data: bytes) -> None:
    suffix = name[name.rfind(".") :]
    if suffix in KIND:
        assert_valid(KIND[suffix], data)
    if suffix in (".atom", ".rss"):
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (name, parsed.bozo_exception)
    if suffix == ".json":
        json.loads(data)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400))
def test_parser_takes_any_bytes(data: bytes) -> None:
    for candidate in (data, b"---\n" + data + b"\n---\n"):
        with contextlib.suppress(ArticleError):
            parse_article("fuzz.md", candidate)


yaml_ish = st.text(alphabet=st.sampled_from(list("-?:[]{}&*!|>'\"#%@,\n \tab1")), max_size=120)


@settings(max_examples=400, deadline=None)
@given(yaml_ish)
def test_parser_takes_any_yaml_shaped_text(text: str) -> None:
    header = "---\ntitle: t\nwebUrl: https://a.example/\npublishedDateTime: 2024-01-01\n"
    with contextlib.suppress(ArticleError):
        parse_article("fuzz.md", (header + text + "\n---\n").encode())


BASE = {"title": "t", "webUrl": "https://a.example/", "publishedDateTime": dt.datetime(2024, 1, 1)}


@settings(max_examples=150, deadline=None)
@given(st.lists(front_matter, min_size=1, max_size=4))
# What this test found once: `quality: .inf` (OverflowError), an image URL with an
# unpaired surrogate (UnicodeEncodeError), an outlet without a public host name.
@example([{**BASE, "quality": float("inf"), "heat": float("-inf")}])
@example([{**BASE, "images": [{"url": "https://a.example/\ud800"}], "webUrl": "https://b.example/\udfff"}])
@example([{**BASE, "provider": {"name": "x", "domain": "localhost"}, "webUrl": "http://[::1]/x"}])
@example([{**BASE, "webUrl": "http://localhost/x", "images": [{"url": "https://intranet/p.png"}]}])
@example([{**BASE, "title": "&#0;", "excerpt": "a&#xD800;b"}])  # entities that decode to U+FFFD
def test_renderers_take_any_fields(metas: list[dict[str, Any]]) -> None:
    """Straight into the model (so even unpaired surrogates, which no YAML file can
    carry, reach it), then every renderer."""
    config = Config(base_url="https://feeds.example.org/")
    now = dt.datetime.now(dt.UTC)
    articles = []
    for i, meta in enumerate(metas):
        try:
            article = article_from_metadata(f"f{i}.md", meta).article
        except ArticleError:
            continue
        shown, _due = as_of(article, now)  # as the build does: nothing dated in the future
        if shown is not None and not shown.draft:
            articles.append(shown)
    stories, _records = assign_ids(cluster_articles(articles, config.stories), {}, {}, now)
    feeds = build_catalog(stories, config)
    links = FeedLinks(config.base_url)
    for feed in feeds:
        for render, ext in ((render_atom, "atom"), (render_rss, "rss"), (render_json, "json")):
            assert_feed_bytes_valid(f"{feed.slug}.{ext}", render(feed, links, "Site", "en", NOW))
    infos = [feed.info for feed in feeds]
    assert_feed_bytes_valid("feeds.opml", render_opml(infos, links, "Site", NOW))
    page = render_index(infos, links, "Site", "Description", "en", NOW).decode()
    assert "<script" not in page.lower()


def write_yaml(folder: Path, name: str, meta: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return  # nothing a content file could hold
    (folder / name).write_text("---\n" + text + "---\n", encoding="utf-8", errors="surrogatepass")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(front_matter, min_size=1, max_size=4), st.lists(front_matter, max_size=2))
# Found once: a folder with no valid article dated its empty feeds 1970 (implausible).
@example([{"title": "", "webUrl": "javascript:alert(1)", "publishedDateTime": "2024-02-30"}], [])
def test_builds_take_any_front_matter(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> None:
    """Files written as an editor's tool would write them, built twice (the second time
    incrementally, with some files changed): no crash, every output valid."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = root / "content"
        content.mkdir()
        config = Config(
            base_url="https://feeds.example.org/",
            content_dir=content,
            output_dir=root / "out",
            state_setting=root / "state" / "s.sqlite3",
        )
        for i, meta in enumerate(first):
            write_yaml(content, f"a{i}.md", meta)
        build_once(config)
        for i, meta in enumerate(second):
            write_yaml(content, f"a{i}.md", meta)
        build_once(config)
        for path in sorted((root / "out").iterdir()):
            assert_feed_bytes_valid(path.name, path.read_bytes())
