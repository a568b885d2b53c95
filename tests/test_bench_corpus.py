"""The benchmark's corpus: deterministic, shaped like seeds/, and accepted whole by the service.

A benchmark on a corpus the service partly rejects, or on one that differs between two
runs, would measure the wrong thing; these tests keep it honest (no timings here).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import Workspace

from bench import checks, corpus, varied
from bench.floors import front_matter

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


# --- the original shape stays as it was; the varied shape --------------------------------

# sha256 over (relative path, bytes) of every file, manifest included, of the corpus the
# generator wrote before the varied shape existed (N=50, seed 7): any change to what the
# original shape writes must be deliberate (and bump corpus.GENERATOR_VERSION).
ORIGINAL_N50_SEED7 = "cf4f18a87daf8a58498e267d6b17fdc78ad8808524c03611c055670d5d510265"


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def test_the_original_shape_is_byte_identical_to_before(tmp_path: Path) -> None:
    corpus.generate(tmp_path / "a", 50, seed=7)
    corpus.generate(tmp_path / "b", 50, seed=7, shape="original")
    assert digest(tmp_path / "a") == digest(tmp_path / "b") == ORIGINAL_N50_SEED7
    assert "shape" not in json.loads((tmp_path / "a" / corpus.MANIFEST).read_text(encoding="utf-8"))


def test_varied_shape_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = corpus.generate(tmp_path / "a", N, seed=7, shape="varied")
    corpus.generate(tmp_path / "b", N, seed=7, shape="varied")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert len(articles(snapshot(tmp_path / "a"))) == N
    assert first.shape == varied.params(7) and first.shape_name == "varied"
    corpus.generate(tmp_path / "c", N, seed=8, shape="varied")
    assert articles(snapshot(tmp_path / "c")) != articles(snapshot(tmp_path / "a"))
    assert corpus.load_info(tmp_path / "a") == first


def test_varied_shape_is_not_the_original_one(tmp_path: Path) -> None:
    """What the varied shape promises is in its files: bodies, other YAML layouts, new words."""
    info = corpus.generate(tmp_path / "v", 400, seed=3, shape="varied")
    texts = {name: data.decode("utf-8") for name, data in articles(snapshot(tmp_path / "v")).items()}
    bodies = [t for t in texts.values() if not t.endswith("---\n")]
    assert 0.2 < len(bodies) / len(texts) < 0.4
    assert any("topics: [" in t for t in texts.values())
    assert any(": >-\n" in t for t in texts.values())
    assert any("\n# imported " in t for t in texts.values())
    assert any("title: '" in t for t in texts.values())
    assert len(info.topics) > 100
    assert any(name.count("/") >= 2 for name in texts)  # some files one folder deeper
    headline_words = {w for t in texts.values() for w in checks_title(t).split()}
    assert len(headline_words) > 1500  # the original shape has about 560 in all


def checks_title(text: str) -> str:
    data = yaml.load(front_matter(text), Loader=yaml.CSafeLoader)
    return data["title"]


def test_varied_layouts_carry_the_same_values_as_plain_yaml(tmp_path: Path, monkeypatch) -> None:
    """Every restyled file loads to exactly what its plain block YAML would."""
    seen: list[tuple[str, ...]] = []
    render = varied.VariedGenerator.render

    def checked(self, data, plain=False):  # type: ignore[no-untyped-def]
        text = render(self, data, plain)
        styles = () if plain else tuple(data.get("_styles", ()))
        if styles:
            reference = corpus.render(data)
            if data.get("_no_excerpt"):
                reference = re.sub(r"\nexcerpt: [^\n]*", "", reference, count=1)
            got = yaml.load(front_matter(text), Loader=yaml.CSafeLoader)
            assert got == yaml.load(front_matter(reference), Loader=yaml.CSafeLoader), styles
            seen.append(styles)
        return text

    monkeypatch.setattr(varied.VariedGenerator, "render", checked)
    corpus.generate(tmp_path / "v", 300, seed=5, shape="varied")
    assert {style for styles in seen for style in styles} == set(varied._STYLES)


def test_the_service_checks_the_varied_shape_clean(tmp_path: Path) -> None:
    """`aggregator check` through the installed CLI accepts every file of the varied shape."""
    content = tmp_path / "content"
    corpus.generate(content, 120, seed=2, shape="varied")
    cli = Path(sys.executable).parent / "aggregator"
    done = subprocess.run(
        [str(cli), "check", "--content", str(content), "--output", str(tmp_path / "out"), "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # no config/aggregator.yaml there: the embedded defaults
        env={k: v for k, v in os.environ.items() if k != "AGGREGATOR_CONFIG"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["files"] == 120 and report["problems"] == []


def test_the_service_builds_the_varied_shape_and_each_change_shows(ws: Workspace) -> None:
    info = corpus.generate(ws.content, N, seed=4, shape="varied")
    before = snapshot(ws.content)
    report = ws.build()
    assert report["skipped"] == [] and report["files_scanned"] == N
    assert report["drafts"] == len(info.drafts)
    checks.check_absent(ws.output, [checks.read_article(ws.content / p).url for p in info.drafts], "draft")

    edited = checks.read_article(corpus.edit_one(ws.content))
    ws.build()
    checks.check_edited(ws.output, edited)
    added = checks.read_article(corpus.add_one(ws.content))
    ws.build()
    checks.check_present(ws.output, added, "added article")
    doomed = checks.read_article(corpus.live_probes(ws.content)[0])
    corpus.delete_one(ws.content)
    ws.build()
    checks.check_absent(ws.output, [doomed.url], "deleted article")
    corpus.restore(ws.content)
    assert snapshot(ws.content) == before


def test_one_factor_at_a_time(tmp_path: Path) -> None:
    """bench/ablate.py's shapes: the baseline and each factor generate and differ."""
    base = corpus.generate(tmp_path / "base", 60, seed=1, shape=varied.with_factors(1, []))
    assert base.shape is not None and base.shape["vocabulary"] == 0
    for factor in varied.FACTORS:
        shape = varied.with_factors(1, [factor])
        assert all(shape[key] == varied.params(1)[key] for key in varied.FACTORS[factor])
        corpus.generate(tmp_path / "f", 60, seed=1, shape=shape)
