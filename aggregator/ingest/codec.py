"""Articles as compact JSON, the form the state store keeps them in.

A positional list, not a mapping: a cold build encodes 100,000 of them and decoding is
on the incremental path. Changing the layout means changing `CODEC_VERSION`, which makes
the next build re-read every file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aggregator.jsontext import compact_json, read_json
from aggregator.model import Article, Image, Provider, RelatedItem, Topic

# The layout's name. The build keeps it with its state, so a build under another version
# parses every file again instead of decoding rows it cannot read.
# v2: links without tracking parameters; v3: the body; v4: markup warnings; v5: this
# layout with the memo-driven parse (names, topic slugs as `aggregator.names` makes them).
CODEC_VERSION = "articles-v5"


def _image(image: Image | None) -> list[Any] | None:
    return [image.url, image.width, image.height] if image else None


def _date(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def article_to_json(article: Article) -> str:
    return compact_json(
        [
            article.path,
            article.title,
            article.url,
            article.canonical,
            _date(article.published),
            [article.provider.name, article.provider.domain],
            article.excerpt,
            _date(article.updated),
            article.category,
            article.kind,
            article.quality,
            article.heat,
            [[t.name, t.slug] for t in article.topics],
            _image(article.image),
            [
                [
                    r.title,
                    r.url,
                    r.canonical,
                    [r.provider.name, r.provider.domain],
                    r.excerpt,
                    _date(r.published),
                    r.quality,
                    r.heat,
                    _image(r.image),
                ]
                for r in article.related
            ],
            article.draft,
            article.body,
        ]
    )


def _load_image(data: list[Any] | None) -> Image | None:
    return Image(data[0], data[1], data[2]) if data else None


def _load_date(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def article_from_json(text: str) -> Article:
    return ArticleDecoder()(text)


class ArticleDecoder:
    """Decodes many articles, sharing the values that repeat between them: a few hundred
    outlets and topic lists stand for a hundred thousand articles, and one object each
    is less memory to hold through a cold build and less to allocate. The values are
    never changed in place (`dataclasses.replace` makes new ones), so sharing is safe.

    Owned by whoever decodes the batch (a build's parse, a load of the stored articles);
    bounded all the same.
    """

    LIMIT = 1 << 16

    def __init__(self) -> None:
        self._providers: dict[tuple[str, str], Provider] = {}
        self._topics: dict[tuple[tuple[str, str], ...], tuple[Topic, ...]] = {}

    def _provider(self, name: str, domain: str) -> Provider:
        key = (name, domain)
        found = self._providers.get(key)
        if found is None:
            if len(self._providers) >= self.LIMIT:
                self._providers.clear()
            found = self._providers[key] = Provider(name, domain)
        return found

    def _topic_tuple(self, pairs: list[list[str]]) -> tuple[Topic, ...]:
        key = tuple((name, slug) for name, slug in pairs)
        found = self._topics.get(key)
        if found is None:
            if len(self._topics) >= self.LIMIT:
                self._topics.clear()
            found = self._topics[key] = tuple(Topic(name, slug) for name, slug in key)
        return found

    def __call__(self, text: str) -> Article:
        (
            path,
            title,
            url,
            canonical,
            published,
            provider,
            excerpt,
            updated,
            category,
            kind,
            quality,
            heat,
            topics,
            image,
            related,
            draft,
            *rest,  # the body; absent in stores written before bodies were kept (re-parsed on upgrade)
        ) = read_json(text)
        provider_of = self._provider
        return Article(
            path=path,
            title=title,
            url=url,
            canonical=canonical,
            published=dt.datetime.fromisoformat(published),
            provider=provider_of(*provider),
            excerpt=excerpt,
            updated=_load_date(updated),
            category=category,
            kind=kind,
            quality=quality,
            heat=heat,
            topics=self._topic_tuple(topics),
            image=_load_image(image),
            related=tuple(
                RelatedItem(
                    title=r[0],
                    url=r[1],
                    canonical=r[2],
                    provider=provider_of(*r[3]),
                    excerpt=r[4],
                    published=_load_date(r[5]),
                    quality=r[6],
                    heat=r[7],
                    image=_load_image(r[8]),
                )
                for r in related
            ),
            draft=draft,
            body=rest[0] if rest else "",
        )
