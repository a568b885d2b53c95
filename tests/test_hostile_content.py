"""Hostile content folders: files built to crash, hang, exhaust or inject.

Every case goes through the real build (the CLI in-process, or a subprocess where a
failure could take the interpreter down) and checks both sides: the hostile file is
skipped with a reason or defused, and everything else is published and valid.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import ROOT, Workspace, article, front_matter, own_script_removed
from feedcheck import assert_valid

from aggregator.cli import main
from aggregator.ingest import parse as parsing
from aggregator.ingest import scan as content_module
from aggregator.ingest.frontmatter import ArticleError
from aggregator.ingest.normalise import MAX_RELATED, MAX_TITLE, parse_article

KIND = {".atom": "atom", ".rss": "rss", ".json": "json", ".opml": "opml"}
SECRET = "private-8d1e"
NOBODY = 65534
HEADER = "---\ntitle: Hostile\nwebUrl: https://example.com/h\npublishedDateTime: 2024-05-01T10:00:00Z\n"


def skipped(report: dict) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["skipped"]}


def assert_outputs_valid(ws: Workspace) -> dict[str, bytes]:
    outputs = ws.outputs()
    for name, data in outputs.items():
        suffix = name[name.rfind(".") :]
        if suffix in KIND:
            assert_valid(KIND[suffix], data)
        if suffix in (".atom", ".rss"):
            assert not feedparser.parse(data).bozo, name
    return outputs


def titles(ws: Workspace) -> list[str]:
    return [item["title"] for item in json.loads(ws.read("feeds/all.json"))["items"]]


def build_in_subprocess(ws: Workspace, **kwargs: object) -> dict:
    """A build in its own interpreter: a crash there is a failed test, not a dead run."""
    code = "import sys; from aggregator.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": tempfile.gettempdir()}
    done = subprocess.run(
        [sys.executable, "-c", code, "build", "--json", "--config", str(ws.config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        **kwargs,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging if the block does not finish in time."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- YAML built to exhaust the parser ---------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return HEADER + "\n".join(lines) + f"\ntopics: *a{levels}\n---\n"


NESTED = {
    "flow sequences": "k: " + "[ " * 100_000 + "]" * 100_000,
    "flow mappings": "k: " + "{a: " * 60_000 + "1" + "}" * 60_000,
    "compact sequences": "k:\n  " + "- " * 100_000 + "x",
    "compact keys": "k:\n  " + "? " * 100_000 + "x",
    "block indentation": "k:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1200)) + " " * 1200 + "v: 1",
}


def test_billion_laughs_is_rejected_fast_with_bounded_memory() -> None:
    data = billion_laughs().encode()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ArticleError, match="aliases expand to more than"):
            parse_article("bomb.md", data)
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 5_000_000


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(ArticleError, match="contains it"):
        parse_article("loop.md", (HEADER + "topics: &t [AI, *t]\n---\n").encode())


def test_modest_alias_use_still_loads(ws: Workspace) -> None:
    outlet = "provider: &outlet {name: Shared Outlet, domain: shared.example}\n"
    related = "related:\n  - title: Same story elsewhere\n    webUrl: https://shared.example/b\n    provider: *outlet\n"
    ws.add("aliases.md", HEADER + outlet + "topics: [AI]\n" + related + "---\n")
    report = ws.build()
    assert report["articles"] == 1 and not report["skipped"]
    item = json.loads(ws.read("feeds/all.json"))["items"][0]
    assert item["authors"][0]["name"] == "Shared Outlet"


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_deep_nesting_is_rejected_quickly(shape: str) -> None:
    data = (HEADER + NESTED[shape] + "\n---\n").encode()
    assert len(data) < 1_048_576  # within the default size limit: the guard, not the limit, stops it
    started = time.perf_counter()
    with pytest.raises(ArticleError, match="nested deeper than 64 levels"):
        parse_article("deep.md", data)
    assert time.perf_counter() - started < 1.0


def test_nesting_limit_is_exact() -> None:
    def nested(depth: int) -> bytes:
        # The document's mapping is level 1; `k` holds depth - 1 more.
        inner = "[ " * (depth - 1) + "x" + " ]" * (depth - 1)
        return (HEADER + f"k: {inner}\n---\n").encode()

    assert parse_article("ok.md", nested(64)).article.title == "Hostile"
    with pytest.raises(ArticleError, match="nested deeper than 64 levels"):
        parse_article("deep.md", nested(65))


def test_hostile_yaml_in_a_build_skips_only_those_files(ws: Workspace) -> None:
    # In a subprocess: before the guard, the deep files crashed libyaml (segfault).
    ws.copy_seeds()
    ws.add("bomb.md", billion_laughs())
    for i, shape in enumerate(sorted(NESTED)):
        ws.add(f"deep-{i}.md", HEADER + NESTED[shape] + "\n---\n")
    ws.add("huge-int.md", HEADER + "quality: !!int " + "9" * 5000 + "\n---\n")
    ws.add("python-tag.md", HEADER + "x: !!python/object/apply:os.system [echo owned]\n---\n")
    started = time.monotonic()
    report = build_in_subprocess(ws)
    assert time.monotonic() - started < 20
    reasons = skipped(report)
    assert "aliases expand" in reasons["bomb.md"]
    for i in range(len(NESTED)):
        assert "nested deeper than 64 levels" in reasons[f"deep-{i}.md"]
    assert "invalid YAML value" in reasons["huge-int.md"]
    assert "unsupported YAML tag" in reasons["python-tag.md"]
    assert report["articles"] == 1
    assert_outputs_valid(ws)


def test_impossible_dates_are_reported_not_crashes(ws: Workspace) -> None:
    ws.add(
        "feb30.md",
        front_matter(article(url="https://example.com/a")).replace(
            "publishedDateTime: '2024-05-01T10:00:00Z'", "publishedDateTime: 2024-02-30T10:00:00Z"
        ),
    )
    ws.add(
        "upd.md",
        front_matter(article(title="Updated on a day that never was", url="https://example.com/b")) + "",
    )
    (ws.content / "upd.md").write_text(
        (ws.content / "upd.md")
        .read_text()
        .replace("---\ncategory", "---\nupdatedDateTime: 2023-13-01\ncategory"),
        encoding="utf-8",
    )
    report = ws.build()
    assert "not an ISO 8601 date" in skipped(report)["feb30.md"]
    assert "internal error" not in json.dumps(report)
    assert any("'updatedDateTime' is not an ISO 8601 date" in w["reason"] for w in report["warnings"])
    assert titles(ws) == ["Updated on a day that never was"]


# --- size, links, permissions, races with the file system ---------------------------------


def padded(size: int, title: str, url: str) -> bytes:
    head = front_matter(article(title=title, url=url)).encode()
    return head + b"x" * (size - len(head))


def test_size_limit_from_config_and_by_default(ws: Workspace) -> None:
    ws.add("exact.md", padded(1_048_576, "Exactly one mebibyte", "https://example.com/exact"))
    ws.add("over.md", padded(1_048_577, "One byte too many", "https://example.com/over"))
    report = ws.build()
    assert skipped(report) == {"over.md": "file is larger than the limit of 1048576 bytes"}
    assert titles(ws) == ["Exactly one mebibyte"]

    ws.write_config({"content": {"max_file_bytes": 4096}})
    ws.add("small.md", padded(4096, "Small enough", "https://example.com/small"))
    report = ws.build()
    assert skipped(report)["exact.md"] == "file is larger than the limit of 4096 bytes"
    assert "small.md" not in skipped(report)
    assert titles(ws) == ["Small enough"]


def test_symlinks_are_followed_only_inside_and_loops_do_not_hang(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.md").write_text(
        front_matter(article(title=f"Leaked {SECRET}", url="https://private.example/x")), encoding="utf-8"
    )
    ws.add("real/inside.md", article(title="Inside the folder", url="https://example.com/inside"))
    links = ws.content / "links"
    links.mkdir()
    (links / "to-inside.md").symlink_to(ws.content / "real" / "inside.md")
    (links / "to-outside.md").symlink_to(outside / "secret.md")
    (links / "to-outside-dir").symlink_to(outside, target_is_directory=True)
    (links / "parent").symlink_to(ws.content, target_is_directory=True)  # a folder loop
    (links / "self").symlink_to(links, target_is_directory=True)
    (links / "a.md").symlink_to(links / "b.md")  # a file loop
    (links / "b.md").symlink_to(links / "a.md")
    (links / "dangling.md").symlink_to(links / "nowhere.md")
    with deadline(20):
        report = ws.build()
    reasons = skipped(report)
    assert reasons["links/to-outside.md"] == "symlink points outside the content folder; not followed"
    assert reasons["links/to-outside-dir"] == "symlink points outside the content folder; not followed"
    assert reasons["links/a.md"] == reasons["links/b.md"] == "symlink loop; not followed"
    assert "broken symlink" in reasons["links/dangling.md"]
    assert report["files_scanned"] == 2  # real/inside.md and the link to it, each once
    assert titles(ws) == ["Inside the folder"]
    for data in ws.outputs().values():
        assert SECRET.encode() not in data


def test_file_swapped_after_the_scan_is_checked_again_when_read(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(front_matter(article(title=f"Leaked {SECRET}", url="https://p.example/x")), "utf-8")
    ws.add("good.md", article(title="Still published", url="https://example.com/good"))
    ws.add("swapped.md", article(title="Swapped for a link", url="https://example.com/swap"))
    ws.add("fifo.md", article(title="Swapped for a FIFO", url="https://example.com/fifo"))
    real_scan = content_module.scan

    def scan_then_swap(*args: object):
        result = real_scan(*args)
        (ws.content / "swapped.md").unlink()
        (ws.content / "swapped.md").symlink_to(secret)
        (ws.content / "fifo.md").unlink()
        os.mkfifo(ws.content / "fifo.md")  # opening it for reading would block forever
        return result

    monkeypatch.setattr("aggregator.scanning.scan", scan_then_swap)
    with deadline(20):
        report = ws.build()
    reasons = skipped(report)
    assert reasons["swapped.md"] == "symlink points outside the content folder; not followed"
    assert reasons["fifo.md"] == "not a regular file"
    assert titles(ws) == ["Still published"]
    assert all(SECRET.encode() not in data for data in ws.outputs().values())


def test_file_deleted_or_rewritten_mid_scan(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.add("stays.md", article(title="Stays as it is", url="https://example.com/stays"))
    ws.add("deleted.md", article(title="Deleted after the scan", url="https://example.com/deleted"))
    ws.add("rewritten.md", article(title="Version one AAAA", url="https://example.com/rewritten"))
    real_read = parsing.read_file

    def read_then_meddle(root: Path, path: str, max_bytes: int, *rest: str | None) -> bytes:
        if path == "deleted.md":
            (root / path).unlink()  # listed by the scan, gone before it is read
        data = real_read(root, path, max_bytes, *rest)
        if path == "rewritten.md":
            # Rewritten right after it was read, to the same size within the same mtime
            # tick: its stat alone cannot tell the next scan that it changed.
            target = root / path
            before = target.stat()
            target.write_bytes(data.replace(b"Version one AAAA", b"Version two BBBB"))
            os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
        return data

    monkeypatch.setattr(parsing, "read_file", read_then_meddle)
    report = ws.build()
    assert not report["skipped"]
    assert sorted(titles(ws)) == ["Stays as it is", "Version one AAAA"]
    monkeypatch.undo()

    ws.build()  # nothing lost: the rewrite is picked up, the deletion stays a deletion
    assert sorted(titles(ws)) == ["Stays as it is", "Version two BBBB"]


def _give_to_nobody(path: Path) -> None:
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, NOBODY, NOBODY, follow_symlinks=False)


def build_as_nobody(ws: Workspace) -> dict:
    """Root reads every file, so a real EACCES needs another user: a forked child
    (the interpreter, which may live where `nobody` cannot read, is already loaded)."""
    ws.build()  # load every module the build needs while still root
    shutil.rmtree(ws.output)
    shutil.rmtree(ws.state.parent)
    _give_to_nobody(ws.root)
    (ws.content / "locked.md").chmod(0)
    (ws.content / "closed").chmod(0)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(main, ["build", "--json", "--config", str(ws.config)])
            os.write(writer, result.stdout.encode())
            code = result.exit_code
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as stream:
        output = stream.read()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return json.loads(output)


def test_unreadable_files_and_folders_are_reported(tmp_path: Path) -> None:
    as_root = os.geteuid() == 0
    # pytest's temporary folders are private to their owner: nobody could not enter them.
    base = Path(tempfile.mkdtemp(prefix="aggregator-unreadable-")) if as_root else tmp_path
    base.chmod(0o755)
    ws = Workspace(base)
    ws.add("readable.md", article(title="Readable", url="https://example.com/r"))
    ws.add("locked.md", article(title="Locked file", url="https://example.com/l"))
    ws.add("closed/inner.md", article(title="In a closed folder", url="https://example.com/c"))
    try:
        if as_root:
            report = build_as_nobody(ws)
        else:
            (ws.content / "locked.md").chmod(0)
            (ws.content / "closed").chmod(0)
            report = ws.build()
        reasons = skipped(report)
        assert reasons["locked.md"] == "cannot read: Permission denied"
        assert reasons["closed"] == "cannot list folder: Permission denied"
        assert titles(ws) == ["Readable"]
    finally:
        (ws.content / "closed").chmod(0o755)
        if as_root:
            shutil.rmtree(base, ignore_errors=True)


def test_names_with_spaces_unicode_and_newlines(ws: Workspace) -> None:
    names = ["with space.md", "ünïcødé 記事.md", "new\nline.md", "tab\there.md", "quote\"'.md"]
    for i, name in enumerate(names):
        ws.add(name, article(title=f"Story number {i} from a file", url=f"https://example.com/{i}"))
    ws.add("bad\nname.md", "no front matter here\n")
    report = ws.build()
    assert report["articles"] == len(names)
    assert list(skipped(report)) == ["bad\nname.md"]
    assert_outputs_valid(ws)
    human = ws.cli("build", "--full").stdout
    assert "skipped bad\\nname.md: no front matter" in human  # one line per problem, escaped


# --- text built to run code in a reader or break the XML ------------------------------------

PAYLOADS = (
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(2)" onclick="alert(3)">click</a>',
    '<iframe src="https://evil.example/frame"></iframe>',
    "<style>body{background:url(https://evil.example/css)}</style>",
    '<p style="behavior:url(https://evil.example/htc)">styled</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
    '<svg onload="alert(4)"><math><mtext><table><mglyph><style><img src=x onerror=alert(5)>',
    '"><img src=x onerror=alert(6)>',
)
# What a link field may be given instead of an http(s) URL. (As words in a title,
# "javascript:" is inert escaped text; as a URL it must never get through.)
URL_PAYLOADS = (
    "javascript:alert(7)",
    "JaVaScRiPt:alert(8)",
    " javascript:alert(9)",
    "java\tscript:alert(10)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(11)",
    "//evil.example/protocol-relative",
)
FORBIDDEN = (
    "<script",
    "onerror",
    "onclick",
    "onload",
    "javascript:",
    "data:text",
    "<iframe",
    "evil.example",
    "<svg",
    "behavior:",
    "vbscript:",
)


def hostile(text: str, i: int) -> str:
    return f"Field {i} {text} end"


def test_active_content_in_every_text_field_is_absent_from_every_output(ws: Workspace) -> None:
    for i, payload in enumerate(PAYLOADS):
        ws.add(
            f"x{i}.md",
            article(
                title=hostile(payload, i),
                url=f"https://example.com/x{i}",
                excerpt=hostile(payload, i),
                category=hostile(payload, i),
                type=hostile(payload, i),
                topics=[hostile(payload, i), "Safe topic"],
                provider={"name": hostile(payload, i), "domain": payload},
                images=[
                    {"url": payload},
                    {"url": URL_PAYLOADS[i % len(URL_PAYLOADS)]},
                    {"url": f"https://img.example/{i}.png"},
                ],
                related=[
                    {
                        "title": hostile(payload, i),
                        "excerpt": hostile(payload, i),
                        "webUrl": f"https://other.example/{i}",
                        "provider": {"name": hostile(payload, i), "domain": "other.example"},
                        "publishedDateTime": "2024-05-01T09:00:00Z",
                    },
                    {"title": "Link only", "webUrl": payload},
                    *({"title": f"Bad link {u}", "webUrl": u} for u in URL_PAYLOADS),
                ],
            ),
        )
    report = ws.build()
    assert report["articles"] == len(PAYLOADS)
    outputs = assert_outputs_valid(ws)
    for name, data in outputs.items():
        lowered = own_script_removed(name, data.decode("utf-8")).lower()
        for bad in FORBIDDEN:
            assert bad not in lowered, (name, bad)
        if name.endswith(".html"):
            assert b"<style" not in data.lower() and b" style=" not in data.lower(), name  # no inline CSS
    # The markup goes, the words stay (after an unclosed <style>, everything is style).
    shown = sorted(entry.title for entry in feedparser.parse(outputs["feeds/all.atom"]).entries)
    assert shown == [
        "Field 0 end",
        "Field 1 end",
        "Field 2 click end",
        "Field 3 end",
        "Field 4 end",
        "Field 5 styled end",
        "Field 6 data end",
        "Field 7",
        'Field 8 "> end',
    ]


def test_xml_illegal_characters_and_surrogates_keep_every_feed_valid(ws: Workspace) -> None:
    # Raw control characters in the file: libyaml refuses the stream, so they are dropped
    # with a warning and the article survives.
    ws.add(
        "raw.md",
        HEADER.replace("Hostile", "Raw \x07bell\x0c feed") + 'excerpt: "a\x1bb\x7fc\x85d\ufffee"\n---\n',
    )
    # Escaped ones: YAML turns them into the characters; the model drops them.
    ws.add(
        "escaped.md",
        '---\ntitle: "Escaped \\a\\x0b\\e\\x80\\uFFFE\\uFFFF chars"\nwebUrl: https://example.com/e\n'
        'publishedDateTime: 2024-05-02T10:00:00Z\nexcerpt: "\\0nul \\x1f unit"\ntopics: ["\\x07AI\\x08"]\n---\n',
    )
    # An unpaired surrogate cannot be loaded at all: skipped with the reason.
    ws.add(
        "surrogate.md",
        '---\ntitle: "Lone \\ud800 half"\nwebUrl: https://example.com/s\n'
        "publishedDateTime: 2024-05-03T10:00:00Z\n---\n",
    )
    report = ws.build()
    assert "invalid Unicode character escape" in skipped(report)["surrogate.md"]
    assert any(w["path"] == "raw.md" and "control characters" in w["reason"] for w in report["warnings"])
    assert sorted(titles(ws)) == ["Escaped chars", "Raw bell feed"]
    for data in assert_outputs_valid(ws).values():
        text = data.decode("utf-8")
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
        assert "\ufffe" not in text and "\uffff" not in text and "\x85" not in text


def test_title_of_100000_characters_is_truncated_at_a_word(ws: Workspace) -> None:
    words = " ".join(f"word{i}" for i in range(15_000))[:100_000]
    ws.add("long.md", article(title=words, url="https://example.com/long"))
    ws.add(
        "one-word.md",
        article(title="x" * 100_000, url="https://example.com/one", date="2024-05-02T10:00:00Z"),
    )
    started = time.monotonic()
    report = ws.build()
    assert time.monotonic() - started < 10
    assert report["articles"] == 2
    by_url = {item["url"]: item["title"] for item in json.loads(ws.read("feeds/all.json"))["items"]}
    long_title, one_word = by_url["https://example.com/long"], by_url["https://example.com/one"]
    assert len(long_title) <= MAX_TITLE and long_title.endswith("…")
    assert words.startswith(long_title[:-1])
    assert words[len(long_title) - 1] == " "  # cut at a word boundary
    assert one_word == "x" * (MAX_TITLE - 1) + "…"
    assert_outputs_valid(ws)


def test_ten_thousand_related_items_are_bounded(ws: Workspace) -> None:
    related = [
        {"title": f"Coverage number {i}", "webUrl": f"https://outlet{i}.example/story"} for i in range(10_000)
    ]
    ws.add("many.md", article(title="One story, ten thousand outlets", related=related))
    started = time.monotonic()
    report = ws.build()
    assert time.monotonic() - started < 20
    assert any(f"more than {MAX_RELATED} related items" in w["reason"] for w in report["warnings"])
    item = json.loads(ws.read("feeds/all.json"))["items"][0]
    assert len(item["_story"]["members"]) == MAX_RELATED + 1
    assert len(ws.read("feeds/all.atom")) < 200_000
    assert_outputs_valid(ws)
