"""The varied corpus shape: the same structure as the original one, none of its tuning.

The original shape (`bench/corpus.py`) is built from `bench/words.py`: about 560 headline
words in 12 templates, 41 topics, titles of 5-15 words, excerpts of 200-400 characters,
0-4 related entries, ~60 files to a folder, every file in plain block YAML with no body.
The varied shape keeps what makes it a news corpus (outlets, dates, stories through
`related`, duplicates, drafts, probes) and draws everything else from the seed:

- a vocabulary of 20,000-60,000 made-up words, used with Zipf frequencies (common words
  are common, most words are rare, as in real text), plus names and numbers;
- titles of 3 to 16-26 words, some with a colon, quotes, a number or a trailing tag;
- 150-400 topics of one to three words, a few far busier than the rest, 1-5 per article;
- excerpts of 0-1,000 characters, a few articles with none;
- related entries with a heavier tail (up to 8-16 on a few articles);
- a Markdown body of about 3 KB on ~30% of the articles;
- 25-45% of the files in other YAML layouts than plain block YAML (flow lists and
  mappings, single-quoted strings, double-quoted strings with escapes, folded multi-line
  scalars, comments): what the service's block-YAML fast path hands to libyaml;
- 8-1,500 files to a folder, and ~30% of the files one folder deeper (by outlet).

The parameters are drawn from `Random(f"shape:{seed}")` and stored in the corpus manifest,
so the corpus RNG and the parameters never disturb each other and `add_one` can rebuild
the generator. `params(seed)` gives them; a dict of them (changed or not) is a shape too,
which `bench/ablate.py` uses to switch one factor at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from bisect import bisect
from itertools import accumulate
from random import Random
from typing import Any

from . import corpus, words
from .textgen import slug

SHAPE_NAME = "varied"
_ONSETS = tuple("b c d f g h j k l m n p r s t v w z br cr dr fl gr kl pl pr sk st tr ch sh th".split())  # noqa: SIM905
_VOWELS = tuple("a e i o u a e i o ai ea ou io y".split())  # noqa: SIM905
_CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "rk", "st", "x", "ng"]
_ACCENTED = str.maketrans({"a": "á", "e": "é", "o": "ö", "u": "ü", "n": "ñ"})
_TAGS = (" (video)", " [updated]", " - analysis", " | Opinion", " \u2013 live", "?", "!", "...")


def params(seed: int) -> dict[str, Any]:
    """The varied shape's parameters for this seed (JSON-ready; stored in the manifest)."""
    rng = Random(f"shape:{seed}")
    related_max = rng.randint(8, 16)
    counts = [[0, rng.randint(15, 45)], [1, rng.randint(10, 30)], [2, rng.randint(5, 20)]]
    counts += [[k, rng.randint(1, 8)] for k in range(3, 7)]
    counts += [[k, 1] for k in range(7, related_max + 1)]
    return {
        "name": SHAPE_NAME,
        "vocabulary": rng.randint(20_000, 60_000),
        "title_words": [3, rng.randint(16, 26)],
        "topics": rng.randint(150, 400),
        "topics_per_article": [1, rng.randint(3, 5)],
        "excerpt": [0, rng.randint(600, 1000)],
        "no_excerpt": round(rng.uniform(0.01, 0.05), 3),
        "related_counts": counts,
        "other_yaml": round(rng.uniform(0.25, 0.45), 3),
        "body_share": 0.3,
        "body_bytes": [1500, 4500],
        "files_per_folder": round(math.exp(rng.uniform(math.log(8), math.log(1500)))),
        "deeper": 0.3,
    }


# What each factor of the varied shape is, as the parameters that switch it on: the
# original shape is `ORIGINAL`, and `ablate.py` measures it with one factor changed.
ORIGINAL: dict[str, Any] = {
    "name": "original-like",
    "vocabulary": 0,
    "title_words": [0, 0],
    "topics": 0,
    "topics_per_article": [0, 0],
    "excerpt": [200, 400],
    "no_excerpt": 0.0,
    "related_counts": [list(pair) for pair in corpus.RELATED_COUNTS],
    "other_yaml": 0.0,
    "body_share": 0.0,
    "body_bytes": [0, 0],
    "files_per_folder": corpus.TARGET_FILES_PER_FOLDER,
    "deeper": 0.0,
}
FACTORS: dict[str, tuple[str, ...]] = {
    "vocabulary and titles": ("vocabulary", "title_words"),
    "topics": ("topics", "topics_per_article"),
    "excerpts": ("excerpt", "no_excerpt"),
    "related counts": ("related_counts",),
    "YAML layouts": ("other_yaml",),
    "bodies": ("body_share", "body_bytes"),
    "folders": ("files_per_folder", "deeper"),
}


