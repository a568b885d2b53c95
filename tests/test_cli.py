"""The command line as a person reads it: topics by name, dated listings, plurals, YAML
error positions, markup warnings."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Workspace, article


def topical(ws: Workspace) -> None:
    ws.add("cv.md", article("Cameras read batteries", "https://e.example/cv", topics=["Computer Vision"]))
    ws.add("ai.md", article("Models write code", "https://e.example/ai", "2024-05-02T10:00:00Z"))


@pytest.mark.parametrize(
    "wanted", ["Computer Vision", "computer vision", "computer-vision", "COMPUTER-VISION"]
)
def test_stories_topic_takes_a_name_or_a_slug(ws: Workspace, wanted: str) -> None:
    topical(ws)
    found = json.loads(ws.cli("stories", "--topic", wanted, "--json").stdout)
    assert [s["title"] for s in found] == ["Cameras read batteries"]
    assert ws.cli("stories", "--topic", wanted).stdout.endswith("1 story.\n")


def test_unknown_topic_exits_2_naming_the_known_ones(ws: Workspace) -> None:
    topical(ws)
    result = ws.cli("stories", "--topic", "Robotics", expect=2)
    assert "no topic matches 'Robotics'" in result.stderr
    assert "AI (ai)" in result.stderr and "Computer Vision (computer-vision)" in result.stderr
    assert result.stdout == ""


def test_stories_are_listed_newest_first_with_labelled_dates(ws: Workspace) -> None:
    ws.add("old.md", article("Old news of the week", "https://e.example/old", "2024-05-01T10:00:00Z"))
    ws.add("new.md", article("Fresh news today", "https://e.example/new", "2024-05-03T10:00:00Z"))
    ws.add(
        "mid.md",
        article(
            "Middle news edited",
            "https://e.example/mid",
            "2024-05-02T10:00:00Z",
            updatedDateTime="2024-05-04T08:00:00Z",
        ),
    )
    found = json.loads(ws.cli("stories", "--json").stdout)
    assert [s["title"] for s in found] == ["Middle news edited", "Fresh news today", "Old news of the week"]
    lines = ws.cli("stories").stdout.splitlines()
    assert lines[0].split() == ["STORY", "PUBLISHED", "UPDATED", "TOPICS"]
    first = lines[1].split()
    assert first[1:3] == ["2024-05-02T10:00:00Z", "2024-05-04T08:00:00Z"]
    assert "published 2024-05-02T10:00:00Z  https://e.example/mid" in lines[3]
    assert lines[-1] == "3 stories."


def test_counts_agree_with_their_nouns(ws: Workspace) -> None:
    ws.add("a.md", article())
    ws.add("draft.md", article(url="https://e.example/draft", published=False))
    built = ws.cli("build").stdout
    assert "Scanned 2 files" in built and "1 article, 1 draft," in built
    assert "1 story in 2 feeds." in built  # all and ai
    checked = ws.cli("check").stdout
    assert checked.strip().endswith("2 files: 1 article, 1 draft, 0 problems, 0 warnings.")
    ws.remove("draft.md")
    ws.add("b.md", "---\ntitle: [not, text]\n---\n")
    checked = ws.cli("check", expect=1).stdout
    assert checked.strip().endswith("2 files: 1 article, 0 drafts, 1 problem, 0 warnings.")


@pytest.mark.parametrize("blank_lines", [0, 2])
def test_an_open_quote_is_reported_where_it_opened(ws: Workspace, blank_lines: int) -> None:
    lines = [
        "---",
        'title: "Harbour reopens',  # the quote is never closed
        "webUrl: https://e.example/h",
        "publishedDateTime: 2024-05-01T10:00:00Z",
        "topics: [AI]",
        "---",
    ]
    ws.add("open.md", "\n" * blank_lines + "\n".join(lines) + "\nbody\n")
    [problem] = json.loads(ws.cli("check", "--json", expect=1).stdout)["problems"]
    opened, noticed = 2 + blank_lines, 6 + blank_lines  # file lines of the quote and the closing ---
    assert f"at line {noticed}, column 1" in problem["reason"]
    assert f"quoted scalar that began at line {opened}, column 8" in problem["reason"]


def test_markup_removed_from_title_or_excerpt_is_a_warning_once_per_file(ws: Workspace) -> None:
    ws.add("tags.md", article("<b>Big</b> news", "https://e.example/1", excerpt="An <i>italic</i> summary"))
    ws.add("entity.md", article("AT&amp;T and Fish & Chips: 5 < 6", "https://e.example/2"))
    ws.add("plain.md", article("Plain words only", "https://e.example/3"))
    warnings = json.loads(ws.cli("check", "--json").stdout)["warnings"]
    assert warnings == [
        {
            "path": "tags.md",
            "reason": "markup removed from title/excerpt (title, excerpt); shown as plain text",
        }
    ]
    report = ws.build()
    assert [w["path"] for w in report["warnings"]] == ["tags.md"]
    assert "warning tags.md: markup removed from title/excerpt" in ws.cli("build", "--full").stdout


_IMPORTS_AFTER_BUILD = """
import sys
from aggregator.cli import main
try:
    main(["build", "--config", sys.argv[1], "--json"])
except SystemExit as exc:
    assert not exc.code, exc.code
print("flask" in sys.modules, "aggregator.serve.websub" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize(("hubs", "pinger_loaded"), [([], False), (["http://127.0.0.1:9/"], True)])
def test_a_build_loads_the_web_stack_only_for_what_it_does(
    ws: Workspace, hubs: list[str], pinger_loaded: bool
) -> None:
    """`aggregator build` runs after every edit from scripts and watchers: importing
    Flask for nothing costs each run a fifth of a second. It imports the WebSub pinger
    only when hubs are configured, and the pinger itself needs no Flask."""
    import subprocess
    import sys

    ws.add("a.md", article())
    ws.write_config({"websub": {"hubs": hubs}} if hubs else {})
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_AFTER_BUILD, str(ws.config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["articles"] == 1
    flask, pinger = done.stderr.strip().splitlines()[-1].split()
    assert (flask, pinger) == ("False", str(pinger_loaded))
