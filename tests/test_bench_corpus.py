"""The benchmark's corpus: deterministic, shaped like seeds/, and accepted whole by the service.

A benchmark on a corpus the service partly rejects, or on one that differs between two
runs, would measure the wrong thing; these tests keep it honest (no timings here).
"""

from __future__ import annotations

from pathlib import Path

from conftest import Workspace

from bench import checks, corpus

N = 50


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def articles(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith(".")}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    corpus.generate(tmp_path / "a", N, seed=7)
    corpus.generate(tmp_path / "b", N, seed=7)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first == second
    assert len(articles(first)) == N
    corpus.generate(tmp_path / "c", N, seed=8)
    assert articles(snapshot(tmp_path / "c")) != articles(first)


def test_shape_size_and_nested_folders(tmp_path: Path) -> None:
    info = corpus.generate(tmp_path / "c", N)
    files = articles(snapshot(tmp_path / "c"))
    average = sum(len(data) for data in files.values()) / len(files)
    assert 1500 <= average <= 3500
    assert average == info.avg_bytes
    assert all("/" in name for name in files)
    assert len({name.rsplit("/", 1)[0] for name in files}) > 1
    assert info.drafts and info.exact_dup_stories and info.near_dup_stories


def test_the_service_builds_it_whole_and_hides_drafts(ws: Workspace) -> None:
    info = corpus.generate(ws.content, N)
    report = ws.build()
    assert report["skipped"] == []
    assert report["files_scanned"] == N
    assert report["drafts"] == len(info.drafts) > 0
    drafts = [checks.read_article(ws.content / path).url for path in info.drafts]
    checks.check_absent(ws.output, drafts, "draft")
    checks.check_present(ws.output, checks.read_article(ws.content / info.probes[0]), "newest article")


def test_each_change_shows_in_the_feeds_and_restore_undoes_it(ws: Workspace) -> None:
    corpus.generate(ws.content, N)
    before = snapshot(ws.content)
    ws.build()

    edited = checks.read_article(corpus.edit_one(ws.content))
    assert edited.excerpt.startswith("[Update 1] ")
    ws.build()
    checks.check_edited(ws.output, edited)

    added = checks.read_article(corpus.add_one(ws.content))
    ws.build()
    checks.check_present(ws.output, added, "added article")

    doomed = checks.read_article(corpus.live_probes(ws.content)[0])
    assert corpus.delete_one(ws.content) == doomed.path
    ws.build()
    checks.check_absent(ws.output, [doomed.url], "deleted article")

    corpus.restore(ws.content)
    assert snapshot(ws.content) == before