def with_factors(seed: int, factors: list[str]) -> dict[str, Any]:
    """The original-like shape with these factors of the varied shape switched on."""
    varied = params(seed)
    shape = dict(ORIGINAL)
    for factor in factors:
        for key in FACTORS[factor]:
            shape[key] = varied[key]
    shape["name"] = "original-like" + "".join(f" +{f}" for f in factors)
    return shape


def _layout_for(n: int, files_per_folder: int) -> str:
    return min(corpus.LAYOUTS, key=lambda item: abs(math.log(max(n, 1) / item[1] / files_per_folder)))[0]


class _Vocabulary:
    """Made-up words with Zipf frequencies, from their own RNG (the same for a seed)."""

    def __init__(self, size: int, seed: int) -> None:
        rng = Random(f"vocabulary:{seed}")
        seen: set[str] = set()
        self.words: list[str] = []
        while len(self.words) < size:
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(rng.choice((1, 2, 2, 2, 3, 3, 4)))
            )
            if rng.random() < 0.02:
                word = word.translate(_ACCENTED)
            if word not in seen:
                seen.add(word)
                self.words.append(word)
        self.cum = list(accumulate(1.0 / (rank + 2.7) for rank in range(size)))

    def word(self, rng: Random) -> str:
        return self.words[bisect(self.cum, rng.random() * self.cum[-1])]


