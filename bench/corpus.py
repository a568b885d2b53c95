"""A deterministic synthetic content folder shaped like `seeds/`, for the benchmark.

`generate(root, n, seed)` writes N article files (same n and seed: byte-identical files)
with the structure real content has: ~40 topics, ~300 outlets, three years of dates,
related coverage of which ~30% exists as its own file (so stories form), near-identical
headlines from different outlets, the same URL with tracking parameters, drafts, and
nested date folders. Files are written story by story, so memory stays flat at any N.

The newest few articles ("probes") are stand-alone stories with no related coverage:
`edit_one` and `delete_one` change them, because a change to an old article may
legitimately show in no feed (feeds hold the newest entries only), and a benchmark
that cannot see its change may be measuring a no-op. `restore` undoes every change.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
import re
import shutil
from dataclasses import asdict, dataclass, field, replace
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import Any

from . import words
from .textgen import TextMaker

GENERATOR_VERSION = 1  # bump on any change to what is written: --keep-corpus trusts it
MANIFEST = ".corpus.json"  # hidden: the service ignores dot-files, like .git
END = dt.datetime(2026, 6, 30, 23, 0, tzinfo=dt.UTC)
START = END - dt.timedelta(days=3 * 365 + 1)
PROBE_WINDOW = dt.timedelta(hours=6)  # probes are dated here; regular articles before it
TOPIC_NAMES = tuple(words.TOPICS)
EXACT_DUP_SHARE = 0.03  # stories that are one URL twice, with tracking parameters
NEAR_DUP_SHARE = 0.05  # stories covered by 2-3 outlets with near-identical headlines
GROUP_SIZES = ((1, 55), (2, 25), (3, 13), (4, 7))  # stories linked by `related`
RELATED_COUNTS = ((0, 25), (1, 32), (2, 23), (3, 12), (4, 8))
RELATED_TO_FILE = 0.22  # chance a related slot in a linked story names a sibling file
DRAFT_SHARE = 0.1  # of stand-alone stories: ~3% of all files
TARGET_FILES_PER_FOLDER = 60
# Folder shapes, from coarse to fine; the one nearest TARGET_FILES_PER_FOLDER is used.
_REVISION = re.compile(r"\[Update (\d+)\] ")
LAYOUTS = (("year", 4), ("month", 36), ("week", 157), ("day", 1096))


@dataclass(frozen=True)
class CorpusInfo:
    root: str
    n: int
    seed: int
    layout: str
    total_bytes: int
    folders: int
    stories: int  # as generated; the service may merge more by headline
    drafts: tuple[str, ...]
    related_entries: int
    related_to_files: int
    exact_dup_stories: int
    near_dup_stories: int
    probes: tuple[str, ...]  # newest first
    topics: tuple[str, ...]
    probe_texts: dict[str, str] = field(repr=False)
    clean: bool = True
    shape: dict[str, Any] | None = None  # None: the original shape; else the varied shape's parameters

    @property
    def shape_name(self) -> str:
        return "original" if self.shape is None else str(self.shape.get("name", "varied"))

    @property
    def avg_bytes(self) -> float:
        return self.total_bytes / self.n if self.n else 0.0

    def summary(self) -> str:
        share = self.related_to_files / self.related_entries if self.related_entries else 0.0
        return (
            f"{self.shape_name} shape: "
            f"{self.n} files, {self.avg_bytes / 1024:.2f} KiB average ({self.total_bytes / 1e6:.1f} MB), "
            f"{self.folders} folders by {self.layout} (~{self.n / max(self.folders, 1):.0f} files each), "
            f"{self.stories} stories as generated, {len(self.drafts)} drafts, "
            f"{self.related_entries} related entries ({share:.0%} name a file), "
            f"{self.exact_dup_stories} tracking-parameter duplicates, {self.near_dup_stories} near-identical headline groups"
        )


def load_info(root: Path) -> CorpusInfo | None:
    """The manifest of a corpus made by `generate`, or None if there is none."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("generator") != GENERATOR_VERSION:
        return None
    data.pop("generator")
    data["root"] = str(root)
    for key in ("drafts", "probes", "topics"):
        data[key] = tuple(data[key])
    return CorpusInfo(**data)


