"""Shared helpers: content folders written on the fly, and the CLI run in-process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from aggregator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def article(
    title: str = "A headline about something",
    url: str = "https://example.com/news/a",
    date: str = "2024-05-01T10:00:00Z",
    topics: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "news",
        "title": title,
        "excerpt": f"Excerpt of {title}.",
        "publishedDateTime": date,
        "webUrl": url,
        "type": "article",
        "quality": 50,
        "heat": 50,
        "published": True,
        "provider": {"name": "Example News", "domain": "example.com"},
        "topics": topics if topics is not None else ["AI"],
    }
    data.update(extra)
    return data


def related(title: str, url: str, date: str = "2024-05-01T11:00:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "webUrl": url,
        "publishedDateTime": date,
        "provider": {"name": extra.pop("provider", "Elsewhere"), "domain": "elsewhere.example"},
        **extra,
    }


def front_matter(data: dict[str, Any], body: str = "") -> str:
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body


class Workspace:
    """A content folder, an output folder and a state store under tmp_path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "out"
        self.state = root / "state" / "state.sqlite3"
        self.content.mkdir()
        self.config = root / "aggregator.yaml"
        self.write_config({})

    def write_config(self, extra: dict[str, Any]) -> None:
        data: dict[str, Any] = {
            "site": {"base_url": "https://feeds.example.org/"},
            "content": {"dir": str(self.content)},
            "output": {"dir": str(self.output)},
            "state": {"path": str(self.state)},
        }
        for section, values in extra.items():
            data.setdefault(section, {}).update(values)
        self.config.write_text(yaml.safe_dump(data), encoding="utf-8")

    def add(self, name: str, data: dict[str, Any] | str | bytes, body: str = "") -> Path:
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_text(front_matter(data, body), encoding="utf-8")
        return path

    def remove(self, name: str) -> None:
        (self.content / name).unlink()

    def copy_seeds(self) -> None:
        for seed in SEEDS.iterdir():
            shutil.copy(seed, self.content / seed.name)

    def cli(self, *args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(main, [args[0], "--config", str(self.config), *args[1:]])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output, result.exception)
        return result

    def build(self, *args: str, expect: int | None = 0) -> dict[str, Any]:
        result = self.cli("build", "--json", *args, expect=expect)
        return json.loads(result.stdout)

    def read(self, name: str) -> bytes:
        """A published file by its path in the output folder; a bare feed file name
        (`ai.atom`) is the feed's, which lives in `feeds/`."""
        if "/" not in name and name.endswith((".atom", ".rss", ".json")):
            name = f"feeds/{name}"
        return (self.output / name).read_bytes()

    def outputs(self) -> dict[str, bytes]:
        """Every published file by its path in the output folder (`feeds/ai.atom`)."""
        return {
            p.relative_to(self.output).as_posix(): p.read_bytes()
            for p in sorted(self.output.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }


def own_script_removed(name: str, text: str, base_url: str = "https://feeds.example.org/") -> str:
    """A page's text without the one script tag the site itself adds (its copy buttons),
    so that a check for `<script` finds only what content might have smuggled in."""
    if not name.endswith(".html"):
        return text
    tag = f'<script src="{base_url}assets/site.js" defer></script>'
    assert text.count(tag) == 1, name
    return text.replace(tag, "")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


@pytest.fixture
def make_ws(tmp_path: Path) -> Callable[[str], Workspace]:
    def make(name: str) -> Workspace:
        folder = tmp_path / name
        folder.mkdir()
        return Workspace(folder)

    return make


# --- a real PostgreSQL server, for the state in PostgreSQL ----------------------------


@pytest.fixture(scope="session")
def pg_server_session() -> Any:
    """One throwaway server for the whole run; a missing server is an error, not a skip."""
    from pgserver import pg_server

    with pg_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server_session: Any, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server, for one test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:6]
    return pg_server_session.create_database(name)
