"""Tests for the feed validity checker in tests/feedcheck/.

Each valid sample below must produce no problem at all; each broken variant
changes one thing and must produce the matching error or warning.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import feedcheck
from feedcheck import assert_valid, check_atom, check_jsonfeed, check_opml, check_rss

VALID_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>https://news.example.org/topics/science/</id>
  <title>Science</title>
  <subtitle>Science news</subtitle>
  <updated>2024-03-02T10:00:00Z</updated>
  <link rel="self" type="application/atom+xml" href="https://news.example.org/topics/science/atom.xml"/>
  <link rel="alternate" type="text/html" href="https://news.example.org/topics/science/"/>
  <author><name>Newsroom</name><email>news@example.org</email></author>
  <generator uri="https://news.example.org/" version="1.0">aggregator</generator>
  <entry>
    <id>tag:news.example.org,2024:article-1</id>
    <title>Comet spotted</title>
    <updated>2024-03-02T10:00:00Z</updated>
    <published>2024-03-01T08:30:00+01:00</published>
    <link rel="alternate" type="text/html" href="https://news.example.org/articles/comet"/>
    <category term="space" label="Space"/>
    <summary>A comet was spotted.</summary>
    <content type="html">&lt;p&gt;A &lt;a href="https://news.example.org/comet"&gt;comet&lt;/a&gt;
      &lt;img src="https://news.example.org/comet.jpg" alt="comet"
      style="width: 100px"&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>https://news.example.org/articles/tides</id>
    <title type="text">Tides &amp; moons</title>
    <updated>2024-03-01T09:00:00Z</updated>
    <link href="https://news.example.org/articles/tides"/>
    <content type="xhtml"
      ><div xmlns="http://www.w3.org/1999/xhtml"><p>Tides <em>rise</em>.</p></div></content>
  </entry>
</feed>
"""

VALID_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>Science</title>
    <link>https://news.example.org/topics/science/</link>
    <description>Science news</description>
    <atom:link href="https://news.example.org/topics/science/rss.xml" rel="self" type="application/rss+xml"/>
    <language>en-us</language>
    <lastBuildDate>Sat, 02 Mar 2024 10:00:00 GMT</lastBuildDate>
    <pubDate>Sat, 02 Mar 2024 10:00:00 +0000</pubDate>
    <ttl>60</ttl>
    <docs>https://www.rssboard.org/rss-specification</docs>
    <generator>aggregator</generator>
    <managingEditor>news@example.org (Newsroom)</managingEditor>
    <item>
      <title>Comet spotted</title>
      <link>https://news.example.org/articles/comet</link>
      <description>&lt;p&gt;A &lt;a href="https://news.example.org/comet"&gt;comet&lt;/a&gt;.&lt;/p&gt;</description>
      <content:encoded><![CDATA[<p>A <b>bright</b> comet.</p>]]></content:encoded>
      <author>news@example.org (Newsroom)</author>
      <category>space</category>
      <guid isPermaLink="true">https://news.example.org/articles/comet</guid>
      <pubDate>Sat, 02 Mar 2024 10:00:00 GMT</pubDate>
      <enclosure url="https://news.example.org/media/comet.mp3" length="12345" type="audio/mpeg"/>
      <media:content url="https://news.example.org/media/comet.jpg" medium="image" type="image/jpeg"
                     width="640" height="480"/>
      <media:thumbnail url="https://news.example.org/media/comet-small.jpg" width="120" height="90"/>
    </item>
    <item>
      <title>Tides</title>
      <link>https://news.example.org/articles/tides</link>
      <description>Tides rise.</description>
      <guid isPermaLink="false">tag:news.example.org,2024:article-2</guid>
      <pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>
    </item>
  </channel>
</rss>
"""

VALID_JSON = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Science",
    "home_page_url": "https://news.example.org/topics/science/",
    "feed_url": "https://news.example.org/topics/science/feed.json",
    "description": "Science news",
    "language": "en",
    "authors": [{"name": "Newsroom", "url": "https://news.example.org/"}],
    "items": [
        {
            "id": "https://news.example.org/articles/comet",
            "url": "https://news.example.org/articles/comet",
            "title": "Comet spotted",
            "content_html": '<p>A <a href="https://news.example.org/comet">comet</a>.</p>',
            "date_published": "2024-03-02T10:00:00Z",
            "date_modified": "2024-03-02T11:00:00+01:00",
            "tags": ["space"],
            "image": "https://news.example.org/media/comet.jpg",
            "attachments": [
                {
                    "url": "https://news.example.org/media/comet.mp3",
                    "mime_type": "audio/mpeg",
                    "size_in_bytes": 1,
                }
            ],
            "_aggregator": {"topic": "science"},
        },
        {"id": "2", "content_text": "Tides rise.", "date_published": "2024-03-01T09:00:00Z"},
    ],
}

VALID_OPML = """<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head>
    <title>Topic feeds</title>
    <dateCreated>Sat, 02 Mar 2024 10:00:00 GMT</dateCreated>
  </head>
  <body>
    <outline type="rss" text="Science" title="Science"
             xmlUrl="https://news.example.org/topics/science/rss.xml"
             htmlUrl="https://news.example.org/topics/science/"/>
  </body>