def _save_info(root: Path, info: CorpusInfo) -> None:
    data = {"generator": GENERATOR_VERSION, **asdict(info)}
    del data["root"]  # the manifest is part of the corpus, which must not depend on where it lives
    if data["shape"] is None:  # the original shape's manifest stays as it always was
        del data["shape"]
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, root / MANIFEST)


def _weighted(rng: Random, table: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _make_outlets(rng: Random) -> list[tuple[str, str]]:
    outlets = list(words.REAL_OUTLETS)
    names = {name for name, _ in outlets}
    while len(outlets) < 300:
        name = f"{rng.choice(words.OUTLET_FIRST)} {rng.choice(words.OUTLET_SECOND)}"
        if name in names:
            continue
        names.add(name)
        domain = name.replace(" ", "").lower() + rng.choice(words.OUTLET_TLDS)
        outlets.append((name.lower().replace(" ", "") if rng.random() < 0.05 else name, domain))
    return outlets


def _pick_layout(n: int) -> str:
    return min(LAYOUTS, key=lambda item: abs(math.log(max(n, 1) / item[1] / TARGET_FILES_PER_FOLDER)))[0]


def _folder(layout: str, when: dt.datetime) -> str:
    if layout == "year":
        return f"{when:%Y}"
    if layout == "month":
        return f"{when:%Y/%m}"
    if layout == "week":
        return f"{when:%Y/%m}/{(when.day - 1) // 7 * 7 + 1:02d}"
    return f"{when:%Y/%m/%d}"


class _Generator:
    """One corpus: the RNG, the outlets, and what must stay unique (ids, titles)."""

    related_counts: tuple[tuple[int, int], ...] = RELATED_COUNTS
    excerpt_range = (200, 400)

    def __init__(self, seed: int, layout: str, rng: Random | None = None) -> None:
        self.rng = Random(seed)
        self.outlets = _make_outlets(self.rng)  # always the first draws, so add_one can rebuild them
        if rng is not None:
            self.rng = rng
        # A few outlets publish far more than the rest, as in real news.
        self.outlet_cum = list(accumulate(1.0 / (rank + 8) for rank in range(len(self.outlets))))
        self.text = TextMaker(self.rng)
        self.layout = layout
        self.tokens: set[str] = set()
        self.titles: set[str] = set()

    def token(self, digits: int) -> str:
        while True:
            value = f"{self.rng.getrandbits(digits * 4):0{digits}x}"
            if value not in self.tokens:
                self.tokens.add(value)
                return value

    def outlet(self, avoid: set[str] | None = None) -> tuple[str, str]:
        while True:
            pick = self.rng.choices(self.outlets, cum_weights=self.outlet_cum)[0]
            if not avoid or pick[1] not in avoid:
                return pick

    def shape_info(self) -> dict[str, Any] | None:
        return None

    def main_topic(self) -> str:
        return self.rng.choice(TOPIC_NAMES)

    def known_topic(self, name: str) -> bool:
        return name in words.TOPICS

    def other_headline(self, topic: str, year: int, keep: dict[str, str]) -> str:
        """The same story told differently: same subject, people and place."""
        return self.text.headline(topic, year, keep=keep)[0]

    def excerpt(self, topic: str, low: int, high: int, keep: dict[str, str]) -> str:
        return self.text.excerpt(topic, low, high, keep)

    def render(self, data: dict[str, Any], plain: bool = False) -> str:
        return render(data)

    def headline(self, topic: str, year: int) -> tuple[str, dict[str, str]]:
        for _ in range(50):
            title, parts = self.text.headline(topic, year)
            if title.casefold() not in self.titles:
                break
        self.titles.add(title.casefold())
        return title, parts

    def topics(self, main: str) -> list[str]:
        rng = self.rng
        chosen = [main]
        for _ in range(_weighted(rng, ((0, 45), (1, 35), (2, 20)))):
            extra = rng.choice(TOPIC_NAMES)
            if extra not in chosen:
                chosen.append(extra)
        # Real content spells a topic several ways; the service must fold them by slug.
        return [t.lower() if rng.random() < 0.02 else (t + " " if rng.random() < 0.01 else t) for t in chosen]

    def article(
        self, topic: str, when: dt.datetime, like: dict[str, Any] | None = None, avoid: set[str] | None = None
    ) -> dict[str, Any]:
        """One article; `like`: another outlet's take on that article, near-identical headline."""
        rng = self.rng
        name, domain = self.outlet(avoid)
        if like is None:
            title, parts = self.headline(topic, when.year)
        else:
            title, parts = self.text.variant(like["title"]), like["_parts"]
        url = self.text.url(domain, title, when, self.token(10))
        data: dict[str, Any] = {
            "_parts": parts,  # not written: what the story is about, for its other coverage
            "category": _weighted(rng, words.CATEGORIES),
            "title": title,
            "excerpt": self.excerpt(topic, *self.excerpt_range, parts),
            "publishedDateTime": _stamp(when),
        }
        if rng.random() < 0.6:
            data["originalUrl"] = url if rng.random() < 0.85 else url.replace("https://", "http://", 1)
        data |= {
            "webUrl": url,
            "type": _weighted(rng, words.TYPES),
            "quality": rng.randint(0, 100),
            "heat": rng.randint(0, 100),
            "published": True,
            "provider": {"name": name, "domain": domain},
            "topics": self.topics(topic),
            "images": self.text.images(
                domain, title, when, _weighted(rng, ((0, 30), (1, 50), (2, 20))), self.token(12)
            ),
            "related": [],
        }
        return data

    def external_related(self, main: dict[str, Any], topic: str, latest: dt.datetime) -> dict[str, Any]:
        """Coverage by another outlet that is not in the corpus as a file."""
        rng = self.rng
        name, domain = self.outlet({main["provider"]["domain"]})
        when = dt.datetime.strptime(main["publishedDateTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        when = min(max(_minute(when + dt.timedelta(minutes=rng.randint(-720, 720))), START), latest)
        if rng.random() < 0.5:
            title = self.text.variant(main["title"])
        else:  # the same story told differently: same subject, people and place
            title = self.other_headline(topic, when.year, main["_parts"])
        entry: dict[str, Any] = {
            "title": title,
            "excerpt": self.excerpt(topic, 100, 220, main["_parts"]),
            "publishedDateTime": _stamp(when),
            "webUrl": self.text.url(domain, title, when, self.token(10)),
            "type": "article",
            "provider": {"name": name, "domain": domain},
            "quality": rng.randint(0, 100),
        }
        if rng.random() < 0.35:
            entry["images"] = self.text.images(domain, title, when, 1, self.token(12))
        return entry

    def secured(self) -> str:
        rng = self.rng
        blob = base64.b64encode(rng.randbytes(rng.randint(400, 480))).decode()
        return blob + ";" + base64.b64encode(rng.randbytes(16)).decode()

    def probe(self, data: dict[str, Any]) -> None:
        """Make a probe article what edit_one expects (the varied shape adds to this)."""

    def path(self, when: dt.datetime, data: dict[str, Any]) -> str:
        ext = ".txt" if self.rng.random() < 0.15 else ".md"
        return f"{_folder(self.layout, when)}/{self.token(16)}{ext}"


def _as_related(other: dict[str, Any]) -> dict[str, Any]:
    """A sibling file, as another article's `related` entry names it."""
    entry = {
        "title": other["title"],
        "excerpt": other["excerpt"][:200].rsplit(" ", 1)[0],
        "publishedDateTime": other["publishedDateTime"],
        "webUrl": other["webUrl"],
        "type": other["type"],
        "provider": dict(other["provider"]),
        "quality": other["quality"],
    }
    if other["images"]:
        entry["images"] = other["images"][:1]
    return entry


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False)


def _images_yaml(images: list[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for image in images:
        lines.append(f"{indent}- url: {_q(image['url'])}")
        lines.append(f"{indent}  width: {image['width']}")
        lines.append(f"{indent}  height: {image['height']}")
        if "isCached" in image:
            lines.append(f"{indent}  isCached: {'true' if image['isCached'] else 'false'}")
    return lines


def render(data: dict[str, Any]) -> str:
    """The file text, laid out like the files in seeds/."""
    lines = [
        "---",
        f"category: {data['category']}",
        f"title: {_q(data['title'])}",
        f"excerpt: {_q(data['excerpt'])}",
    ]
    lines.append(f"publishedDateTime: {data['publishedDateTime']}")
    if "originalUrl" in data:
        lines.append(f"originalUrl: {_q(data['originalUrl'])}")
    lines += [
        f"webUrl: {_q(data['webUrl'])}",
        f"type: {data['type']}",
        f"quality: {data['quality']}",
        f"heat: {data['heat']}",
        f"published: {'true' if data['published'] else 'false'}",
        "",
        "provider:",
        f"  name: {_q(data['provider']['name'])}",
        f"  domain: {data['provider']['domain']}",
        "",
        "topics:",
        *(f"  - {_q(t)}" for t in data["topics"]),
    ]
    if data["images"]:
        lines += ["", "images:", *_images_yaml(data["images"], "  ")]
    if data["related"]:
        lines += ["", "related:"]
        for rel in data["related"]:
            lines += [
                f"  - title: {_q(rel['title'])}",
                f"    excerpt: {_q(rel['excerpt'])}",
                f"    publishedDateTime: {rel['publishedDateTime']}",
                f"    webUrl: {_q(rel['webUrl'])}",
                f"    type: {rel['type']}",
                "    provider:",
                f"      name: {_q(rel['provider']['name'])}",
                f"      domain: {rel['provider']['domain']}",
                f"    quality: {rel['quality']}",
            ]
            if rel.get("images"):
                lines += ["    images:", *_images_yaml(rel["images"], "      ")]
    lines += ["", f"secured: {_q(data['secured'])}", "---", ""]
    return "\n".join(lines)


@dataclass
class _Tally:
    total_bytes: int = 0
    stories: int = 0
    exact: int = 0
    near: int = 0
    related: int = 0
    related_files: int = 0
    drafts: list[str] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)


def _story(gen: _Generator, room: int, tally: _Tally, force: str = "") -> list[dict[str, Any]]:
    """One story's files: a duplicate pair, a near-identical-headline group, or linked coverage.

    `force` ("exact", "near", "draft") picks the kind, so even a small corpus has each.
    """
    rng = gen.rng
    latest = END - PROBE_WINDOW
    topic = gen.main_topic()
    base = _minute(START + (latest - START) * rng.random())

    def later(max_minutes: int) -> dt.datetime:
        return min(_minute(base + dt.timedelta(minutes=rng.randint(1, max_minutes))), latest)

    kind = rng.random()
    if force:
        kind = {"exact": 0.0, "near": EXACT_DUP_SHARE, "draft": 1.0}[force]
    if kind < EXACT_DUP_SHARE and room >= 2:
        first = gen.article(topic, base)
        _add_external(gen, first, topic, latest, tally)
        copy = json.loads(json.dumps(first))
        query = rng.choice(words.TRACKING_QUERIES).format(hex=gen.token(8))
        for key in ("webUrl", "originalUrl"):
            if key in copy:
                copy[key] += ("&" if "?" in copy[key] else "?") + query
        copy["publishedDateTime"] = _stamp(later(90))
        copy["heat"] = rng.randint(0, 100)
        tally.exact += 1
        return [first, copy]
    if kind < EXACT_DUP_SHARE + NEAR_DUP_SHARE and room >= 2:
        first = gen.article(topic, base)
        members = [first]
        used = {first["provider"]["domain"]}
        for _ in range(min(room, rng.choice((2, 2, 3))) - 1):
            other = gen.article(topic, later(360), like=first, avoid=used)
            used.add(other["provider"]["domain"])
            members.append(other)
        for member in members:
            _add_external(gen, member, topic, latest, tally)
        tally.near += 1
        return members
    size = 1 if force == "draft" else min(room, _weighted(rng, GROUP_SIZES))
    members = [gen.article(topic, base)] + [gen.article(topic, later(2160)) for _ in range(size - 1)]
    for index, member in enumerate(members):
        siblings = [m for m in members if m is not member]
        count = _weighted(rng, gen.related_counts)
        if index:  # each later file names an earlier one, so the whole group is one story
            earlier = members[rng.randrange(index)]
            siblings.remove(earlier)
            member["related"].append(_as_related(earlier))
            tally.related_files += 1
            tally.related += 1
            count = max(count - 1, 0)
        for _ in range(count):
            if siblings and rng.random() < RELATED_TO_FILE:
                member["related"].append(_as_related(siblings.pop(rng.randrange(len(siblings)))))
                tally.related_files += 1
                tally.related += 1
            else:
                member["related"].append(gen.external_related(member, topic, latest))
                tally.related += 1
    if size == 1 and (rng.random() < DRAFT_SHARE or force == "draft"):
        members[0]["published"] = False
    return members


def _add_external(
    gen: _Generator, member: dict[str, Any], topic: str, latest: dt.datetime, tally: _Tally
) -> None:
    for _ in range(_weighted(gen.rng, gen.related_counts)):
        member["related"].append(gen.external_related(member, topic, latest))
        tally.related += 1


def _write(root: Path, gen: _Generator, data: dict[str, Any], tally: _Tally, plain: bool = False) -> str:
    data["secured"] = gen.secured()
    when = dt.datetime.strptime(data["publishedDateTime"], "%Y-%m-%dT%H:%M:%SZ")
    rel = gen.path(when, data)
    folder = rel.rsplit("/", 1)[0]
    if folder not in tally.folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
        tally.folders.add(folder)
    raw = gen.render(data, plain).encode("utf-8")
    with open(root / rel, "wb") as handle:
        handle.write(raw)
    tally.total_bytes += len(raw)
    tally.topics.update(t.strip() for t in data["topics"] if gen.known_topic(t.strip()))
    if not data["published"]:
        tally.drafts.append(rel)
    return rel


def probe_count(n: int) -> int:
    """How many newest stand-alone articles edit_one and delete_one may use."""
    return min(16, max(1, n // 20))


def make_generator(
    seed: int, n: int, shape: str | dict[str, Any] | None, rng: Random | None = None
) -> _Generator:
    """The generator of a shape: "original" (or None), "varied", or a varied shape's parameters."""
    if shape is None or shape == "original":
        return _Generator(seed, _pick_layout(n), rng=rng)
    from .varied import VariedGenerator  # the varied shape builds on this module

    return VariedGenerator(seed, n, None if shape == "varied" else shape, rng=rng)


def generate(root: Path, n: int, seed: int = 1, shape: str | dict[str, Any] | None = None) -> CorpusInfo:
    """Write N article files under `root` (emptied first if it holds an earlier corpus).

    `shape`: "original" (the default, shaped like seeds/), "varied" (parameters drawn from
    the seed, see bench/varied.py) or a varied shape's parameters (`varied.params`)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if root.exists() and any(root.iterdir()):
        if not (root / MANIFEST).exists():
            raise FileExistsError(f"{root} is not empty and holds no generated corpus; not touching it")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    gen = make_generator(seed, n, shape)
    layout = gen.layout
    tally = _Tally()
    probes = probe_count(n)
    written = 0
    while written < n - probes:
        force = ("exact", "near", "draft")[tally.stories] if tally.stories < 3 else ""
        for data in _story(gen, n - probes - written, tally, force):
            _write(root, gen, data, tally)
            written += 1
        tally.stories += 1
    probe_paths: list[str] = []
    texts: dict[str, str] = {}
    step = PROBE_WINDOW / (probes + 1)
    for k in range(probes):
        topic = gen.main_topic()
        data = gen.article(topic, _minute(END - PROBE_WINDOW + step * (k + 1)))
        data["topics"] = [t.strip() for t in data["topics"]]
        gen.probe(data)
        rel = _write(root, gen, data, tally, plain=True)
        probe_paths.insert(0, rel)
        texts[rel] = (root / rel).read_text(encoding="utf-8")
        tally.stories += 1
    info = CorpusInfo(
        root=str(root),
        n=n,
        seed=seed,
        layout=layout,
        total_bytes=tally.total_bytes,
        folders=len(tally.folders),
        stories=tally.stories,
        drafts=tuple(tally.drafts),
        related_entries=tally.related,
        related_to_files=tally.related_files,
        exact_dup_stories=tally.exact,
        near_dup_stories=tally.near,
        probes=tuple(probe_paths),
        topics=tuple(sorted(tally.topics)),
        probe_texts=texts,
        shape=gen.shape_info(),
    )
    _save_info(root, info)
    return info


# --- one change at a time, for the incremental figures ---------------------------------


def _info_or_fail(root: Path) -> CorpusInfo:
    info = load_info(root)
    if info is None:
        raise FileNotFoundError(f"{root} holds no generated corpus (no {MANIFEST})")
    return info


def _mark_dirty(root: Path, info: CorpusInfo) -> None:
    if info.clean:
        _save_info(root, replace(info, clean=False))


def _live_probes(root: Path, info: CorpusInfo) -> list[str]:
    return [p for p in info.probes if (root / p).exists()]


def live_probes(root: Path) -> list[Path]:
    """The stand-alone newest articles still present, newest first (what edit/delete use next)."""
    info = _info_or_fail(root)
    return [root / p for p in _live_probes(root, info)]


def edit_one(root: Path) -> Path:
    """Change the excerpt of the newest stand-alone published article; returns its path."""
    info = _info_or_fail(root)
    live = _live_probes(root, info)
    if not live:
        raise LookupError("no probe article left to edit")
    path = root / live[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("excerpt: "):
            text = json.loads(line[len("excerpt: ") :])
            match = _REVISION.match(text)
            revision = int(match.group(1)) + 1 if match else 1
            lines[i] = f"excerpt: {_q(f'[Update {revision}] ' + text[match.end() if match else 0 :])}"
            break
    else:
        raise ValueError(f"{path} has no excerpt line")
    _mark_dirty(root, info)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def add_one(root: Path) -> Path:
    """Write one new article in an existing topic, newer than every other; returns its path."""
    info = _info_or_fail(root)
    folder = root / info.probes[0].rsplit("/", 1)[0]
    k = 0
    while (folder / f"add-{k:04d}.md").exists():
        k += 1
    gen = make_generator(info.seed, info.n, info.shape, rng=Random(f"{info.seed}:add:{k}"))
    topic = gen.rng.choice(info.topics)
    data = gen.article(topic, END + dt.timedelta(minutes=k + 1))
    data["topics"] = [t.strip() for t in data["topics"]]
    gen.probe(data)
    data["secured"] = gen.secured()
    _mark_dirty(root, info)
    path = folder / f"add-{k:04d}.md"
    path.write_text(gen.render(data, plain=True), encoding="utf-8")
    return path


def delete_one(root: Path) -> Path:
    """Remove the newest stand-alone published article; returns the path it had."""
    info = _info_or_fail(root)
    live = _live_probes(root, info)
    if not live:
        raise LookupError("no probe article left to delete")
    path = root / live[0]
    _mark_dirty(root, info)
    path.unlink()
    return path


def restore(root: Path) -> None:
    """Undo every edit, addition and deletion, so the corpus is as generated again."""
    info = _info_or_fail(root)
    for rel, text in info.probe_texts.items():
        path = root / rel
        raw = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != raw:
            path.write_bytes(raw)
    for added in (root / info.probes[0].rsplit("/", 1)[0]).glob("add-*.md"):
        added.unlink()
    _save_info(root, replace(info, clean=True))
