"""The `aggregator` click group and what every command shares: options, config, exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aggregator import __version__
from aggregator.config import Config, ConfigError, load_config

T = TypeVar("T")
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --content and --output, shared by every command that reads content."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file [default: $AGGREGATOR_CONFIG, else config/aggregator.yaml, "
        "else the embedded defaults].",
    )
    @click.option(
        "--content",
        type=click.Path(file_okay=False, path_type=Path),
        help="Content folder (overrides content.dir).",
    )
    @click.option(
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        help="Output folder (overrides output.dir).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def load_cli_config(
    config_path: Path | None, content: Path | None, output: Path | None, **overrides: Any
) -> Config:
    """The config with command-line overrides; a bad value exits 2 with key and reason."""
    try:
        config = load_config(config_path)
        return config.with_overrides(content_dir=content, output_dir=output, **overrides)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)


def fail(message: str, code: int) -> Any:
    """One line on stderr, then exit with `code`."""
    click.echo(f"aggregator: {message}", err=True)
    sys.exit(code)


def content_view(view: Callable[[Config], T], config: Config) -> T:
    """Run a read-only view of the content; a missing content folder exits 2."""
    from aggregator.report import BuildError

    try:
        return view(config)
    except BuildError as exc:
        fail(str(exc), EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aggregator")
def main() -> None:
    """Turn a folder of news articles into per-topic Atom, RSS and JSON feeds."""


log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr as text, or as one JSON object a line (for log shippers).",
)