</opml>
"""


def json_bytes(feed: dict) -> bytes:
    return json.dumps(feed).encode("utf-8")


def variant(sample: str, old: str, new: str) -> bytes:
    assert old in sample, f"test setup: {old!r} not in sample"
    return sample.replace(old, new, 1).encode("utf-8")


def assert_problem(problems: list[str], level: str, fragment: str) -> None:
    matches = [p for p in problems if p.startswith(f"{level}: ") and fragment in p]
    assert matches, f"expected a {level} containing {fragment!r}, got {problems}"


# --------------------------------------------------------------------------
# Valid samples
# --------------------------------------------------------------------------


def test_valid_atom_has_no_problems() -> None:
    assert check_atom(VALID_ATOM.encode()) == []


def test_valid_rss_has_no_problems() -> None:
    assert check_rss(VALID_RSS.encode()) == []


def test_valid_jsonfeed_has_no_problems() -> None:
    assert check_jsonfeed(json_bytes(VALID_JSON)) == []


def test_valid_opml_has_no_problems() -> None:
    assert check_opml(VALID_OPML.encode()) == []


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("atom", VALID_ATOM.encode()),
        ("rss", VALID_RSS.encode()),
        ("json", json_bytes(VALID_JSON)),
        ("opml", VALID_OPML.encode()),
    ],
)
def test_assert_valid_accepts_valid_documents(kind: str, data: bytes) -> None:
    assert_valid(kind, data)


def test_assert_valid_lists_every_problem() -> None:
    data = variant(VALID_ATOM, "<id>https://news.example.org/topics/science/</id>", "")
    with pytest.raises(AssertionError) as info:
        assert_valid("atom", data.replace(b'rel="self" ', b'rel="related" '))
    message = str(info.value)
    assert "missing atom:id" in message
    assert 'missing atom:link with rel="self"' in message


def test_assert_valid_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        assert_valid("rdf", b"")


# --------------------------------------------------------------------------
# XML level
# --------------------------------------------------------------------------


def test_malformed_xml_is_an_error() -> None:
    assert_problem(check_atom(b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</feed>"), "error", "XML")


def test_xml_illegal_character_is_an_error() -> None:
    data = variant(VALID_RSS, "<title>Tides</title>", "<title>Tides\x01</title>")
    assert_problem(check_rss(data), "error", "XML parsing error")


def test_unknown_namespace_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'xml:lang="en"', 'xml:lang="en" xmlns:x="https://example.org/ns"')
    assert_problem(check_atom(data), "warning", "unknown namespace")


def test_media_namespace_without_slash_is_an_error() -> None:
    data = variant(VALID_RSS, "http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
    assert_problem(check_rss(data), "error", "trailing slash")


def test_bad_characters_are_a_warning() -> None:
    data = variant(VALID_RSS, "<title>Tides</title>", "<title>Tides \u0085</title>")
    assert_problem(check_rss(data), "warning", "bad characters")


# --------------------------------------------------------------------------
# Atom
# --------------------------------------------------------------------------


def test_atom_wrong_root_is_an_error() -> None:
    data = variant(VALID_ATOM, "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")
    assert_problem(check_atom(data), "error", "root element must be atom:feed")


def test_atom_missing_self_link_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'rel="self"', 'rel="related"')
    assert_problem(check_atom(data), "warning", 'missing atom:link with rel="self"')


def test_atom_relative_self_link_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'href="https://news.example.org/topics/science/atom.xml"', 'href="atom.xml"')
    assert_problem(check_atom(data), "warning", "self link must be an absolute URL")


def test_atom_self_link_with_html_type_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'rel="self" type="application/atom+xml"', 'rel="self" type="text/html"')
    assert_problem(check_atom(data), "warning", "non-feed representation")


def test_atom_missing_alternate_link_is_a_warning() -> None:
    data = variant(
        VALID_ATOM,
        'rel="alternate" type="text/html" href="https://news.example.org/topics/',
        'rel="related" type="text/html" href="https://news.example.org/topics/',
    )
    assert_problem(check_atom(data), "warning", 'missing atom:link with rel="alternate"')


def test_atom_missing_feed_id_is_an_error() -> None:
    data = variant(VALID_ATOM, "<id>https://news.example.org/topics/science/</id>", "")
    assert_problem(check_atom(data), "error", "missing atom:id")


def test_atom_two_titles_is_an_error() -> None:
    data = variant(VALID_ATOM, "<title>Science</title>", "<title>Science</title><title>Again</title>")
    assert_problem(check_atom(data), "error", "more than one atom:title")


def test_atom_relative_id_is_an_error() -> None:
    data = variant(
        VALID_ATOM, "<id>https://news.example.org/topics/science/</id>", "<id>/topics/science/</id>"
    )
    assert_problem(check_atom(data), "error", "full (absolute) URI")


def test_atom_bad_tag_uri_is_an_error() -> None:
    data = variant(VALID_ATOM, "tag:news.example.org,2024:article-1", "tag:news.example.org:article-1")
    assert_problem(check_atom(data), "error", "tag: URI")


def test_atom_non_canonical_id_is_a_warning() -> None:
    data = variant(
        VALID_ATOM,
        "<id>https://news.example.org/topics/science/</id>",
        "<id>HTTPS://News.example.org:443/topics/science/</id>",
    )
    assert_problem(check_atom(data), "warning", "canonical form")


def test_atom_id_with_whitespace_is_an_error() -> None:
    data = variant(
        VALID_ATOM,
        "<id>https://news.example.org/topics/science/</id>",
        "<id> https://news.example.org/topics/science/</id>",
    )
    assert_problem(check_atom(data), "error", "whitespace")


@pytest.mark.parametrize(
    "bad_date",
    [
        "2024-03-02 10:00:00Z",
        "2024-03-02T10:00Z",
        "2024-03-02T10:00:00",
        "2024-03-02t10:00:00z",
        "2024-02-30T10:00:00Z",
        "2024-03-02T25:00:00Z",
        "Sat, 02 Mar 2024 10:00:00 GMT",
    ],
)
def test_atom_bad_date_format_is_an_error(bad_date: str) -> None:
    data = variant(VALID_ATOM, "<updated>2024-03-02T10:00:00Z</updated>", f"<updated>{bad_date}</updated>")
    assert_problem(check_atom(data), "error", "RFC 3339")


def test_atom_implausible_date_is_a_warning() -> None:
    data = variant(
        VALID_ATOM, "<updated>2024-03-01T09:00:00Z</updated>", "<updated>2999-03-01T09:00:00Z</updated>"
    )
    assert_problem(check_atom(data), "warning", "implausible date")


def test_atom_missing_author_everywhere_is_an_error() -> None:
    data = variant(VALID_ATOM, "<author><name>Newsroom</name><email>news@example.org</email></author>", "")
    assert_problem(check_atom(data), "error", "missing atom:author")


def test_atom_author_on_every_entry_is_enough() -> None:
    data = variant(VALID_ATOM, "<author><name>Newsroom</name><email>news@example.org</email></author>", "")
    text = data.decode().replace(
        "</title>\n    <updated>", "</title>\n<author><name>A</name></author><updated>"
    )
    assert check_atom(text.encode()) == []


def test_atom_author_without_name_is_an_error() -> None:
    data = variant(VALID_ATOM, "<name>Newsroom</name>", "")
    assert_problem(check_atom(data), "error", "missing atom:name")


def test_atom_bad_author_email_is_an_error() -> None:
    data = variant(VALID_ATOM, "news@example.org", "newsroom")
    assert_problem(check_atom(data), "error", "email address")


def test_atom_duplicate_entry_ids_are_a_warning() -> None:
    data = variant(
        VALID_ATOM,
        "<id>https://news.example.org/articles/tides</id>",
        "<id>tag:news.example.org,2024:article-1</id>",
    )
    assert_problem(check_atom(data), "warning", "same atom:id as entry[1]")


def test_atom_duplicate_updated_is_a_warning() -> None:
    data = variant(
        VALID_ATOM, "<updated>2024-03-01T09:00:00Z</updated>", "<updated>2024-03-02T10:00:00Z</updated>"
    )
    assert_problem(check_atom(data), "warning", "same atom:updated as entry[1]")


def test_atom_entry_without_content_or_alternate_is_an_error() -> None:
    data = variant(VALID_ATOM, '<link href="https://news.example.org/articles/tides"/>', "")
    start = data.index(b'<content type="xhtml"')
    data = data[:start] + data[data.index(b"</content>", start) + len(b"</content>") :]
    problems = check_atom(data)
    assert_problem(problems, "error", "missing atom:content or an alternate atom:link")
    assert_problem(problems, "warning", "missing textual content")


def test_atom_entry_missing_updated_is_an_error() -> None:
    data = variant(VALID_ATOM, "<updated>2024-03-01T09:00:00Z</updated>", "")
    assert_problem(check_atom(data), "error", "entry[2]: missing atom:updated")


def test_atom_metadata_after_entries_is_an_error() -> None:
    data = variant(VALID_ATOM, "</feed>", "<rights>CC-BY</rights></feed>")
    assert_problem(check_atom(data), "error", "must appear before all entries")


def test_atom_relative_url_in_html_content_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'href="https://news.example.org/comet"', 'href="/comet"')
    assert_problem(check_atom(data), "warning", "relative URL references: '/comet'")


def test_atom_relative_url_is_accepted_under_xml_base() -> None:
    data = variant(VALID_ATOM, 'href="https://news.example.org/comet"', 'href="/comet"')
    data = data.replace(
        b'<content type="html">', b'<content type="html" xml:base="https://news.example.org/">'
    )
    assert check_atom(data) == []


def test_atom_script_in_html_content_is_a_warning() -> None:
    data = variant(
        VALID_ATOM, "&lt;/p&gt;</content>", "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>"
    )
    assert_problem(check_atom(data), "warning", "<script>")


@pytest.mark.parametrize("tag", ["iframe", "object", "embed", "style"])
def test_atom_unsafe_elements_are_a_warning(tag: str) -> None:
    data = variant(VALID_ATOM, "&lt;/p&gt;</content>", f"&lt;{tag}&gt;&lt;/{tag}&gt;&lt;/p&gt;</content>")
    assert_problem(check_atom(data), "warning", f"<{tag}>")


def test_atom_event_handler_attribute_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'alt="comet"', 'alt="comet" onerror="alert(1)"')
    assert_problem(check_atom(data), "warning", "onerror attribute")


def test_atom_javascript_url_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'href="https://news.example.org/comet"', 'href="javascript:alert(1)"')
    assert_problem(check_atom(data), "warning", "script-capable URL")


def test_atom_dangerous_style_is_a_warning() -> None:
    data = variant(VALID_ATOM, 'style="width: 100px"', 'style="background: url(https://evil.example/x)"')
    assert_problem(check_atom(data), "warning", "style attribute")


def test_atom_unsafe_xhtml_content_is_a_warning() -> None:
    data = variant(VALID_ATOM, "<p>Tides <em>rise</em>.</p>", '<p onclick="x()">Tides</p>')
    assert_problem(check_atom(data), "warning", "onclick attribute")


def test_atom_xhtml_without_div_is_an_error() -> None:
    data = variant(
        VALID_ATOM, '<div xmlns="http://www.w3.org/1999/xhtml"><p>Tides <em>rise</em>.</p></div>', "Tides"
    )
    assert_problem(check_atom(data), "error", "xhtml:div")


def test_atom_html_in_text_construct_is_a_warning() -> None:
    data = variant(
        VALID_ATOM, "<title>Comet spotted</title>", "<title>Comet &lt;b&gt;spotted&lt;/b&gt;</title>"
    )
    assert_problem(check_atom(data), "warning", "HTML unless declared")


def test_atom_bad_text_type_is_an_error() -> None:
    data = variant(VALID_ATOM, '<title type="text">', '<title type="text/plain">')
    assert_problem(check_atom(data), "error", "type attribute must be")


def test_atom_unregistered_link_rel_is_a_warning() -> None:
    data = variant(
        VALID_ATOM,
        'rel="alternate" type="text/html" href="https://news.example.org/articles/comet"',
        'rel="permalink" type="text/html" href="https://news.example.org/articles/comet"',
    )
    assert_problem(check_atom(data), "warning", "unregistered link relationship")


def test_atom_bad_link_type_is_an_error() -> None:
    data = variant(
        VALID_ATOM,
        'type="text/html" href="https://news.example.org/topics/science/"',
        'type="html" href="https://news.example.org/topics/science/"',
    )
    assert_problem(check_atom(data), "error", "MIME type")


def test_atom_bad_link_length_is_an_error() -> None:
    data = variant(
        VALID_ATOM,
        '<link href="https://news.example.org/articles/tides"/>',
        '<link href="https://news.example.org/articles/tides" length="-3"/>',
    )
    assert_problem(check_atom(data), "error", "non-negative integer")


def test_atom_link_without_href_is_an_error() -> None:
    data = variant(VALID_ATOM, '<link href="https://news.example.org/articles/tides"/>', "<link/>")
    assert_problem(check_atom(data), "error", "href attribute")


def test_atom_category_without_term_is_an_error() -> None:
    data = variant(VALID_ATOM, '<category term="space" label="Space"/>', '<category label="Space"/>')
    assert_problem(check_atom(data), "error", "term attribute")


def test_atom_undefined_element_is_an_error() -> None:
    data = variant(VALID_ATOM, "<summary>", "<description>x</description><summary>")
    assert_problem(check_atom(data), "error", "undefined element atom:description")


def test_atom_unexpected_attribute_is_an_error() -> None:
    data = variant(VALID_ATOM, '<category term="space"', '<category term="space" domain="x"')
    assert_problem(check_atom(data), "error", "unexpected attribute domain")


def test_atom_text_between_elements_is_an_error() -> None:
    data = variant(VALID_ATOM, "<summary>", "stray<summary>")
    assert_problem(check_atom(data), "error", "entry[1]: unexpected text")


def test_atom_binary_content_must_be_base64() -> None:
    data = variant(VALID_ATOM, "<summary>A comet was spotted.</summary>", "<summary>s</summary>")
    assert check_atom(data) == []
    bad = data.replace(b'<content type="html">', b'<content type="image/png">')
    assert_problem(check_atom(bad), "error", "Base64")


def test_atom_binary_content_needs_summary() -> None:
    data = variant(VALID_ATOM, "<summary>A comet was spotted.</summary>", "")
    data = data.replace(b'<content type="html">', b'<content type="html" src="https://e.org/c">', 1)
    assert_problem(check_atom(data), "error", "atom:summary is required")


def test_atom_duplicate_alternate_links_are_an_error() -> None:
    data = variant(
        VALID_ATOM,
        '<link href="https://news.example.org/articles/tides"/>',
        '<link href="https://news.example.org/articles/tides"/><link href="https://news.example.org/b"/>',
    )
    assert_problem(check_atom(data), "error", "duplicate alternate links")


# --------------------------------------------------------------------------
# RSS 2.0
# --------------------------------------------------------------------------


def test_rss_missing_version_is_an_error() -> None:
    data = variant(VALID_RSS, '<rss version="2.0"', "<rss")
    assert_problem(check_rss(data), "error", "missing attribute version")


def test_rss_wrong_version_is_an_error() -> None:
    data = variant(VALID_RSS, '<rss version="2.0"', '<rss version="0.92"')
    assert_problem(check_rss(data), "error", 'version must be "2.0"')


def test_rss_missing_channel_description_is_an_error() -> None:
    data = variant(VALID_RSS, "<description>Science news</description>", "")
    assert_problem(check_rss(data), "error", "missing description")


def test_rss_missing_atom_self_link_is_a_warning() -> None:
    data = variant(VALID_RSS, 'rel="self" type="application/rss+xml"', 'rel="alternate" type="text/html"')
    assert_problem(check_rss(data), "warning", 'missing atom:link with rel="self"')


def test_rss_self_link_with_wrong_type_is_a_warning() -> None:
    data = variant(VALID_RSS, 'type="application/rss+xml"', 'type="application/xml"')
    assert_problem(check_rss(data), "warning", "non-feed representation")


def test_rss_two_digit_year_is_a_warning() -> None:
    data = variant(
        VALID_RSS,
        "<pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>",
        "<pubDate>Fri, 01 Mar 24 09:00:00 GMT</pubDate>",
    )
    assert_problem(check_rss(data), "warning", "problematical RFC 822 date")


def test_rss_military_zone_is_a_warning() -> None:
    data = variant(
        VALID_RSS,
        "<pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>",
        "<pubDate>Fri, 01 Mar 2024 09:00:00 A</pubDate>",
    )
    assert_problem(check_rss(data), "warning", "problematical RFC 822 date")


@pytest.mark.parametrize("bad_date", ["2024-03-01T09:00:00Z", "Fri, 01 March 2024 09:00:00 GMT", "yesterday"])
def test_rss_bad_date_is_an_error(bad_date: str) -> None:
    data = variant(
        VALID_RSS, "<pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>", f"<pubDate>{bad_date}</pubDate>"
    )
    assert_problem(check_rss(data), "error", "RFC 822 date-time")


def test_rss_wrong_day_of_week_is_an_error() -> None:
    data = variant(
        VALID_RSS,
        "<pubDate>Fri, 01 Mar 2024 09:00:00 GMT</pubDate>",
        "<pubDate>Mon, 01 Mar 2024 09:00:00 GMT</pubDate>",
    )
    assert_problem(check_rss(data), "error", "incorrect day of week")


def test_rss_missing_guid_is_a_warning() -> None:
    data = variant(VALID_RSS, '<guid isPermaLink="false">tag:news.example.org,2024:article-2</guid>', "")
    assert_problem(check_rss(data), "warning", "item[2]: item should contain a guid")


def test_rss_permalink_guid_must_be_a_url() -> None:
    data = variant(VALID_RSS, '<guid isPermaLink="false">', "<guid>")
    assert_problem(check_rss(data), "error", "guid is not a permalink")
    data = variant(
        VALID_RSS, '<guid isPermaLink="false">tag:news.example.org,2024:article-2', "<guid>article-2"
    )
    assert_problem(check_rss(data), "error", "guid must be a full URL")


def test_rss_short_numeric_guid_is_a_warning() -> None:
    data = variant(VALID_RSS, "tag:news.example.org,2024:article-2", "42")
    assert_problem(check_rss(data), "warning", "not sufficiently unique")


def test_rss_duplicate_guids_are_an_error() -> None:
    data = variant(
        VALID_RSS,
        '<guid isPermaLink="false">tag:news.example.org,2024:article-2</guid>',
        "<guid>https://news.example.org/articles/comet</guid>",
    )
    assert_problem(check_rss(data), "error", "same guid as item[1]")


def test_rss_item_without_title_or_description_is_an_error() -> None:
    data = variant(VALID_RSS, "<title>Tides</title>", "")
    data = data.replace(b"<description>Tides rise.</description>", b"")
    assert_problem(check_rss(data), "error", "either title or description")


def test_rss_enclosure_without_length_is_an_error() -> None:
    data = variant(VALID_RSS, ' length="12345"', "")
    assert_problem(check_rss(data), "error", "missing attribute length")


def test_rss_enclosure_length_zero_is_valid() -> None:
    assert check_rss(variant(VALID_RSS, 'length="12345"', 'length="0"')) == []


def test_rss_enclosure_length_minus_one_is_an_error() -> None:
    assert_problem(check_rss(variant(VALID_RSS, 'length="12345"', 'length="-1"')), "error", "use length 0")


def test_rss_enclosure_relative_url_is_an_error() -> None:
    data = variant(VALID_RSS, 'url="https://news.example.org/media/comet.mp3"', 'url="/media/comet.mp3"')
    assert_problem(check_rss(data), "error", "full http(s) URL")


def test_rss_enclosure_missing_type_is_an_error() -> None:
    assert_problem(check_rss(variant(VALID_RSS, ' type="audio/mpeg"', "")), "error", "missing attribute type")


def test_rss_two_enclosures_are_a_warning() -> None:
    enclosure = '<enclosure url="https://news.example.org/media/comet.mp3" length="12345" type="audio/mpeg"/>'
    data = variant(VALID_RSS, enclosure, enclosure + enclosure.replace("comet.mp3", "comet2.mp3"))
    assert_problem(check_rss(data), "warning", "more than one enclosure")


def test_rss_relative_url_in_description_is_a_warning() -> None:
    data = variant(VALID_RSS, 'href="https://news.example.org/comet"', 'href="comet"')
    assert_problem(check_rss(data), "warning", "relative URL references")


def test_rss_script_in_content_encoded_is_a_warning() -> None:
    data = variant(VALID_RSS, "<b>bright</b>", "<script>alert(1)</script>")
    assert_problem(check_rss(data), "warning", "content:encoded: should not contain <script>")


def test_rss_content_encoded_before_description_is_a_warning() -> None:
    data = variant(
        VALID_RSS,
        '<description>&lt;p&gt;A &lt;a href="https://news.example.org/comet"&gt;comet&lt;/a&gt;.&lt;/p&gt;</description>',
        "",
    )
    assert_problem(check_rss(data), "warning", "content:encoded should come after a description")


def test_rss_author_must_be_an_email() -> None:
    data = variant(VALID_RSS, "<author>news@example.org (Newsroom)</author>", "<author>Newsroom</author>")
    assert_problem(check_rss(data), "error", "email address")


def test_rss_author_without_real_name_is_a_warning() -> None:
    data = variant(
        VALID_RSS, "<author>news@example.org (Newsroom)</author>", "<author>news@example.org</author>"
    )
    assert_problem(check_rss(data), "warning", "real name")


def test_rss_bad_language_is_an_error() -> None:
    assert_problem(check_rss(variant(VALID_RSS, "en-us", "english")), "error", "ISO 639")


def test_rss_bad_ttl_is_an_error() -> None:
    assert_problem(
        check_rss(variant(VALID_RSS, "<ttl>60</ttl>", "<ttl>hourly</ttl>")), "error", "positive integer"
    )


def test_rss_empty_category_is_a_warning() -> None:
    assert_problem(
        check_rss(variant(VALID_RSS, "<category>space</category>", "<category/>")), "warning", "blank"
    )


def test_rss_html_in_title_is_a_warning() -> None:
    data = variant(VALID_RSS, "<title>Tides</title>", "<title>&lt;b&gt;Tides&lt;/b&gt;</title>")
    assert_problem(check_rss(data), "warning", "should not contain HTML")


def test_rss_undefined_element_is_an_error() -> None:
    data = variant(VALID_RSS, "<title>Tides</title>", "<title>Tides</title><summary>x</summary>")
    assert_problem(check_rss(data), "error", "undefined element summary")


def test_rss_item_link_must_be_absolute() -> None:
    data = variant(
        VALID_RSS, "<link>https://news.example.org/articles/tides</link>", "<link>/articles/tides</link>"
    )
    assert_problem(check_rss(data), "error", "full (absolute) URI")


def test_rss_media_content_checks() -> None:
    data = variant(VALID_RSS, 'medium="image"', 'medium="picture"')
    assert_problem(check_rss(data), "error", "invalid medium")
    data = variant(VALID_RSS, 'width="640"', 'width="wide"')
    assert_problem(check_rss(data), "error", "positive integer")
    data = variant(VALID_RSS, 'url="https://news.example.org/media/comet.jpg"', 'url="comet.jpg"')
    assert_problem(check_rss(data), "error", "full (absolute) URI")


def test_rss_media_thumbnail_without_url_is_an_error() -> None:
    data = variant(VALID_RSS, 'url="https://news.example.org/media/comet-small.jpg" ', "")
    assert_problem(check_rss(data), "error", "media:thumbnail must have a url")


def test_rss_undefined_media_element_is_an_error() -> None:
    data = variant(VALID_RSS, "<media:thumbnail", "<media:picture/><media:thumbnail")
    assert_problem(check_rss(data), "error", "undefined element media:picture")


# --------------------------------------------------------------------------
# JSON Feed 1.1
# --------------------------------------------------------------------------


def with_changes(**changes: object) -> dict:
    feed = json.loads(json.dumps(VALID_JSON))
    for key, value in changes.items():
        if value is None:
            feed.pop(key, None)
        else:
            feed[key] = value
    return feed


def with_item_changes(index: int, **changes: object) -> dict:
    feed = with_changes()
    for key, value in changes.items():
        if value is None:
            feed["items"][index].pop(key, None)
        else:
            feed["items"][index][key] = value
    return feed


def test_json_invalid_json_is_an_error() -> None:
    assert_problem(check_jsonfeed(b'{"version": '), "error", "invalid JSON")


def test_json_not_utf8_is_an_error() -> None:
    assert_problem(check_jsonfeed(json.dumps(VALID_JSON).encode("utf-16")), "error", "UTF-8")


def test_json_wrong_version_is_an_error() -> None:
    problems = check_jsonfeed(json_bytes(with_changes(version="https://jsonfeed.org/version/1")))
    assert_problem(problems, "error", "version must be")


def test_json_missing_title_is_an_error() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_changes(title=None))), "error", "missing required 'title'")


def test_json_missing_feed_url_is_a_warning() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_changes(feed_url=None))), "warning", "'feed_url'")


def test_json_relative_home_page_url_is_an_error() -> None:
    assert_problem(
        check_jsonfeed(json_bytes(with_changes(home_page_url="/science/"))), "error", "full http(s) URL"
    )


def test_json_item_without_id_is_an_error() -> None:
    assert_problem(
        check_jsonfeed(json_bytes(with_item_changes(1, id=None))), "error", "missing required 'id'"
    )


def test_json_numeric_id_is_an_error() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_item_changes(1, id=2))), "error", "'id' must be a string")


def test_json_duplicate_ids_are_an_error() -> None:
    feed = with_item_changes(1, id="https://news.example.org/articles/comet")
    assert_problem(check_jsonfeed(json_bytes(feed)), "error", "same id as items[0]")


def test_json_item_without_content_is_an_error() -> None:
    feed = with_item_changes(1, content_text=None)
    assert_problem(check_jsonfeed(json_bytes(feed)), "error", "content_html or content_text")


def test_json_bad_date_is_an_error() -> None:
    feed = with_item_changes(1, date_published="2024-03-01 09:00")
    assert_problem(check_jsonfeed(json_bytes(feed)), "error", "RFC 3339")


def test_json_relative_item_url_is_an_error() -> None:
    feed = with_item_changes(0, url="/articles/comet")
    assert_problem(check_jsonfeed(json_bytes(feed)), "error", "full http(s) URL")


def test_json_bad_authors_are_errors() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_changes(authors=[{}]))), "error", "at least one of name")
    assert_problem(
        check_jsonfeed(json_bytes(with_changes(authors="me"))), "error", "'authors' must be an array"
    )


def test_json_deprecated_author_is_a_warning() -> None:
    feed = with_changes(authors=None, author={"name": "Newsroom"})
    assert_problem(check_jsonfeed(json_bytes(feed)), "warning", "deprecated")


def test_json_unknown_key_is_a_warning_but_extension_is_not() -> None:
    assert_problem(
        check_jsonfeed(json_bytes(with_changes(topic="science"))), "warning", "unknown key 'topic'"
    )
    assert check_jsonfeed(json_bytes(with_changes(_topic="science"))) == []


def test_json_tags_must_be_strings() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_item_changes(0, tags=["a", 1]))), "error", "'tags'")


def test_json_attachment_needs_mime_type() -> None:
    feed = with_item_changes(0, attachments=[{"url": "https://news.example.org/a.mp3"}])
    assert_problem(check_jsonfeed(json_bytes(feed)), "error", "'mime_type'")


def test_json_bad_language_is_an_error() -> None:
    assert_problem(check_jsonfeed(json_bytes(with_changes(language="english"))), "error", "language")


def test_json_script_in_content_html_is_a_warning() -> None:
    feed = with_item_changes(0, content_html="<p>x</p><script>alert(1)</script>")
    assert_problem(check_jsonfeed(json_bytes(feed)), "warning", "<script>")


# --------------------------------------------------------------------------
# OPML 2.0
# --------------------------------------------------------------------------


def test_opml_relative_xml_url_is_an_error() -> None:
    data = variant(
        VALID_OPML,
        'xmlUrl="https://news.example.org/topics/science/rss.xml"',
        'xmlUrl="/topics/science/rss.xml"',
    )
    assert_problem(check_opml(data), "error", "full http(s) URL")


def test_opml_missing_xml_url_is_an_error() -> None:
    data = variant(VALID_OPML, 'xmlUrl="https://news.example.org/topics/science/rss.xml"', "")
    assert_problem(check_opml(data), "error", "must have an xmlUrl")


def test_opml_missing_text_is_an_error() -> None:
    assert_problem(check_opml(variant(VALID_OPML, 'text="Science" ', "")), "error", "missing attribute text")


def test_opml_missing_title_is_an_error() -> None:
    assert_problem(
        check_opml(variant(VALID_OPML, "<title>Topic feeds</title>", "")), "error", "missing title"
    )


def test_opml_bad_version_is_an_error() -> None:
    assert_problem(check_opml(variant(VALID_OPML, 'version="2.0"', 'version="3.0"')), "error", "OPML version")


def test_opml_empty_body_is_an_error() -> None:
    data = variant(VALID_OPML, VALID_OPML[VALID_OPML.index("<outline") : VALID_OPML.index("</body>")], "")
    assert_problem(check_opml(data), "error", "missing outline")


def test_opml_outline_without_title_is_a_warning() -> None:
    assert_problem(check_opml(variant(VALID_OPML, 'title="Science"', "")), "warning", "title")


def test_opml_bad_date_is_an_error() -> None:
    data = variant(VALID_OPML, "Sat, 02 Mar 2024 10:00:00 GMT", "2024-03-02")
    assert_problem(check_opml(data), "error", "RFC 822")


# --------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org", "https://example.org/"),
        ("HTTP://Example.ORG:80/a/./b/../c", "http://example.org/a/c"),
        ("https://example.org/%7euser", "https://example.org/~user"),
        ("https://example.org/a%2fb", "https://example.org/a%2Fb"),
        ("tag:example.org,2024:x", "tag:example.org,2024:x"),
    ],
)
def test_canonical_uri(value: str, expected: str) -> None:
    assert feedcheck.canonical_uri(value) == expected


@pytest.mark.parametrize("value", ["en", "en-US", "de-CH-1996", "haw"])
def test_language_codes_accepted(value: str) -> None:
    report = feedcheck.Report()
    feedcheck.check_language(value, "x", report)
    assert report.problems == []


@pytest.mark.parametrize("value", ["xx", "english", "en_US", ""])
def test_language_codes_rejected(value: str) -> None:
    report = feedcheck.Report()
    feedcheck.check_language(value, "x", report)
    assert report.problems


# --------------------------------------------------------------------------
# A feed generated by feedgen
# --------------------------------------------------------------------------


def make_feedgen_feed():  # type: ignore[no-untyped-def]
    feedgen = pytest.importorskip("feedgen.feed")
    fg = feedgen.FeedGenerator()
    fg.id("https://news.example.org/topics/science/")
    fg.title("Science")
    fg.description("Science news")
    fg.language("en")
    fg.author(name="Newsroom", email="news@example.org")
    fg.link(href="https://news.example.org/topics/science/", rel="alternate")
    fg.link(href="https://news.example.org/topics/science/feed.xml", rel="self")
    for number, day in ((1, "01"), (2, "02")):
        entry = fg.add_entry(order="append")
        entry.id(f"https://news.example.org/articles/{number}")
        entry.guid(f"https://news.example.org/articles/{number}", permalink=True)
        entry.title(f"Article {number}")
        entry.link(href=f"https://news.example.org/articles/{number}")
        entry.content(f'<p>Article <a href="/articles/{number}">{number}</a></p>', type="html")
        entry.summary(f"Article {number}")
        entry.published(f"2024-03-{day}T10:00:00Z")
        entry.updated(f"2024-03-{day}T10:00:00Z")
    fg.updated("2024-03-02T10:00:00Z")
    return fg


def test_feedgen_atom_is_judged_plausibly() -> None:
    problems = check_atom(make_feedgen_feed().atom_str(pretty=True))
    # The structure feedgen writes is sound: no missing ids, titles, dates or self link ...
    assert not [p for p in problems if "missing atom:" in p or "RFC 3339" in p]
    assert not [p for p in problems if 'rel="self"' in p]
    # ... but the relative link inside the escaped HTML content is reported.
    assert_problem(problems, "warning", "relative URL references: '/articles/1'")
    assert all(p.startswith(("error: ", "warning: ")) for p in problems)


def test_feedgen_rss_is_judged_plausibly() -> None:
    problems = check_rss(make_feedgen_feed().rss_str(pretty=True))
    # feedgen writes the atom:link self, guids and RFC 822 dates the validator wants ...
    assert not [p for p in problems if 'rel="self"' in p or "guid" in p or "RFC 822" in p]
    # ... and the relative URL in content:encoded is still a warning.
    assert_problem(problems, "warning", "content:encoded: should not contain relative URL references")
