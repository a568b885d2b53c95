"""`aggregator build` on the seeds and on small folders: layout, content rules, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from conftest import SEEDS, Workspace, article

SECURED_SEED_VALUES = ["+ujiZh6UgCq0i/Auj1EoPDnRGknhWoh9DzYcM0m", "cqo+5yf0pk9+y11G/UJkum+W0kP6fU2F3Nn2wqm"]


# The output folder mirrors the URL space: what the seeds publish, file by file.
SEEDS_LAYOUT = sorted(
    [f"feeds/{s}.{f}" for s in ("ai", "computer-vision", "all") for f in ("atom", "rss", "json")]
    + ["topics/ai/index.html", "topics/computer-vision/index.html"]
    + ["index.html", "feeds.opml", "feed.css", "assets/site.css", "assets/site.js"]
)


def test_seeds_build_writes_expected_layout(ws: Workspace) -> None:
    ws.copy_seeds()
    report = ws.build()
    assert sorted(ws.outputs()) == SEEDS_LAYOUT
    assert report["files_scanned"] == 2
    assert report["articles"] == 1 and report["drafts"] == 1
    assert report["skipped"] == []


def test_console_script_builds_seeds_with_cli_flags(tmp_path: Path) -> None:
    out = tmp_path / "OUT"
    env = {**os.environ, "AGGREGATOR_CONFIG": ""}
    state_dir = tmp_path / "run"
    state_dir.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "build", "--content", str(SEEDS), "--output", str(out)],
        cwd=state_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {len(SEEDS_LAYOUT)} files" in proc.stdout
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == SEEDS_LAYOUT


def test_console_script_exit_codes_and_output_survive_its_fast_exit(tmp_path: Path) -> None:
    # The console script leaves with os._exit: everything printed must still arrive,
    # and every exit code must be the command's own.
    def console(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "aggregator.cli", *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    out = tmp_path / "out"
    built = console("build", "--json", "--content", str(SEEDS), "--output", str(out))
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["articles"] == 1  # the whole report, flushed
    missing = console("build", "--config", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and "missing.yaml" in missing.stderr
    assert console("--version").stdout.startswith("aggregator")
    assert console("no-such-command").returncode == 2


def test_draft_and_secured_appear_nowhere(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.build()
    state_bytes = ws.state.read_bytes()
    for name, data in ws.outputs().items():
        text = data.decode("utf-8")
        assert "phys.org" not in text.lower(), name  # the draft seed's outlet
        assert "study lithium ion batteries" not in text, name
        for secret in SECURED_SEED_VALUES:
            assert secret not in text, name
    for secret in SECURED_SEED_VALUES:
        assert secret.encode() not in state_bytes
    report = ws.cli("build", "--json").stdout
    assert all(secret not in report for secret in SECURED_SEED_VALUES)


def test_entries_parse_with_expected_fields(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.build()
    atom = feedparser.parse(ws.read("feeds/computer-vision.atom"))
    rss = feedparser.parse(ws.read("feeds/computer-vision.rss"))
    for parsed in (atom, rss):
        assert not parsed.bozo, parsed.bozo_exception
        assert len(parsed.entries) == 1
        entry = parsed.entries[0]
        assert entry.title == "Computer vision reveals the working of lithium-ion batteries in detail"
        assert (
            entry.link
            == "https://www.bahrainthisweek.com/computer-vision-reveals-working-lithium-ion-batteries-detail/"
        )
        assert entry.id.startswith("urn:uuid:")
        assert {t.term for t in entry.tags} >= {"AI", "Computer Vision"} or {t.term for t in entry.tags} >= {
            "ai",
            "computer-vision",
        }
        assert "More coverage" in entry.content[0].value
        assert "imveurope.com" in entry.content[0].value
        assert entry.media_content[0]["url"].endswith("computer-vision-1.jpg")
    assert atom.entries[0].id == rss.entries[0].id
    assert rss.entries[0].enclosures[0]["type"] == "image/jpeg"
    related = [link.href for link in atom.entries[0].links if link.rel == "related"]
    assert len(related) == 2
    feed = json.loads(ws.read("feeds/computer-vision.json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://feeds.example.org/feeds/computer-vision.json"
    item = feed["items"][0]
    assert item["id"] == atom.entries[0].id
    assert item["content_html"] and item["url"].startswith("https://")
    assert sorted(item["tags"]) == ["AI", "Computer Vision"]


def test_same_input_gives_identical_bytes_and_second_build_writes_nothing(make_ws) -> None:
    first, second = make_ws("one"), make_ws("two")
    for w in (first, second):
        w.copy_seeds()
        w.add(
            "more/b.md",
            article("Robots learn to fold laundry", "https://robots.example/fold", topics=["Robotics"]),
        )
    report_one = first.build()
    assert sorted(report_one["written"]) == sorted(first.outputs())
    assert len(report_one["written"]) == 12 + 3 + 5  # 4 feeds x 3 formats, 3 topic pages, 5 site files
    second.build()
    assert first.outputs() == second.outputs()
    mtimes = {p: p.stat().st_mtime_ns for p in first.output.rglob("*")}
    again = first.build()
    assert again["written"] == [] and again["removed"] == []
    full = first.build("--full")
    assert full["written"] == []
    assert mtimes == {p: p.stat().st_mtime_ns for p in first.output.rglob("*")}


def test_newest_first_and_item_cap(ws: Workspace) -> None:
    ws.write_config({"feeds": {"max_items": 3}})
    words = [
        "Volcano erupts near island",
        "Parliament passes budget",
        "Comet seen over desert",
        "Chess champion retires early",
        "Bakery wins national prize",
        "Bridge reopens after repairs",
    ]
    for day in range(1, 7):
        ws.add(
            f"a{day}.md", article(words[day - 1], f"https://example.com/{day}", f"2024-05-0{day}T10:00:00Z")
        )
    ws.build()
    parsed = feedparser.parse(ws.read("feeds/ai.atom"))
    assert [e.link for e in parsed.entries] == [f"https://example.com/{d}" for d in (6, 5, 4)]
    topics = ws.cli("topics", "--json")
    assert {
        "slug": "ai",
        "title": "Topic feeds: AI",
        "kind": "topic",
        "entries": 3,
        "stories": 6,
    } in json.loads(topics.stdout)


def test_removed_topic_feed_files_are_deleted(ws: Workspace) -> None:
    ws.add("a.md", article(topics=["AI"]))
    ws.add("b.md", article("Another distinct thing entirely", "https://example.com/b", topics=["Space"]))
    ws.build()
    assert (ws.output / "feeds/space.atom").exists()
    ws.remove("b.md")
    report = ws.build()
    assert not (ws.output / "feeds/space.atom").exists()
    assert not (ws.output / "topics/space").exists()  # the page and its folder
    assert {"feeds/space.atom", "topics/space/index.html"} <= set(report["removed"])


def test_failed_build_leaves_previous_output_intact(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.copy_seeds()
    ws.build()
    before = ws.outputs()
    ws.add("new.md", article("Brand new story about batteries", "https://example.com/new"))

    import aggregator.output.render.jsonfeed as jsonfeed

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(jsonfeed, "render_json", broken)
    import aggregator.build as build

    with pytest.raises(RuntimeError):
        from aggregator.config import load_config

        build.run_build(load_config(ws.config))
    assert ws.outputs() == before
    status = json.loads((ws.state.parent / (ws.state.name + ".status.json")).read_text())
    assert status["status"] == "error" and "renderer exploded" in status["error"]
    monkeypatch.undo()
    report = ws.build()
    assert report["articles"] == 2


def test_outputs_removed_by_hand_are_restored(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.build()
    (ws.output / "feeds/ai.rss").unlink()
    report = ws.build()
    assert report["written"] == ["feeds/ai.rss"]
    (ws.output / "topics/ai/index.html").unlink()
    assert ws.build()["written"] == ["topics/ai/index.html"]


def test_strict_and_exit_codes(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.add("broken.md", "no front matter here\n")
    report = ws.build()
    assert [s["path"] for s in report["skipped"]] == ["broken.md"]
    ws.cli("build", "--strict", expect=1)
    ws.cli("check", expect=1)
    ws.remove("broken.md")
    ws.cli("check", expect=0)
    ws.cli("build", "--strict", expect=0)


def test_human_summary_names_skipped_files(ws: Workspace) -> None:
    ws.copy_seeds()
    ws.add("empty.md", "")
    out = ws.cli("build").stdout
    assert "Scanned 3 files" in out
    assert "skipped empty.md: empty file" in out
    assert f"Wrote {len(SEEDS_LAYOUT)} files" in out
    assert "Done in" in out


def test_help_everywhere() -> None:
    from click.testing import CliRunner

    from aggregator.cli import main

    for command in ([], ["build"], ["check"], ["topics"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_missing_content_folder_is_a_usage_error(ws: Workspace, tmp_path: Path) -> None:
    result = ws.cli("build", "--content", str(tmp_path / "nope"), expect=2)
    assert "content folder not found" in result.output
    assert "Traceback" not in result.output
