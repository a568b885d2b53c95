"""Every content rule and every kind of bad input, through the build and the library."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import Workspace, article, front_matter, own_script_removed
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.ingest.frontmatter import ArticleError
from aggregator.ingest.normalise import parse_article

UTC = dt.UTC


def skipped(report: dict) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["skipped"]}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("invalid-yaml.md", "---\ntitle: [unclosed\n---\n", "invalid YAML"),
        ("no-front-matter.md", "# Just markdown\n\nSome text.\n", "no front matter"),
        ("unclosed.md", "---\ntitle: x\n", "not closed"),
        ("empty.md", "", "empty file"),
        ("blank.md", "\n\n   \n", "empty file"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.md", "---\ntitle: caf\xe9\n---\n".encode("latin-1"), "not UTF-8"),
        ("list.md", "---\n- a\n- b\n---\n", "must be a mapping"),
        ("no-title.md", front_matter({k: v for k, v in article().items() if k != "title"}), "'title'"),
        ("no-link.md", front_matter({k: v for k, v in article().items() if k != "webUrl"}), "'webUrl'"),
        (
            "no-date.md",
            front_matter({k: v for k, v in article().items() if k != "publishedDateTime"}),
            "'publishedDateTime'",
        ),
        ("bad-date.md", front_matter(article(date="yesterday")), "not an ISO 8601 date"),
        ("title-list.md", front_matter(article(title=["a", "b"])), "'title' must be text"),
        ("js-link.md", front_matter(article(url="javascript:alert(1)")), "not an absolute http(s) URL"),
        ("relative-link.md", front_matter(article(url="/news/a")), "not an absolute http(s) URL"),
        ("html-only-title.md", front_matter(article(title="<script>alert(1)</script>")), "'title' is empty"),
    ],
)
def test_bad_files_are_skipped_with_reason_and_the_build_goes_on(
    ws: Workspace, name: str, content: str | bytes, reason: str
) -> None:
    ws.copy_seeds()
    ws.add(name, content)
    report = ws.build()
    assert reason in skipped(report)[name]
    assert report["articles"] == 1  # the good seed still made it
    assert (ws.output / "feeds/computer-vision.atom").exists()


def test_wrong_types_in_optional_fields_are_warnings(ws: Workspace) -> None:
    ws.add("a.md", article(quality="high", topics="AI", images="not a list", related={"a": 1}))
    report = ws.build()
    assert report["articles"] == 1
    messages = [w["reason"] for w in report["warnings"]]
    assert any("'quality' is not a number" in m for m in messages)
    assert any("'related' must be a list" in m for m in messages)
    assert (ws.output / "feeds/ai.atom").exists()  # a single topic string still counts


def test_html_script_and_control_characters_never_reach_output(ws: Workspace) -> None:
    ws.add(
        "evil.md",
        article(
            title='Breaking <script>alert("x")</script><b>news</b> &amp; more\x07\x1b',
            excerpt='<img src=x onerror="alert(1)"><a href="javascript:alert(2)">click</a> <iframe src="https://e.vil"></iframe>\x00',
            related=[
                {
                    "title": "<b onmouseover=alert(3)>Other</b> outlet",
                    "webUrl": "https://other.example/x",
                    "publishedDateTime": "2024-05-01T11:00:00Z",
                },
                {"title": "Sneaky", "webUrl": "javascript:alert(4)"},
                {"title": "Data", "webUrl": "data:text/html;base64,PHNjcmlwdD4="},
            ],
            images=[
                {"url": "javascript:alert(5)"},
                {"url": "https://img.example/p.png", "width": 10, "height": 10},
            ],
        ),
    )
    ws.build()
    for name, data in ws.outputs().items():
        text = own_script_removed(name, data.decode("utf-8"))
        lowered = text.lower()
        for bad in (
            "<script",
            "javascript:",
            "onerror",
            "onmouseover",
            "<iframe",
            "data:text",
            "\x07",
            "\x1b",
        ):
            assert bad not in lowered, (name, bad)
        if name.endswith((".atom", ".rss")):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (name, parsed.bozo_exception)
            entry = parsed.entries[0]
            assert entry.title == "Breaking news & more"
            html = entry.content[0].value.lower()
            assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    item = json.loads(ws.read("feeds/all.json"))["items"][0]
    assert item["title"] == "Breaking news & more"
    assert item["image"] == "https://img.example/p.png"
    assert [m["url"] for m in item["_story"]["members"]] == [
        "https://example.com/news/a",
        "https://other.example/x",
    ]


def test_yaml_11_quirks_are_normalised() -> None:
    text = (
        "---\ntitle: 10:30\nexcerpt: no\npublishedDateTime: 2024-05-01\nwebUrl: https://example.com/a\n"
        "topics:\n  - NO\n  - off\n  - 0755\npublished: yes\nquality: 1e1\n---\n"
    )
    art = parse_article("q.md", text.encode()).article
    assert art.title == "10:30"  # not the sexagesimal integer 630
    assert art.excerpt == "no"  # not False
    assert [t.name for t in art.topics] == ["NO", "off", "0755"]  # not False/False/493
    assert art.published == dt.datetime(2024, 5, 1, tzinfo=UTC)  # a bare date is midnight UTC
    assert art.draft is False  # "yes" means published
    draft = parse_article("d.md", text.replace("published: yes", "published: no").encode()).article
    assert draft.draft is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-05-01T10:00:00Z", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T05:30:00-04:30", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),  # no zone: UTC
        ("2024-05-01 10:00:00", dt.datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_dates_become_utc(given: str, expected: dt.datetime) -> None:
    quoted = f"---\ntitle: t\nwebUrl: https://e.example/\npublishedDateTime: {given}\n---\n"
    assert parse_article("x.md", quoted.encode()).article.published == expected
    as_string = f"---\ntitle: t\nwebUrl: https://e.example/\npublishedDateTime: '{given}'\n---\n"
    assert parse_article("x.md", as_string.encode()).article.published == expected


def test_unicode_emoji_and_duplicate_topic_spellings(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article("Volcano erupts", "https://e.example/1", topics=["AI", "ai ", "Künstliche Intelligenz"]),
    )
    ws.add("b.md", article("Chess champion retires", "https://e.example/2", topics=["ai", "🤖", "🚀 Space"]))
    ws.add("c.md", article("Bakery wins prize", "https://e.example/3", topics=["AI"]))
    report = ws.build()
    slugs = {f["slug"]: f for f in report["feeds"]}
    assert slugs["ai"]["stories"] == 3  # "AI", "ai " and "ai" are one topic
    assert slugs["ai"]["title"] == "Topic feeds: AI"  # the most used spelling
    assert "kunstliche-intelligenz" in slugs
    assert "space" in slugs
    emoji_only = [s for s in slugs if s.startswith("topic-")]
    assert len(emoji_only) == 1
    parsed = feedparser.parse(ws.read("feeds/kunstliche-intelligenz.atom"))
    assert not parsed.bozo
    assert parsed.feed.title == "Topic feeds: Künstliche Intelligenz"


def test_library_raises_article_error_with_reason() -> None:
    with pytest.raises(ArticleError, match="no front matter"):
        parse_article("x.md", b"hello")
    with pytest.raises(ArticleError, match="missing required field 'title'"):
        parse_article("x.md", b"---\nwebUrl: https://e.example/\npublishedDateTime: 2024-01-01\n---\n")


def test_canonical_urls_are_normalised() -> None:
    from aggregator.ingest.urls import canonical_url

    same = [
        "https://www.Example.com/news/a/?utm_source=x&utm_medium=y",
        "http://example.com/news/a#comments",
        "https://example.com:443/news/a?fbclid=abc",
        "HTTP://WWW.EXAMPLE.COM/news/a/",
        "https://example.com/news/a?gclid=1&utm_campaign=z",
    ]
    assert {canonical_url(u) for u in same} == {"https://example.com/news/a"}
    assert canonical_url("https://example.com/a?b=2&a=1") == "https://example.com/a?a=1&b=2"
    assert canonical_url("https://edition.cnn.com/x", {"edition.cnn.com": "cnn.com"}) == "https://cnn.com/x"
    assert canonical_url("https://example.com:8080/a") == "https://example.com:8080/a"


def test_future_dated_article_waits_for_its_time(ws: Workspace) -> None:
    import time

    soon = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(seconds=2)
    ws.add(
        "now.md",
        article(
            "Volcano erupts near island",
            "https://e.example/now",
            "2024-05-01T10:00:00Z",
            related=[
                {
                    "title": "Later coverage",
                    "webUrl": "https://f.example/x",
                    "publishedDateTime": "2199-01-01T00:00:00Z",
                }
            ],
        ),
    )
    ws.add("soon.md", article("Comet seen over desert", "https://e.example/soon", soon.isoformat()))
    report = ws.build()
    assert report["scheduled"] == 1 and report["articles"] == 1
    links = [e.link for e in feedparser.parse(ws.read("feeds/all.atom")).entries]
    assert links == ["https://e.example/now"]
    assert "2199" not in ws.read("feeds/all.atom").decode()
    time.sleep(max(0.0, (soon - dt.datetime.now(UTC)).total_seconds()) + 0.5)
    report = ws.build()  # no file changed, but the embargo has passed
    assert report["scheduled"] == 0 and report["articles"] == 2
    assert "https://e.example/soon" in [e.link for e in feedparser.parse(ws.read("feeds/all.atom")).entries]


url_text = st.text(alphabet="abcXYZ019-._~%!$&'()*+,;=:@/?#[] \u00e9", max_size=25)
hosts = st.one_of(
    st.sampled_from(
        [
            "example.com",
            "www.example.com",
            "EXAMPLE.com",
            "a-b.example.org",
            "xn--bcher-kva.de",
            "example.com.",
            "example.com:8080",
            "example.com:443",
            "[::1]",
            "ex ample.com",
            "-a.com",
        ]
    ),
    st.text(alphabet="ab-.9X:", min_size=1, max_size=12),
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http", "https", "HTTP", "ftp"]), hosts, url_text)
def test_url_fast_paths_agree_with_the_full_parse(scheme: str, host: str, rest: str) -> None:
    from aggregator.ingest import urls

    url = f"{scheme}://{host}{rest}"
    cleaned = urls.clean_url(url)
    assert cleaned == urls._clean_url_parsed(url.strip())
    if cleaned is not None:
        assert urls.canonical_url(cleaned) == urls._canonical_url_parsed(cleaned, None)
        host = (urlsplit(cleaned).hostname or "").lower()
        assert urls.host_of(cleaned) == (host[4:] if host.startswith("www.") else host)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60), st.integers(5, 80))
def test_plain_text_fast_path_agrees_with_the_full_cleaning(text: str, limit: int) -> None:
    from aggregator.ingest import text as text_module

    assert text_module.plain_text(text, limit) == text_module._plain_text_full(text, limit)
