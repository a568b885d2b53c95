"""Two sites built from one working folder with the default config never share state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.serve.web import create_app
from tests.conftest import SEEDS


def _build(*args: str) -> dict:
    result = CliRunner().invoke(main, ["build", "--json", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no config file: every setting is the embedded default."""
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def _retitle_first(folder: Path) -> None:
    first = sorted(folder.glob("000_*"))[0]
    head, _sep, body = first.read_text(encoding="utf-8").partition("\n---\n")
    data = yaml.safe_load(head.removeprefix("---\n"))
    data["title"] = "A different headline for the other site entirely"
    first.write_text("---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body, encoding="utf-8")


def test_another_site_from_the_same_folder_changes_nothing_of_the_first(workdir: Path) -> None:
    _build("--content", "seeds", "--output", "out1")
    before = _snapshot(workdir / "out1")
    assert before

    shutil.copytree(workdir / "seeds", workdir / "other")
    _retitle_first(workdir / "other")
    second = _build("--content", "other", "--output", "out2")
    assert second["written"]
    assert (
        b"A different headline for the other site" in (workdir / "out2" / "feeds" / "all.atom").read_bytes()
    )

    again = _build("--content", "seeds", "--output", "out1")
    assert again["written"] == []
    assert _snapshot(workdir / "out1") == before  # same bytes, untouched files


def test_each_site_has_its_own_store_lock_and_status(workdir: Path) -> None:
    shutil.copytree(workdir / "seeds", workdir / "other")
    one = load_config(None).with_overrides(content_dir=Path("seeds"), output_dir=Path("out1"))
    two = load_config(None).with_overrides(content_dir=Path("other"), output_dir=Path("out1"))
    three = load_config(None).with_overrides(content_dir=Path("seeds"), output_dir=Path("out2"))
    paths = {c.state_path for c in (one, two, three)}
    assert len(paths) == 3
    for config in (one, two, three):
        assert config.state_path.parent.parent == Path(".state")
        assert config.lock_path.parent == config.status_path.parent == config.state_path.parent

    _build("--content", "seeds", "--output", "out1")
    assert one.state_path.is_file() and one.status_path.is_file()
    assert not two.state_path.exists() and not three.state_path.exists()
    # /healthz of a web worker with the same settings finds this site's last build.
    health = create_app(one).test_client().get("/healthz")
    assert health.status_code == 200, health.json
    assert health.json["status"] == "ok"
    assert create_app(three).test_client().get("/healthz").status_code == 503


def test_an_explicit_state_path_is_used_as_written(workdir: Path) -> None:
    (workdir / "site.yaml").write_text(yaml.safe_dump({"state": {"path": "mystate/s.sqlite3"}}))
    result = CliRunner().invoke(main, ["build", "--config", "site.yaml", "--output", "outx"])
    assert result.exit_code == 0, result.output
    assert (workdir / "mystate" / "s.sqlite3").is_file()
    assert (workdir / "mystate" / "s.sqlite3.status.json").is_file()
    assert not (workdir / ".state").exists()
