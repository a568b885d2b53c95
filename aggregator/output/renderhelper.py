"""A full pass's feeds rendered by two processes: about half in a helper, on the other core.

By the time a cold build renders, the parse workers and the headline search's helper
are gone and the second core is idle, while rendering every feed (three formats and a
page each) is one long serial stretch. The feeds' stories are few (each feed holds at
most `max_items`), so a helper process (`HelperProcess`, started when the pass begins)
gets about half of the feeds with their stories, renders them with the same pure
functions (`files.feed_files`) and sends the bytes back. A story in feeds on both
sides is rendered on both; the bytes are the same either way.

If the helper cannot start or fails, the parent renders that half too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence

from aggregator.config import Config
from aggregator.helperprocess import HelperProcess, serve_one
from aggregator.output.files import feed_files
from aggregator.selection.catalog import Feed

RENDER_HELPER_THRESHOLD = 20_000  # fewer articles than this: the parent renders alone
MODULE = "aggregator.output.renderhelper"


@contextlib.contextmanager
def render_helper(articles: int, threshold: int | None = None) -> Iterator[HelperProcess | None]:
    """A helper for a full pass over about `articles` articles, or None when too few to pay."""
    if articles < (RENDER_HELPER_THRESHOLD if threshold is None else threshold):
        yield None
        return
    helper = HelperProcess(MODULE)
    try:
        yield helper
    finally:
        helper.close()


def halves(feeds: Sequence[Feed]) -> tuple[list[Feed], list[Feed]]:
    """(the helper's, the parent's): alternately by size, largest first, so both hold
    about as many entries; each half in the feeds' own order."""
    by_size = sorted(range(len(feeds)), key=lambda i: (-len(feeds[i].stories), i))
    helper_side = set(by_size[0::2])
    return (
        [feed for i, feed in enumerate(feeds) if i in helper_side],
        [feed for i, feed in enumerate(feeds) if i not in helper_side],
    )


def feed_files_shared(
    config: Config, fallback: dt.datetime, feeds: Sequence[Feed], helper: HelperProcess
) -> dict[str, bytes]:
    """`feed_files` of every feed, about half of them rendered by `helper`; the same
    names in the same order, the same bytes."""
    theirs, mine = halves(feeds)
    sent = bool(theirs) and helper.submit((config, fallback, theirs))
    files = feed_files(config, fallback, mine)
    answered: dict[str, bytes] | None = None
    if sent:
        with contextlib.suppress(Exception):  # a helper that failed: rendered here instead
            answered = helper.answer()
    helper.close()
    if answered is None:
        answered = feed_files(config, fallback, theirs)
    files.update(answered)
    return {name: files[name] for name in _names_in_order(feeds)}  # as one process orders them


def _names_in_order(feeds: Sequence[Feed]) -> Iterator[str]:
    from aggregator.output.render.links import FORMATS, feed_file, page_file
    from aggregator.output.render.pages import has_page

    for feed in feeds:
        for fmt in FORMATS:
            yield feed_file(feed.slug, fmt)
        if has_page(feed.info):
            yield page_file(feed.slug)


def _render_question(question: tuple[Config, dt.datetime, list[Feed]]) -> dict[str, bytes]:
    config, fallback, feeds = question
    return feed_files(config, fallback, feeds)


if __name__ == "__main__":
    # The renderers are imported while the question is still on its way.
    import aggregator.output.render.jsonfeed
    import aggregator.output.render.pages
    import aggregator.output.render.xmlfeeds  # noqa: F401

    serve_one(_render_question)
