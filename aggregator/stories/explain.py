"""Why members share a story, or why two do not: the evidence behind `aggregator explain`.

Pure functions over what clustering computed (a `Grouping`, the `HeadlineTrace` of
headline matching and the stories built from them). The rules themselves are those of
`clustering` and `headlines`, asked again, never restated here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregator.config import StoryOptions
from aggregator.model import Story
from aggregator.stories.clustering import Grouping, HeadlineTrace, WordsOf, member_headline
from aggregator.stories.headlines import headline_mismatch, significant_words, similarity

# What each rule that keeps two headlines apart is called for people, and which
# setting decides it.
RULES: dict[str, tuple[str, str]] = {
    "disabled": ("headline matching is disabled", "stories.headline_matching"),
    "undated": ("one of them has no date, so headlines cannot match", ""),
    "window": ("published too far apart for a headline match", "stories.headline_window_hours"),
    "min_shared": ("too few significant words in common", "stories.headline_min_shared"),
    "threshold": ("headline similarity below the threshold", "stories.headline_threshold"),
    "anchor": (
        "anchor guard: the joining headline shares too few words with the first headline of "
        "the story it would join",
        "stories.headline_min_shared",
    ),
    "size_cap": ("size cap: the merged story would be too large", "stories.max_cluster_size"),
}


def story_of(stories: Sequence[Story], key: str) -> Story | None:
    """The story holding the member with this canonical URL."""
    for story in stories:
        if any(m.canonical == key for m in story.members):
            return story
    return None


def headline_words(grouping: Grouping, key: str, words: WordsOf = significant_words) -> frozenset[str]:
    return words(member_headline(key, grouping.by_canonical, grouping.related_info)[1])


def explain_story(
    story: Story, grouping: Grouping, trace: HeadlineTrace, words: WordsOf = significant_words
) -> dict[str, Any]:
    """A story's members, each with every piece of evidence that ties it to the others;
    `words` is the memo clustering used (a headline's significant words)."""
    keys = {m.canonical for m in story.members}
    evidence: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    for key in keys:
        files = grouping.by_canonical.get(key, [])
        if len(files) > 1:
            evidence[key].append({"rule": "url", "files": [a.path for a in files]})
    for key in sorted(keys):
        for article in grouping.by_canonical.get(key, []):
            for item in article.related:
                if item.canonical == key or item.canonical not in keys:
                    continue
                edge = {"rule": "related", "file": article.path, "from": key, "to": item.canonical}
                evidence[key].append(edge)
                evidence[item.canonical].append(edge)
    for (later, earlier), score in sorted(trace.joined.items()):
        if later in keys:
            edge = headline_edge(grouping, later, earlier, score, words)
            evidence[later].append(edge)
            evidence[earlier].append(edge)
    return {
        "story": story.id,
        "title": story.primary.title,
        "primary": story.primary.canonical,
        "members": [
            {
                "url": m.url,
                "canonical": m.canonical,
                "title": m.title,
                "primary": m is story.primary,
                "files": list(m.paths),
                "reason": m.reason,
                "evidence": evidence[m.canonical],
            }
            for m in story.members
        ],
    }


def headline_edge(
    grouping: Grouping, later: str, earlier: str, score: float, words: WordsOf = significant_words
) -> dict[str, Any]:
    shared = headline_words(grouping, later, words) & headline_words(grouping, earlier, words)
    return {
        "rule": "headline",
        "from": later,
        "to": earlier,
        "shared": sorted(shared),
        "score": round(score, 3),
    }


def explain_pair(
    keys: tuple[str, str],
    stories: Sequence[Story],
    grouping: Grouping,
    trace: HeadlineTrace,
    options: StoryOptions,
    words: WordsOf = significant_words,
) -> dict[str, Any]:
    """Whether two members share a story; if not, the rule or guard that kept them apart."""
    a, b = keys
    story_a, story_b = story_of(stories, a), story_of(stories, b)
    result: dict[str, Any] = {
        "a": a,
        "b": b,
        "story_a": story_a.id if story_a else None,
        "story_b": story_b.id if story_b else None,
        "same_story": story_a is not None and story_a is story_b,
        "headlines": headline_comparison(grouping, a, b, options, words),
    }
    if result["same_story"]:
        assert story_a is not None
        result["story"] = explain_story(story_a, grouping, trace, words)
        return result
    rule = result["headlines"]["rule"]
    if rule is None:  # their headlines match: a guard refused the join
        refusal = trace.refused.get((a, b)) or trace.refused.get((b, a)) or {}
        rule = str(refusal.get("guard", "")) or None
        result["guard"] = refusal
    result["rule"] = rule
    label, setting = RULES.get(rule or "", ("kept apart by the evidence of other members", ""))
    result["explanation"] = label
    result["setting"] = setting
    return result


def headline_comparison(
    grouping: Grouping, a: str, b: str, options: StoryOptions, words: WordsOf = significant_words
) -> dict[str, Any]:
    """The two headlines side by side: shared words, score, time apart, and the rule they fail."""
    _ka, title_a, published_a, _fa = member_headline(a, grouping.by_canonical, grouping.related_info)
    _kb, title_b, published_b, _fb = member_headline(b, grouping.by_canonical, grouping.related_info)
    words_a, words_b = words(title_a), words(title_b)
    gap = abs(published_a - published_b) if published_a and published_b else None
    rule = headline_mismatch(words_a, words_b, published_a, published_b, options)
    if not options.headline_matching:
        rule = "disabled"
    return {
        "titles": [title_a, title_b],
        "shared": sorted(words_a & words_b),
        "score": round(similarity(words_a, words_b), 3),
        "hours_apart": round(gap.total_seconds() / 3600, 2) if gap is not None else None,
        "threshold": options.headline_threshold,
        "min_shared": options.headline_min_shared,
        "window_hours": options.headline_window_hours,
        "rule": rule,
    }
