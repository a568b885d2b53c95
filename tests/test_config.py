"""Config loading: embedded defaults, the file, the environment, and fail-fast errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.config import Config, ConfigError, config_from_mapping, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_equals_embedded_defaults() -> None:
    shipped = load_config(ROOT / "config" / "aggregator.yaml")
    assert shipped == Config(source=shipped.source)


def test_env_variable_selects_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("site:\n  title: From env\n")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(path))
    assert load_config(None).site_title == "From env"
    other = tmp_path / "d.yaml"
    other.write_text("site:\n  title: Explicit\n")
    assert load_config(other).site_title == "Explicit"  # --config wins


def test_extra_feeds_are_parsed() -> None:
    config = config_from_mapping(
        {
            "feeds": {
                "extra": [
                    {
                        "slug": "vision-best",
                        "title": "Best vision",
                        "topics": ["Computer Vision"],
                        "category": "news",
                        "provider": ["SciTech Daily"],
                        "min_quality": 50,
                        "max_items": 5,
                    }
                ]
            }
        }
    )
    spec = config.extra_feeds[0]
    assert spec.topics == ("computer-vision",)
    assert spec.categories == ("news",) and spec.providers == ("scitech daily",)
    assert spec.min_quality == 50 and spec.max_items == 5


def test_metrics_can_be_turned_off() -> None:
    assert Config().metrics is True
    assert config_from_mapping({"server": {"metrics": False}}).metrics is False


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        ({"site": {"base_url": "ftp://x"}}, "site.base_url", "absolute http(s) URL"),
        ({"site": {"base_url": "/relative"}}, "site.base_url", "absolute http(s) URL"),
        ({"feeds": {"max_items": 0}}, "feeds.max_items", "at least 1"),
        ({"feeds": {"max_items": "ten"}}, "feeds.max_items", "whole number"),
        ({"feeds": {"max_items": True}}, "feeds.max_items", "must be a number"),
        ({"schedule": {"interval_seconds": 0}}, "schedule.interval_seconds", "at least 1"),
        ({"server": {"port": 70000}}, "server.port", "between 0 and 65535"),
        ({"server": {"metrics": "no"}}, "server.metrics", "true or false"),
        ({"sites": {}}, "sites", "unknown section"),
        ({"site": {"titel": "x"}}, "site.titel", "unknown key"),
        ({"feeds": {"extra": [{"slug": "Bad Slug", "title": "x"}]}}, "feeds.extra[0].slug", "lower-case"),
        ({"feeds": {"extra": [{"slug": "all", "title": "x"}]}}, "feeds.extra[0].slug", "reserved"),
        ({"feeds": {"extra": [{"title": "x"}]}}, "feeds.extra[0].slug", "required"),
        (
            {"feeds": {"extra": [{"slug": "a", "title": "x", "min_quality": 200}]}},
            "feeds.extra[0].min_quality",
            "between 0 and 100",
        ),
        ({"stories": {"headline_threshold": 1.5}}, "stories.headline_threshold", "(0, 1]"),
        ({"content": {"patterns": []}}, "content.patterns", "at least one"),
        ([1, 2], "config", "mapping"),
    ],
)
def test_invalid_values_fail_fast_with_key_and_reason(data: object, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data)
    assert info.value.key == key
    assert reason in info.value.reason


def test_cli_reports_config_error_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  max_items: -3\n")
    result = CliRunner().invoke(main, ["build", "--config", str(bad)])
    assert result.exit_code == 2
    assert "feeds.max_items: must be at least 1" in result.output
    assert "Traceback" not in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("site: [\n")
    result = CliRunner().invoke(main, ["check", "--config", str(broken)])
    assert result.exit_code == 2 and "not valid YAML" in result.output
    result = CliRunner().invoke(main, ["topics", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "file not found" in result.output


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(main, ["build", "--no-such-flag"])
    assert result.exit_code == 2


def test_committed_default_config_is_the_one_the_table_gives() -> None:
    from aggregator.configschema import default_yaml

    assert (ROOT / "config" / "aggregator.yaml").read_text(encoding="utf-8") == default_yaml()


def test_readme_reference_is_the_one_the_table_gives() -> None:
    from aggregator.configschema import KEYS, with_readme_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_readme_table(readme) == readme
    assert all(f"| `{key.path}` |" in readme for key in KEYS)


def test_write_default_and_readme_commands(tmp_path: Path) -> None:
    import subprocess
    import sys

    readme = tmp_path / "README.md"
    original = (ROOT / "README.md").read_text(encoding="utf-8")
    start = original.index("<!-- config-reference: begin")
    end = original.index("<!-- config-reference: end -->")
    readme.write_text(
        original[:start] + original[start:end].split("\n", 1)[0] + "\n| stale |\n" + original[end:]
    )
    target = tmp_path / "aggregator.yaml"
    command = [sys.executable, "-m", "aggregator.config", "--write-default", str(target)]
    subprocess.run([*command, "--write-readme", str(readme)], check=True, cwd=tmp_path)
    assert load_config(target) == Config(source=str(target))
    assert readme.read_text(encoding="utf-8") == original
    usage = subprocess.run([sys.executable, "-m", "aggregator.config"], capture_output=True, text=True)
    assert usage.returncode == 2 and "nothing to do" in usage.stderr


def test_every_key_in_the_table_is_read_type_checked_and_named_in_errors() -> None:
    from aggregator.configschema import KEYS

    for key in KEYS:
        wrong = {"kind": "of thing"} if key.kind is not dict else ["a list"]
        with pytest.raises(ConfigError) as caught:
            config_from_mapping({key.section: {key.name: wrong}})
        assert caught.value.key == key.path and "must be" in caught.value.reason
    defaults = {key.section: {} for key in KEYS}
    for key in KEYS:
        value = key.default
        defaults[key.section][key.name] = (
            str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value
        )
    assert config_from_mapping(defaults, source="x") == Config(source="x")