class VariedGenerator(corpus._Generator):
    """`corpus._Generator` with the varied shape's vocabulary, topics, YAML and folders."""

    def __init__(self, seed: int, n: int, shape: dict[str, Any] | None, rng: Random | None = None) -> None:
        self.shape = dict(shape or params(seed))
        s = self.shape
        super().__init__(seed, _layout_for(n, s["files_per_folder"]), rng=rng)
        self.related_counts = tuple((int(k), int(w)) for k, w in s["related_counts"])
        self.excerpt_range = (int(s["excerpt"][0]), int(s["excerpt"][1]))
        self.vocab = _Vocabulary(s["vocabulary"], seed) if s["vocabulary"] else None
        names_rng = Random(f"topics:{seed}")
        if s["topics"]:
            names: list[str] = list(words.TOPICS)[:10]
            taken = {t.casefold() for t in names}
            vocab = self.vocab or _Vocabulary(5000, seed)
            while len(names) < s["topics"]:
                name = " ".join(
                    vocab.word(names_rng).capitalize() for _ in range(names_rng.choice((1, 1, 2, 2, 3)))
                )
                if name.casefold() not in taken:
                    taken.add(name.casefold())
                    names.append(name)
            self.topic_names = tuple(names)
        else:
            self.topic_names = corpus.TOPIC_NAMES
        self.topic_set = frozenset(self.topic_names)
        self.topic_cum = list(accumulate(1.0 / (rank + 3) for rank in range(len(self.topic_names))))

    def shape_info(self) -> dict[str, Any]:
        return self.shape

    def known_topic(self, name: str) -> bool:
        return name in self.topic_set

    def main_topic(self) -> str:
        if not self.shape["topics"]:
            return super().main_topic()
        return self.rng.choices(self.topic_names, cum_weights=self.topic_cum)[0]

    def topics(self, main: str) -> list[str]:
        low, high = self.shape["topics_per_article"]
        if not high:
            return super().topics(main)
        rng = self.rng
        chosen = [main]
        for _ in range(rng.randint(low, high) - 1):
            extra = self.main_topic() if rng.random() < 0.5 else rng.choice(self.topic_names)
            if extra not in chosen:
                chosen.append(extra)
        return [t.lower() if rng.random() < 0.02 else (t + " " if rng.random() < 0.01 else t) for t in chosen]

    # --- text -------------------------------------------------------------------------

    def _words(self, count: int) -> list[str]:
        assert self.vocab is not None
        return [self.vocab.word(self.rng) for _ in range(count)]

    def _title(self, keep: dict[str, str] | None) -> tuple[str, dict[str, str]]:
        rng = self.rng
        low, high = self.shape["title_words"]
        count = min(low + int(rng.expovariate(1 / 5)), high)
        parts = dict(keep) if keep else {"key": " ".join(self._words(3))}
        body = self._words(max(count - 3, 0))
        key = parts["key"].split()
        for word in key:  # the story's key words, somewhere in every headline of it
            body.insert(rng.randint(0, len(body)), word)
        shape = rng.random()
        if shape < 0.15 and len(body) > 4:
            cut = rng.randint(2, len(body) - 2)
            text = " ".join(body[:cut]).title() + ": " + " ".join(body[cut:])
        elif shape < 0.25 and len(body) > 3:
            cut = rng.randint(1, len(body) - 2)
            text = (
                " ".join(body[:cut])
                + " \u201c"
                + " ".join(body[cut : cut + 2])
                + "\u201d "
                + " ".join(body[cut + 2 :])
            )
        elif shape < 0.35:
            text = f"{rng.randint(2, 2000)} " + " ".join(body)
        elif shape < 0.42:
            text = rng.choice(words.ACTORS) + " " + " ".join(body) + " in " + rng.choice(words.PLACES)
        else:
            text = " ".join(body)
        if rng.random() < 0.15:
            text += rng.choice(_TAGS)
        if rng.random() < 0.03:
            text = text.replace(" ", " & ", 1) if rng.random() < 0.5 else text.replace(" ", " 'n' ", 1)
        return text.strip()[:1].upper() + text.strip()[1:], parts

    def _base(self, topic: str) -> str:
        """A topic of words.py whose subjects the original templates can use for `topic`."""
        if topic in words.TOPICS:
            return topic
        index = self.topic_names.index(topic) if topic in self.topic_set else len(topic)
        return corpus.TOPIC_NAMES[index % len(corpus.TOPIC_NAMES)]

    def headline(self, topic: str, year: int) -> tuple[str, dict[str, str]]:
        if self.vocab is None:
            return super().headline(self._base(topic), year)
        for _ in range(50):
            title, parts = self._title(None)
            if title.casefold() not in self.titles:
                break
        self.titles.add(title.casefold())
        return title, parts

    def other_headline(self, topic: str, year: int, keep: dict[str, str]) -> str:
        if self.vocab is None:
            return super().other_headline(self._base(topic), year, keep)
        return self._title(keep)[0]

    def _sentence(self) -> str:
        rng = self.rng
        text = " ".join(self._words(rng.randint(5, 22)))
        if rng.random() < 0.2:
            text += f", {rng.randint(2, 99)}% " + " ".join(self._words(rng.randint(2, 6)))
        return text.capitalize() + rng.choice(".....?!")

    def excerpt(self, topic: str, low: int, high: int, keep: dict[str, str]) -> str:
        if self.vocab is None and (low, high) in ((200, 400), (100, 220)):
            return super().excerpt(self._base(topic), low, high, keep)
        target = self.rng.randint(low, high)
        text = ""
        if self.vocab is None:  # only the lengths change: the original sentences, more or fewer
            while len(text) < target:
                text = (text + " " + super().excerpt(self._base(topic), 100, 400, keep)).strip()
        else:
            while len(text) < target:
                text = (text + " " + self._sentence()).strip()
        if len(text) > high:
            text = text[:high].rsplit(" ", 1)[0].rstrip(",;:") + ","
        return text

    def _body(self) -> str:
        rng = self.rng
        low, high = self.shape["body_bytes"]
        target = rng.randint(low, high)
        sentence = self._sentence if self.vocab is not None else lambda: self.text.excerpt("AI", 80, 200)
        blocks: list[str] = []
        size = 0
        while size < target:
            kind = rng.random()
            if kind < 0.12:
                block = "## " + sentence().rstrip(".?!")
            elif kind < 0.24:
                block = "\n".join(f"- {sentence()}" for _ in range(rng.randint(2, 5)))
            elif kind < 0.3:
                block = "> " + sentence()
            else:
                parts = [sentence() for _ in range(rng.randint(2, 6))]
                if rng.random() < 0.4:
                    word = parts[0].split()[0]
                    parts[0] = parts[0].replace(word, f"[{word}](https://example.org/{slug(word)})", 1)
                if rng.random() < 0.3:
                    parts[-1] = "**" + parts[-1] + "**"
                block = " ".join(parts)
            blocks.append(block)
            size += len(block) + 2
        return "\n\n".join(blocks) + "\n"

    def article(
        self, topic: str, when: dt.datetime, like: dict[str, Any] | None = None, avoid: set[str] | None = None
    ) -> dict[str, Any]:
        data = super().article(topic, when, like, avoid)
        rng = self.rng
        if self.shape["no_excerpt"] and rng.random() < self.shape["no_excerpt"]:
            data["_no_excerpt"] = True  # kept for `related` entries that name this file
        if self.shape["body_share"] and rng.random() < self.shape["body_share"]:
            data["_body"] = self._body()
        if self.shape["other_yaml"] and rng.random() < self.shape["other_yaml"]:
            data["_styles"] = rng.sample(_STYLES, rng.randint(1, 3))
        return data

    def probe(self, data: dict[str, Any]) -> None:
        data.pop("_no_excerpt", None)  # edit_one changes the excerpt
        data.pop("_styles", None)

    def path(self, when: dt.datetime, data: dict[str, Any]) -> str:
        rng = self.rng
        ext = ".txt" if rng.random() < 0.15 else (".markdown" if rng.random() < 0.05 else ".md")
        folder = corpus._folder(self.layout, when)
        if self.shape["deeper"] and rng.random() < self.shape["deeper"]:
            folder += "/" + slug(data["provider"]["domain"], 40)
        return f"{folder}/{self.token(16)}{ext}"

    def render(self, data: dict[str, Any], plain: bool = False) -> str:
        styles = () if plain else data.get("_styles", ())
        text = corpus.render(data)
        if data.get("_no_excerpt"):
            text = re.sub(r"\nexcerpt: [^\n]*", "", text, count=1)
        if styles:
            text = _restyle(text, data, styles)
        return text + data.get("_body", "")


