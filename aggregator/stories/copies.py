"""Two files for one article: which copy is published, and the notice that says so.

An editor's edited copy beside the original (often with a tracking parameter added to
its link) has the same canonical link, so the two are one member. The copy revised
last is published: the later `updatedDateTime`, else the later `publishedDateTime`
(a file without `updatedDateTime` counts as revised when published). On a full tie the
path that sorts first is published, so the choice never depends on the order files
were found in. The other copies are left out entirely (their topics, dates and
`related` entries too), and every build and `check` names them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from aggregator.model import Article


def _revised(article: Article) -> dt.datetime:
    return article.updated or article.published


def in_publishing_order(copies: Iterable[Article]) -> list[Article]:
    """The copies of one article, the published one first (see the module doc)."""
    by_path = sorted(copies, key=lambda a: a.path)
    return sorted(by_path, key=lambda a: (_revised(a), a.published), reverse=True)


def why_published(winner: Article, other: Article) -> str:
    """Which rule made `winner` the published copy rather than `other`."""
    if _revised(winner) != _revised(other):
        field = "updatedDateTime" if winner.updated else "publishedDateTime"
        return f"its {field} is later"
    if winner.published != other.published:
        return "its publishedDateTime is later"
    return "the dates are the same and its path sorts first"


Notice = tuple[str, str, tuple[str, ...]]  # (superseded path, message, every path of the article)


def notices_by_link(articles: Iterable[Article]) -> dict[str, list[Notice]]:
    """canonical link -> the notices of its superseded copies, for links with two files or more."""
    by_link: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_link[article.canonical].append(article)
    return {
        link: copy_notices([in_publishing_order(copies)])
        for link, copies in sorted(by_link.items())
        if len(copies) > 1
    }


def copy_notices(groups: Iterable[Sequence[Article]]) -> list[Notice]:
    """(superseded path, message, every path of the article) for each group of copies.

    Each group must already be `in_publishing_order`; groups of one file give nothing.
    """
    notices = []
    for group in groups:
        if len(group) < 2:
            continue
        winner, paths = group[0], tuple(a.path for a in group)
        for other in group[1:]:
            message = (
                f"same article link as {winner.path}; {winner.path} is published and this copy is "
                f"not ({why_published(winner, other)})"
            )
            notices.append((other.path, message, paths))
    return notices
