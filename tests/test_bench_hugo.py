"""The Hugo comparison of `make bench`: its site config, its checks and its arithmetic.

The Hugo build itself runs only where `hugo` is installed (Debian's 0.111 or later).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bench import corpus, hugo, report


def test_site_config_asks_for_term_rss_only_and_never_renders_pages(tmp_path: Path) -> None:
    config = hugo.site_config("https://feeds.example.org/", tmp_path / "out")
    assert config["taxonomies"] == {"topic": "topics"}
    assert config["outputs"] == {"taxonomy": ["RSS"], "term": ["RSS"]}
    assert config["rssLimit"] == 50 and config["services"]["rss"]["limit"] == 50
    assert {"home", "section", "sitemap", "robotsTXT", "404"} <= set(config["disableKinds"])
    assert config["cascade"] == [
        {"_target": {"kind": "page"}, "build": {"render": "never", "list": "always"}}
    ]
    assert config["frontmatter"]["date"][0] == "publishedDateTime"
    for key in ("publishDir", "resourceDir", "cacheDir"):  # all under out/, which a cold build deletes
        assert Path(config[key]).parent == tmp_path / "out"


def test_write_site_links_every_article_and_renames_txt(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    corpus.generate(root, 60, seed=3)
    out = hugo.write_site(tmp_path / "site", root)
    assert out == tmp_path / "site" / "out"
    written = yaml.safe_load((tmp_path / "site" / "hugo.yaml").read_text(encoding="utf-8"))
    assert written == hugo.site_config("https://feeds.example.org/", out)
    assert (tmp_path / "site" / "layouts" / "_default" / "rss.xml").read_text(
        encoding="utf-8"
    ) == hugo.RSS_TEMPLATE
    sources = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    links = sorted((tmp_path / "site" / "content").rglob("*.*"))
    assert len(links) == len(sources) and any(p.suffix == ".txt" for p in sources)
    assert all(p.suffix in (".md", ".markdown") for p in links)
    for source in sources:
        rel = source.relative_to(root)
        link = tmp_path / "site" / "content" / (rel.with_suffix(".md") if rel.suffix == ".txt" else rel)
        assert os.path.samefile(link, source)  # a hard link: the same file, the same page cache
    assert not (tmp_path / "site" / "content" / corpus.MANIFEST).exists()


def test_pair_figures_are_medians_and_the_median_of_pair_ratios() -> None:
    fig = hugo.pair_figures([2.0, 9.0, 6.0], [1.0, 3.0, 2.0])
    assert fig["paired_ratios"] == [2.0, 3.0, 3.0]
    assert fig["ratio"] == 3.0
    assert fig["median_s"] == 2.0 and fig["aggregator_median_s"] == 6.0
    assert fig["runs_s"] == [1.0, 3.0, 2.0]
    # not the ratio of the medians (6 / 2 = 3 here too, so a case where they differ):
    assert hugo.pair_figures([10.0, 1.0], [1.0, 1.0])["ratio"] == 5.5
    with pytest.raises(ValueError):
        hugo.pair_figures([1.0], [1.0, 2.0])


def _feed(public: Path, term: str, items: int) -> None:
    path = public / "topics" / term / "index.xml"
    path.parent.mkdir(parents=True)
    path.write_text("<rss><channel>" + "<item></item>" * items + "</channel></rss>", encoding="utf-8")


def test_check_output_counts_feeds_and_items(tmp_path: Path) -> None:
    public = tmp_path / "public"
    _feed(public, "ai", 50)
    _feed(public, "space", 3)
    assert hugo.check_output(public, [3, 50]) == {"term_feeds": 2, "items": 53, "expected_items": 53}
    with pytest.raises(hugo.HugoFailed, match="do not match"):
        hugo.check_output(public, [4, 50])
    with pytest.raises(hugo.HugoFailed, match="no term feed"):
        hugo.check_output(tmp_path / "empty", [])


def test_expected_items_fold_spellings_cap_at_the_limit_and_skip_drafts(tmp_path: Path) -> None:
    def article(name: str, topics: list[str], published: bool = True) -> None:
        data = {
            "title": name,
            "webUrl": f"https://x.example/{name}",
            "published": published,
            "topics": topics,
        }
        (tmp_path / f"{name}.md").write_text("---\n" + yaml.safe_dump(data) + "---\n", encoding="utf-8")

    for k in range(55):
        article(f"a{k}", ["AI"] if k % 2 else ["ai ", "Computer  Vision"])
    article("d", ["Drafts only"], published=False)
    article("c", ["computer vision"])
    assert hugo.expected_items(tmp_path) == [29, 50]


def _results(hugo_part: dict) -> dict:
    figure = {"median_s": 1.0, "runs_s": [1.0]}
    builds = {"cold": figure | {"paired_ratios": [0.5]}}
    floors = {"stat_walk": figure, "csafe_parse": figure}
    report.score(floors, builds)
    return {
        "floors": floors,
        "builds": builds,
        "memory": {"peak_bytes": 10**8, "runs_bytes": [10**8], "pass": True},
        "hugo": hugo_part,
        "corpus": {"avg_bytes": 2048},
    }


def test_the_table_shows_hugo_beside_the_floors_or_says_why_not() -> None:
    fig = hugo.pair_figures([1.0], [0.5]) | {
        "peak_bytes": 2 * 10**8,
        "runs_bytes": [2 * 10**8],
        "cpu_seconds": [0.4],
        "version": "hugo v0.111.3",
        "check": {"term_feeds": 2, "items": 53, "expected_items": 53},
    }
    text = report.table(_results(fig))
    lines = text.splitlines()
    assert lines[4].startswith("Hugo cold build") and "0.500 s" in lines[4]  # right after the floors
    assert any(line.startswith("cold build vs Hugo") and "2.00x" in line for line in lines)
    assert "2 term RSS feeds with 53 items" in text
    skipped = report.table(_results({"skipped": "hugo is not installed"}))
    assert "Hugo cold build: skipped (hugo is not installed)" in skipped
    assert "cold build vs Hugo" not in skipped
    both = report.compare({"original": _results(fig), "varied": _results({"skipped": "x"})})
    assert "2.00x" in both and "skipped" in both


HUGO = shutil.which("hugo")


@pytest.mark.skipif(HUGO is None, reason="hugo is missing: `apt-get install hugo` to run Hugo on the corpus")
@pytest.mark.parametrize("shape", ["original", "varied"])
def test_hugo_builds_term_feeds_with_every_item(tmp_path: Path, shape: str) -> None:
    root = tmp_path / "corpus"
    corpus.generate(root, 120, seed=2, shape=shape)
    out = hugo.write_site(tmp_path / "site", root)
    assert HUGO is not None
    subprocess.run(hugo.command(HUGO, tmp_path / "site", out), check=True, capture_output=True)
    summary = hugo.check_output(out / "public", hugo.expected_items(root))
    assert summary["term_feeds"] > 5 and summary["items"] > 100
