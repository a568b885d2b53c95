"""Stories: scenario tests that rebuild a content folder step by step through the CLI."""

from __future__ import annotations

import json
from typing import Any

import feedparser
from conftest import Workspace, article, related
from feedcheck import assert_valid
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.stories.headlines import _WORD, STOPWORDS, headline_words_text, significant_words


def stories(ws: Workspace, *args: str) -> list[dict[str, Any]]:
    return json.loads(ws.cli("stories", "--json", *args).stdout)


def entries(ws: Workspace, slug: str = "all") -> list[Any]:
    data = ws.read(f"feeds/{slug}.atom")
    assert_valid("atom", data)
    assert_valid("rss", ws.read(f"feeds/{slug}.rss"))
    assert_valid("json", ws.read(f"feeds/{slug}.json"))
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids)), "a story appears twice in one feed"
    return parsed.entries


def ids(ws: Workspace, slug: str = "all") -> list[str]:
    return [e.id for e in entries(ws, slug)]


def test_file_related_to_another_file_is_one_story_with_the_files_fields(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Volcano erupts near island",
            "https://a.example/volcano",
            quality=40,
            related=[related("What A says about B", "https://b.example/lava?utm_source=a")],
        ),
    )
    ws.add(
        "b.md",
        article(
            "Lava reaches the coast",
            "https://www.b.example/lava/",
            quality=70,
            excerpt="B's own excerpt",
            provider={"name": "B News", "domain": "b.example"},
        ),
    )
    ws.build()
    found = entries(ws)
    assert len(found) == 1
    entry = found[0]
    assert entry.title == "Lava reaches the coast"  # B is primary (quality 70), with its own file's fields
    assert entry.link == "https://www.b.example/lava/"
    assert "What A says about B" not in entry.content[0].value
    [story] = stories(ws)
    reasons = {m["url"]: m["reason"] for m in story["members"]}
    assert reasons == {"https://www.b.example/lava/": "related", "https://a.example/volcano": "file"}
    assert [m["primary"] for m in story["members"]] == [True, False]


def test_chain_of_related_files_is_one_story(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article("Alpha event begins", "https://a.example/1", related=[related("B", "https://b.example/2")]),
    )
    ws.add(
        "b.md",
        article("Beta reports develop", "https://b.example/2", related=[related("C", "https://c.example/3")]),
    )
    ws.add("c.md", article("Gamma analysis piece", "https://c.example/3"))
    ws.build()
    assert len(entries(ws)) == 1
    [story] = stories(ws)
    assert len(story["members"]) == 3
    assert {m["reason"] for m in story["members"]} == {"file", "related"}


def test_url_variants_are_one_member(ws: Workspace) -> None:
    variants = [
        "https://www.example.com/news/a/?utm_source=feed",
        "http://example.com/news/a#top",
        "https://example.com:443/news/a?fbclid=x",
        "https://EXAMPLE.com/news/a/",
    ]
    titles = [
        "Volcano erupts",
        "Parliament passes budget",
        "Comet seen over desert",
        "Chess champion retires",
    ]
    for index, (url, title) in enumerate(zip(variants, titles, strict=True)):
        ws.add(f"v{index}.md", article(title, url))
    ws.build()
    assert len(entries(ws)) == 1
    [story] = stories(ws)
    assert len(story["members"]) == 1
    assert len(story["members"][0]["files"]) == 4
    assert story["members"][0]["reason"] == "url"


def test_near_identical_headlines_merge_but_shared_words_do_not(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Apple unveils new iPhone 15 with USB-C port", "https://a.example/iphone", "2024-09-12T17:00:00Z"
        ),
    )
    ws.add(
        "b.md",
        article(
            "Apple unveils the new iPhone 15 with a USB-C port",
            "https://b.example/iphone15",
            "2024-09-12T19:30:00Z",
        ),
    )
    ws.add("c.md", article("Apple unveils new iPhone", "https://c.example/phone", "2024-09-12T18:00:00Z"))
    ws.add(
        "d.md",
        article("Apple unveils quarterly results", "https://d.example/results", "2024-09-12T18:00:00Z"),
    )
    ws.add(
        "e.md",
        article(
            "Apple unveils new iPhone 15 with USB-C port", "https://e.example/old", "2024-08-01T17:00:00Z"
        ),
    )  # same words, outside the time window
    ws.build()
    assert len(entries(ws)) == 4
    merged = [s for s in stories(ws) if len(s["members"]) > 1]
    assert len(merged) == 1
    assert sorted(m["url"] for m in merged[0]["members"]) == [
        "https://a.example/iphone",
        "https://b.example/iphone15",
    ]
    assert "headline" in {m["reason"] for m in merged[0]["members"]}


