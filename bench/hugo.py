"""Hugo on the benchmark corpus: the same files built into per-topic RSS feeds by Hugo.

A throwaway Hugo site whose content folder mirrors the corpus with hard links (the same
inodes, so the same page cache: warming the corpus warms Hugo's input). Hugo reads only
its content formats (`.md`, `.markdown`, ...), not `.txt`, so the corpus's `.txt` files
are linked under a `.md` name; nothing is copied or changed. The site:

- taxonomy `topic: topics` (our files' `topics` list), one RSS feed per term, of the
  50 newest pages (`rssLimit: 50`, which Hugo 0.111 reads; `services.rss.limit` for
  Hugo 0.114 and later), dated by `publishedDateTime`;
- pages are listed but never rendered (`build: {render: never, list: always}`, cascaded
  from the site config to every page), and the home, section, sitemap, robots.txt and
  404 kinds are disabled: Hugo reads and parses every file and writes term feeds only;
- an RSS template like Hugo's embedded one, but with each item's link and description
  from our front matter (`webUrl`, `excerpt`) as the aggregator's feeds have them.

Hugo reads `published: false` as a draft (its inverse of `draft: true`) and leaves those
pages out, as the aggregator does. It does not merge stories, render Atom, JSON Feed or
HTML pages, or keep state: it does less than our build.

A cold build runs with a fresh `publishDir`, `resourceDir` and `cacheDir` (all deleted
first) as a fresh `hugo` process; `check_output` then counts the term feeds and their
items against what the corpus holds, so a build that read nothing cannot pass.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from .floors import front_matter

RSS_LIMIT = 50
_CONTENT_EXTS = (".md", ".markdown")
RSS_TEMPLATE = """\
{{- $pages := .Pages -}}
{{- $limit := .Site.Config.Services.RSS.Limit -}}
{{- if ge $limit 1 }}{{ $pages = $pages | first $limit }}{{ end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{{ .Title }}</title>
    <link>{{ .Permalink }}</link>
    <description>{{ .Title }}</description>
    {{- with .OutputFormats.Get "RSS" }}
    {{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType | safeHTML }}
    {{- end }}
    {{- range $pages }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Params.webUrl }}</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>{{ .Params.webUrl }}</guid>
      <description>{{ .Params.excerpt | html }}</description>
    </item>
    {{- end }}
  </channel>
</rss>
"""


class HugoFailed(RuntimeError):
    """Hugo exited non-zero, or its output is not the feeds the corpus should give."""


def site_config(base_url: str, out: Path) -> dict[str, Any]:
    """The Hugo site config (written as hugo.yaml), with everything Hugo writes under `out`."""
    return {
        "baseURL": base_url,
        "title": "bench",
        "languageCode": "en",
        "disableKinds": ["home", "section", "sitemap", "robotsTXT", "404"],
        "taxonomies": {"topic": "topics"},
        "outputs": {"taxonomy": ["RSS"], "term": ["RSS"]},
        "rssLimit": RSS_LIMIT,  # Hugo 0.111 (Debian 12)
        "services": {"rss": {"limit": RSS_LIMIT}},  # Hugo 0.114 and later
        "frontmatter": {"date": ["publishedDateTime", ":default"]},
        "cascade": [{"_target": {"kind": "page"}, "build": {"render": "never", "list": "always"}}],
        "publishDir": str(out / "public"),
        "resourceDir": str(out / "resources"),
        "cacheDir": str(out / "cache"),
        "enableGitInfo": False,
        "timeout": "600s",
    }


def mirror(corpus: Path, content: Path) -> int:
    """Hard-link every article of `corpus` into `content` (`.txt` as `.md`); returns the count.

    Falls back to copying where hard links are impossible (another file system)."""
    if content.exists():
        shutil.rmtree(content)
    count = 0
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        target = content / Path(folder).relative_to(corpus)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.startswith("."):
                continue
            stem, ext = os.path.splitext(name)
            link = target / (name if ext in _CONTENT_EXTS else stem + ".md")
            try:
                os.link(Path(folder) / name, link)
            except OSError:
                shutil.copyfile(Path(folder) / name, link)
            count += 1
    return count


def write_site(site: Path, corpus: Path, base_url: str = "https://feeds.example.org/") -> Path:
    """The throwaway Hugo site for `corpus` in `site`; returns the folder Hugo writes to."""
    out = site / "out"
    site.mkdir(parents=True, exist_ok=True)
    (site / "hugo.yaml").write_text(yaml.safe_dump(site_config(base_url, out), sort_keys=False), "utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "rss.xml").write_text(RSS_TEMPLATE, encoding="utf-8")
    for name in ("single.html", "list.html"):  # never rendered; present so Hugo does not warn
        (layouts / name).write_text("", encoding="utf-8")
    mirror(corpus, site / "content")
    return out


def command(hugo: str, site: Path, out: Path) -> list[str]:
    """The cold build: Hugo 0.111 logs only warnings by default, and prints a short table."""
    return [
        hugo, "--source", str(site), "--destination", str(out / "public"),
        "--cacheDir", str(out / "cache"), "--noBuildLock",
    ]  # fmt: skip


def fresh(out: Path) -> None:
    """Delete what a cold build must not find: publishDir, resourceDir, cacheDir."""
    shutil.rmtree(out, ignore_errors=True)


_ITEM = re.compile(rb"<item>")


def term_feeds(public: Path) -> dict[str, int]:
    """Items per term feed Hugo wrote (`public/topics/<term>/index.xml`), by term folder."""
    return {
        path.parent.name: len(_ITEM.findall(path.read_bytes()))
        for path in sorted((public / "topics").glob("*/index.xml"))
    }


def _term_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def expected_items(corpus: Path) -> list[int]:
    """Items each term feed should hold (sorted): min(limit, pages of the term), over the
    corpus's topic names folded by case and spaces, drafts (`published: false`) left out.
    Read from the files, not from the generator."""
    counts: Counter[str] = Counter()
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            text = (Path(folder) / name).read_text(encoding="utf-8")
            data = yaml.load(front_matter(text), Loader=yaml.CSafeLoader) or {}
            if data.get("published") is False:
                continue
            counts.update({_term_key(str(t)) for t in data.get("topics") or () if str(t).strip()})
    return sorted(min(RSS_LIMIT, c) for c in counts.values())


def check_output(public: Path, expected: list[int]) -> dict[str, Any]:
    """Hugo's term feeds against the corpus: as many feeds, each with as many items."""
    feeds = term_feeds(public)
    got = sorted(feeds.values())
    summary = {"term_feeds": len(feeds), "items": sum(got), "expected_items": sum(expected)}
    if not feeds or not sum(got):
        raise HugoFailed(f"hugo wrote no term feed with items in {public / 'topics'}")
    if got != expected:
        raise HugoFailed(
            f"hugo's term feeds do not match the corpus: {len(got)} feeds with {sum(got)} items, "
            f"expected {len(expected)} feeds with {sum(expected)} items"
        )
    return summary


def pair_figures(ours: list[float], hugos: list[float]) -> dict[str, Any]:
    """Medians of each tool's runs and the median of the per-pair ratios (ours / hugo)."""
    if len(ours) != len(hugos) or not ours:
        raise ValueError("one Hugo run per aggregator run is needed")
    ratios = [round(a / h, 4) for a, h in zip(ours, hugos, strict=True)]
    return {
        "median_s": statistics.median(hugos),
        "runs_s": hugos,
        "aggregator_median_s": statistics.median(ours),
        "paired_ratios": ratios,
        "ratio": statistics.median(ratios),
    }
