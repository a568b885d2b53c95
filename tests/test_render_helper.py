"""Feeds rendered half in a helper process are the feeds one process renders: the same
names, in the same order, with the same bytes; through a real helper, when it fails,
and in a build."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import Workspace, article, related

from aggregator.config import load_config
from aggregator.helperprocess import HelperProcess
from aggregator.output import renderhelper
from aggregator.output.files import feed_files
from aggregator.output.renderhelper import MODULE, feed_files_shared, halves
from aggregator.selection.catalog import Feed

TOPICS = ["AI", "Space", "Climate", "Chess", "Robots", "Oceans", "Energy"]
FALLBACK = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _site(ws: Workspace) -> None:
    for i in range(70):
        ws.add(
            f"{i:02d}.md",
            article(
                f"Story number {i} about {TOPICS[i % 7]} <b>and</b> more",
                f"https://site{i % 4}.example/{i}",
                f"2024-05-{1 + i % 20:02d}T{i % 24:02d}:00:00Z",
                topics=[TOPICS[i % 7], TOPICS[(i * 3) % 7]],
                related=[related(f"Other view on story {i}", f"https://other.example/{i}")],
            ),
        )


def _feeds(ws: Workspace) -> list[Feed]:
    """The built site's feeds, as a full pass hands them to rendering."""
    from aggregator.index.views import StoredFeeds
    from aggregator.ingest.codec import ArticleDecoder
    from aggregator.selection.catalog import feed_infos, updated_from_sort_key
    from aggregator.state.opening import open_state

    config = load_config(ws.config)
    with open_state(config.state_url, config.state_path) as store:
        source = StoredFeeds(store, dt.datetime.now(dt.UTC), ArticleDecoder())
        totals = {s: (n, updated_from_sort_key(k)) for s, (n, k) in source.feed_totals().items()}
        infos = feed_infos(config, sorted(totals), source.topic_names(), totals)
        ids = {info.slug: source.feed_top(info.slug, info.cap) for info in infos}
        stories = source.stories_of(sorted({i for chosen in ids.values() for i in chosen}))
        return [Feed(info, tuple(stories[i] for i in ids[info.slug])) for info in infos]


@pytest.fixture
def built(ws: Workspace) -> tuple[Workspace, list[Feed]]:
    _site(ws)
    ws.build()
    feeds = _feeds(ws)
    assert len(feeds) >= 8, "too few feeds to split: a weak test"
    return ws, feeds


def test_a_real_helper_renders_its_half_to_the_same_bytes(built) -> None:
    ws, feeds = built
    config = load_config(ws.config)
    alone = feed_files(config, FALLBACK, feeds)
    theirs, mine = halves(feeds)
    assert theirs and mine and {f.slug for f in theirs}.isdisjoint(f.slug for f in mine)
    helper = HelperProcess(MODULE)
    try:
        assert helper.submit((config, FALLBACK, theirs))
        answered = helper.answer()  # raises unless the helper itself rendered them
    finally:
        helper.close()
    assert answered == feed_files(config, FALLBACK, theirs)
    helper = HelperProcess(MODULE)
    try:
        shared = feed_files_shared(config, FALLBACK, feeds, helper)
    finally:
        helper.close()
    assert list(shared) == list(alone)
    assert shared == alone


def test_a_helper_that_is_gone_leaves_the_parent_to_render_everything(built) -> None:
    ws, feeds = built
    config = load_config(ws.config)
    helper = HelperProcess(MODULE)
    helper.close()  # as if it had crashed before the question
    assert feed_files_shared(config, FALLBACK, feeds, helper) == feed_files(config, FALLBACK, feeds)
    broken = HelperProcess("aggregator.no_such_module")  # starts, then exits with an error
    try:
        assert feed_files_shared(config, FALLBACK, feeds, broken) == feed_files(config, FALLBACK, feeds)
    finally:
        broken.close()


def test_a_cold_build_with_the_render_helper_publishes_the_same_bytes(
    make_ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, helped = make_ws("alone"), make_ws("helped")
    for ws in (alone, helped):
        _site(ws)
    alone.build()
    asked: list[int] = []
    real_shared = renderhelper.feed_files_shared

    def counted(config, fallback, feeds, helper):
        asked.append(len(feeds))
        return real_shared(config, fallback, feeds, helper)

    monkeypatch.setattr(renderhelper, "RENDER_HELPER_THRESHOLD", 0)
    monkeypatch.setattr(renderhelper, "feed_files_shared", counted)
    helped.build()
    assert asked and asked[0] >= 8, "the build did not share its rendering"
    assert helped.outputs() == alone.outputs()