def test_headline_matching_can_be_switched_off(ws: Workspace) -> None:
    ws.write_config({"stories": {"headline_matching": False}})
    ws.add("a.md", article("Apple unveils new iPhone 15 with USB-C port", "https://a.example/iphone"))
    ws.add("b.md", article("Apple unveils the new iPhone 15 with a USB-C port", "https://b.example/iphone15"))
    ws.build()
    assert len(entries(ws)) == 2


def test_headline_chains_are_guarded(ws: Workspace) -> None:
    # B is close to A and C is close to B (Jaccard 0.6), but C shares only two
    # significant words with A, the story's anchor: C must not join by chaining.
    ws.add("a.md", article("Storm hits harbour", "https://s.example/a", "2024-05-01T10:00:00Z"))
    ws.add("b.md", article("Storm hits harbour town", "https://s.example/b", "2024-05-01T11:00:00Z"))
    ws.add("c.md", article("Hits harbour town hard", "https://s.example/c", "2024-05-01T12:00:00Z"))
    ws.build()
    groups = sorted(sorted(m["url"][-1] for m in s["members"]) for s in stories(ws))
    assert groups == [["a", "b"], ["c"]]


def test_headline_clusters_are_capped(ws: Workspace) -> None:
    ws.write_config({"stories": {"max_cluster_size": 2}})
    for index in range(4):
        ws.add(
            f"s{index}.md",
            article(
                "Storm hits harbour town overnight",
                f"https://s{index}.example/x",
                f"2024-05-01T1{index}:00:00Z",
            ),
        )
    ws.build()
    assert sorted(len(s["members"]) for s in stories(ws)) == [2, 2]


def test_bridging_article_merges_two_stories_and_the_older_id_wins(ws: Workspace) -> None:
    ws.add("x.md", article("Volcano erupts near island", "https://x.example/1"))
    ws.build()
    [old_id] = ids(ws)
    ws.add("y.md", article("Airlines cancel flights over ash", "https://y.example/2", "2024-05-01T09:00:00Z"))
    ws.build()
    newer = [i for i in ids(ws) if i != old_id]
    assert len(newer) == 1
    ws.add(
        "z.md",
        article(
            "Island eruption: what we know",
            "https://z.example/3",
            "2024-05-01T12:00:00Z",
            related=[related("x", "https://x.example/1"), related("y", "https://y.example/2")],
        ),
    )
    ws.build()
    assert ids(ws) == [old_id]  # the newer story's entry is gone from the feeds
    assert newer[0] not in ws.read("feeds/all.rss").decode()


def test_primary_change_new_member_and_deletion_keep_the_id(ws: Workspace) -> None:
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1", quality=30))
    ws.build()
    [story_id] = ids(ws)
    first_updated = entries(ws)[0].updated
    ws.build()
    assert entries(ws)[0].updated == first_updated  # a plain rebuild changes nothing

    ws.add(
        "b.md",
        article(
            "Lava flows reach the sea",
            "https://b.example/2",
            "2024-05-01T09:00:00Z",
            quality=90,
            related=[related("a", "https://a.example/1")],
        ),
    )
    ws.build()
    [entry] = entries(ws)
    assert entry.id == story_id
    assert entry.link == "https://b.example/2"  # the new primary
    assert entry.updated != first_updated
    updated_after_join = entry.updated

    ws.build()
    assert entries(ws)[0].updated == updated_after_join  # stable again

    ws.remove("b.md")
    ws.build()
    [entry] = entries(ws)
    assert entry.id == story_id and entry.link == "https://a.example/1"


def test_edited_text_changes_updated_but_not_the_id(ws: Workspace) -> None:
    ws.add("a.md", article("Volcano erupts near island", "https://a.example/1"))
    ws.build()
    [before] = entries(ws)
    ws.add(
        "a.md", article("Volcano erupts near island", "https://a.example/1", excerpt="A corrected excerpt.")
    )
    ws.build()
    [after] = entries(ws)
    assert after.id == before.id
    assert after.updated > before.updated
    assert after.summary == "A corrected excerpt."