# --- YAML layouts other than plain block YAML ---------------------------------------------

_STYLES = ("flow_topics", "single_quoted", "escapes", "folded", "comments", "flow_maps")
_FLOW_SAFE = re.compile(r"[^\s,\[\]{}:#'\"&*!|>%@`?-][^,\[\]{}:#'\"]*\Z")


def _single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _escaped(value: str) -> str:
    """A double-quoted scalar with escapes: non-ASCII as \\uXXXX (BMP only), a space as \\x20."""
    out = json.dumps(value, ensure_ascii=False)[1:-1]
    out = "".join(f"\\u{ord(c):04x}" if 127 < ord(c) < 0xD800 else c for c in out)
    return '"' + out.replace(" ", "\\x20", 1) + '"'


def _folded(key: str, value: str, indent: str = "") -> list[str]:
    lines, line = [], ""
    for word in value.split(" "):
        if line and len(line) + 1 + len(word) > 72:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [f"{indent}{key}: >-", *(f"{indent}  {part}" for part in lines)]


def _restyle(text: str, data: dict[str, Any], styles: list[str]) -> str:
    """The plain block YAML of `corpus.render`, with some lines written another way (same values)."""
    head, _, rest = text.partition("\n")
    lines = rest.split("\n")
    out: list[str] = [head]
    if "comments" in styles:
        out.append(f"# imported {data['publishedDateTime'][:10]} by feed-sync")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("title: ") and "single_quoted" in styles:
            line = f"title: {_single(data['title'])}"
        elif line.startswith("title: ") and "escapes" in styles:
            line = f"title: {_escaped(data['title'])}"
        elif (
            line.startswith("excerpt: ") and "folded" in styles and data["excerpt"].strip() == data["excerpt"]
        ):
            if data["excerpt"] and "  " not in data["excerpt"]:
                out += _folded("excerpt", data["excerpt"])
                i += 1
                continue
        elif line.startswith("quality: ") and "comments" in styles:
            line += "  # editor score"
        elif line == "topics:" and "flow_topics" in styles:
            out.append("topics: [" + ", ".join(_topic_flow(t) for t in data["topics"]) + "]")
            i += 1 + len(data["topics"])
            continue
        elif line == "provider:" and "flow_maps" in styles:
            p = data["provider"]
            out.append(
                f"provider: {{name: {json.dumps(p['name'], ensure_ascii=False)}, domain: {p['domain']}}}"
            )
            i += 3
            continue
        elif line.startswith("  - url: ") and "flow_maps" in styles and i + 2 < len(lines):
            url, width, height = line[len("  - url: ") :], lines[i + 1].split()[-1], lines[i + 2].split()[-1]
            extra, step = "", 3
            if i + 3 < len(lines) and lines[i + 3].startswith("    isCached: "):
                extra, step = f", isCached: {lines[i + 3].split()[-1]}", 4
            out.append(f"  - {{url: {url}, width: {width}, height: {height}{extra}}}")
            i += step
            continue
        elif line.startswith("    excerpt: ") and "single_quoted" in styles:
            line = "    excerpt: " + _single(json.loads(line[len("    excerpt: ") :]))
        out.append(line)
        i += 1
    return "\n".join(out)


def _topic_flow(topic: str) -> str:
    return (
        topic if _FLOW_SAFE.match(topic) and topic == topic.strip() else json.dumps(topic, ensure_ascii=False)
    )
