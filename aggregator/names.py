"""How the service names things, one rule each: topic slugs, bare hosts, display spellings.

At the base of the package so that the config (configured feeds' topics) and the ingest
stage (articles' topics) name a topic the same way, without either importing the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from slugify import slugify

TOPIC_SLUG_LENGTH = 60


def topic_slug(name: str) -> str:
    """ASCII slug for URLs, cut at a word boundary within 60 characters; names that
    transliterate to nothing (emoji) get a stable hashed one."""
    slug = slugify(name, max_length=TOPIC_SLUG_LENGTH, word_boundary=True)
    if slug:
        return slug
    return "topic-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()


def bare_host(host: str) -> str:
    """The host without a leading `www.`: one site, whichever spelling links to it."""
    return host[4:] if host.startswith("www.") else host


def most_used_spellings(uses: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """slug -> its most used spelling, ties alphabetically, from (slug, name, uses)
    rows; spellings used by nothing (uses <= 0) do not count."""
    best: dict[str, tuple[int, str]] = {}
    for slug, name, count in uses:
        if count > 0 and (slug not in best or (-count, name) < (-best[slug][0], best[slug][1])):
            best[slug] = (count, name)
    return {slug: name for slug, (_count, name) in best.items()}