def test_lost_state_store_gives_the_same_ids(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.add(
        "a.md",
        article(
            "Volcano erupts near island", "https://a.example/1", related=[related("b", "https://b.example/2")]
        ),
    )
    ws.add("c.md", article("Chess champion retires", "https://c.example/3", topics=["Chess"]))
    ws.build()
    before = {slug: ids(ws, slug) for slug in ("all", "ai", "chess")}
    outputs = ws.outputs()
    for path in ws.state.parent.iterdir():
        path.unlink()
    ws.build()
    assert {slug: ids(ws, slug) for slug in ("all", "ai", "chess")} == before
    assert ws.outputs() == outputs


def test_ids_are_stable_across_restarts_and_topics_are_the_union(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Volcano erupts near island",
            "https://a.example/1",
            topics=["Geology"],
            related=[related("b", "https://b.example/2")],
        ),
    )
    ws.add("b.md", article("Lava reaches the coast", "https://b.example/2", topics=["Travel"]))
    ws.build()
    geology, travel = ids(ws, "geology"), ids(ws, "travel")
    assert geology == travel and len(geology) == 1
    [story] = stories(ws, "--topic", "travel")
    assert sorted(story["topics"]) == ["geology", "travel"]
    ws.build("--full")
    assert ids(ws, "geology") == geology


def test_draft_naming_another_story_stays_invisible_and_merges_nothing(ws: Workspace) -> None:
    ws.add("x.md", article("Volcano erupts near island", "https://x.example/1"))
    ws.add("y.md", article("Chess champion retires", "https://y.example/2"))
    ws.add(
        "draft.md",
        article(
            "Secret draft bridging both",
            "https://d.example/3",
            published=False,
            related=[related("x", "https://x.example/1"), related("y", "https://y.example/2")],
        ),
    )
    ws.build()
    assert len(entries(ws)) == 2
    for data in ws.outputs().values():
        assert b"d.example" not in data and b"Secret draft" not in data
    assert all("d.example" not in json.dumps(s) for s in stories(ws))


def test_rss_guid_and_json_story_extension(ws: Workspace) -> None:
    ws.add(
        "a.md",
        article(
            "Volcano erupts near island",
            "https://a.example/1",
            related=[related("Other take", "https://b.example/2", provider="B Daily")],
        ),
    )
    ws.build()
    rss = feedparser.parse(ws.read("feeds/all.rss"))
    assert rss.entries[0].guidislink is False
    item = json.loads(ws.read("feeds/all.json"))["items"][0]
    assert item["id"] == rss.entries[0].id
    members = item["_story"]["members"]
    assert [(m["url"], m["reason"]) for m in members] == [
        ("https://a.example/1", "file"),
        ("https://b.example/2", "related"),
    ]
    atom = feedparser.parse(ws.read("feeds/all.atom")).entries[0]
    assert [link.href for link in atom.links if link.rel == "related"] == ["https://b.example/2"]
    assert "B Daily" in atom.content[0].value


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_headline_words_match_the_unicode_rule(title: str) -> None:
    # ASCII titles take a shorter pattern; both must give the words of the Unicode rule.
    expected = frozenset(
        w for w in _WORD.findall(title.casefold()) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
    )
    assert significant_words(title) == expected
    # What a parse worker sends for the title gives the parent the same words back.
    assert frozenset(headline_words_text(title).split()) == expected


def test_headline_words_memo_answers_as_the_function_does_and_stays_bounded(monkeypatch) -> None:
    from aggregator.stories.headlines import HeadlineWords

    monkeypatch.setattr(HeadlineWords, "LIMIT", 4)
    memo = HeadlineWords()
    titles = [f"Volcano number {i} erupts near the island of Tonga" for i in range(10)]
    for title in titles * 2:
        assert memo(title) == significant_words(title)
        assert memo.text(title) == headline_words_text(title)
        assert len(memo._words) <= 4
    memo.learn("Chess champion retires", "champion chess retires")
    assert "Chess champion retires" not in memo._words  # a learnt title keeps its text until asked
    assert memo.text("Chess champion retires") == "champion chess retires"
    assert memo("Chess champion retires") == frozenset({"champion", "chess", "retires"})
    assert HeadlineWords()("Chess champion retires") == significant_words("Chess champion retires")
