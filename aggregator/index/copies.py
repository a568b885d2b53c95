"""The copies notices of a build, read back from the store after any kind of pass.

Full and incremental passes both record a member with two or more files of its own
as joined for the same URL; only those members' files are read again here, so a build
in which nothing changed still reports every superseded copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from aggregator.model import Article
from aggregator.state.store import StateStore
from aggregator.stories.copies import copy_notices, in_publishing_order


def stored_copy_notices(
    store: StateStore, load: Callable[[Sequence[str]], dict[str, Article]]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(superseded path, message, every path of the article), as `copy_notices` gives them."""
    shared = store.shared_links()
    if not shared:
        return []
    wanted = set(shared)
    paths = sorted({path for path, canonical in store.paths_of_canonicals(shared) if canonical in wanted})
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in load(paths).values():
        if article.canonical in wanted:
            groups[article.canonical].append(article)
    return copy_notices(in_publishing_order(groups[key]) for key in sorted(groups))
