"""The article codec: the state store's layout, written and read by orjson, with `json`
for what orjson refuses; the text is the same either way, so stores stay readable."""

from __future__ import annotations

import dataclasses

from aggregator.ingest import codec
from aggregator.ingest.normalise import parse_article
from aggregator.jsontext import read_json, standard_json

FILE = """---
title: "Storm hits harbour town \\u00e9t\\u00e9"
webUrl: https://e.example/news/1?utm_source=x
publishedDateTime: 2024-05-01T10:00:00Z
updatedDateTime: 2024-05-02T10:00:00Z
provider: {name: Example News, domain: e.example}
topics: [Weather, "Côte d'Azur"]
quality: 87
images: [{url: "https://e.example/a.jpg", width: 640, height: 480}]
related:
  - {title: Other view, webUrl: "https://o.example/2", publishedDateTime: "2024-05-01T11:00:00Z"}
---
Body text.
"""


def article(text: str = FILE):
    return parse_article("n/a.md", text.encode("utf-8"), {}, keep_body=True).article


def test_an_article_reads_back_as_written_in_the_layout_json_writes() -> None:
    original = article()
    text = codec.article_to_json(original)
    assert text == standard_json(read_json(text))  # the same layout, byte for byte
    assert codec.article_from_json(text) == original


def test_what_orjson_refuses_goes_through_json() -> None:
    # A lone surrogate (YAML's "\\ud800" escape) is not UTF-8, which orjson will not write.
    original = dataclasses.replace(article(), title="Half a pair \ud800 here")
    text = codec.article_to_json(original)
    assert codec.article_from_json(text) == original
    # and a store written by `json` with a token orjson will not read (NaN) still loads
    assert read_json("[1, NaN]")[0] == 1


def test_a_decoder_shares_outlets_and_topics_between_the_articles_it_reads() -> None:
    first = article()
    second = article(FILE.replace("Storm hits", "Flood hits").replace("/news/1", "/news/2"))
    decode = codec.ArticleDecoder()
    a, b = (decode(codec.article_to_json(x)) for x in (first, second))
    assert (a, b) == (first, second)  # the same values as a plain decode
    assert a.provider is b.provider and a.topics is b.topics  # one object each, not one per article
    assert a.related[0].provider is b.related[0].provider
    other = article(FILE.replace("name: Example News", "name: Example Daily"))
    assert decode(codec.article_to_json(other)).provider == dataclasses.replace(
        first.provider, name="Example Daily"
    )
