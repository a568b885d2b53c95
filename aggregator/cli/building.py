"""`aggregator build`: one rebuild now, its report, and its progress on a terminal."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aggregator.cli.app import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    common_options,
    load_cli_config,
    log_format_option,
    main,
)
from aggregator.config import Config
from aggregator.report import plural


@main.command()
@common_options
@click.option("--strict", is_flag=True, help="Exit 1 if any file was skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON on stdout.")
@click.option("--full", is_flag=True, help="Re-read and re-render everything, ignoring the manifest.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress line (shown on a terminal for builds over a second)."
)
@click.option(
    "--changed",
    "changed",
    multiple=True,
    type=click.Path(path_type=str),
    metavar="PATH",
    help="A file that was added, edited or deleted (repeat for more): look at these "
    "instead of walking the whole content folder.",
)
@log_format_option
def build(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    strict: bool,
    as_json: bool,
    full: bool,
    quiet: bool,
    changed: tuple[str, ...],
    log_format: str,
) -> None:
    """Rebuild the feeds now (waits for a build already running).

    With --changed, only the named files are looked at (a quick rebuild for a large
    folder, from an editor or a git hook); any other change waits for the next build
    without it. With --log-format json the report is logged on stderr as JSON lines
    (one per problem, then the build's line with its counts) instead of printed as text.
    """
    from aggregator.build import run_build
    from aggregator.cli.progress import TerminalProgress, wanted
    from aggregator.report import BuildError, BuildLockTimeout
    from aggregator.runtime import EXIT_HOLD
    from aggregator.state.errors import PublishFailed, StateUnavailable

    config = load_cli_config(config_path, content, output)
    say = _teller(log_format)
    named = _named_paths(config, changed) if changed else None

    def waiting() -> None:
        say(
            f"aggregator: another build is running; waiting up to "
            f"{config.lock_timeout_seconds:g} s for it to finish",
            logging.INFO,
        )

    display = TerminalProgress() if wanted(quiet) else None
    EXIT_HOLD.hold()  # one build, then the process ends: what it leaves is not freed
    try:
        report = run_build(config, full=full, on_wait=waiting, progress=display, changed=named)
    except BuildLockTimeout as exc:
        say(f"aggregator: {exc}; not built")
        sys.exit(EXIT_PROBLEMS)
    except BuildError as exc:
        say(f"aggregator: {exc}")
        sys.exit(EXIT_USAGE)
    except (OSError, StateUnavailable, PublishFailed) as exc:
        say(f"aggregator: build failed: {exc}; the published feeds are unchanged")
        sys.exit(EXIT_PROBLEMS)
    finally:
        if display is not None:
            display.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    if log_format == "json":
        from aggregator.serve.scheduler import log_report

        log_report(report, logging.getLogger("aggregator.build"), only_new=False)
    elif not as_json:
        print_report(report, config)
    _ping_hubs(config, report)
    if strict and report.skipped:
        sys.exit(EXIT_PROBLEMS)


BUILD_PING_SECONDS = 5.0


def _ping_hubs(config: Config, report: Any) -> None:
    """Tell the WebSub hubs what this build changed before exiting, waiting at most
    BUILD_PING_SECONDS: a hub that is down or slow costs that much, never the build."""
    if not config.hubs:
        return  # most sites: no WebSub module to import at all
    from aggregator.serve.websub import start_pinger

    pinger = start_pinger(config)
    if pinger is not None:
        pinger.after_build(report)
        pinger.close(wait=BUILD_PING_SECONDS)


def _teller(log_format: str) -> Callable[..., None]:
    """How a command reports on stderr: a plain line, or a JSON log line."""
    if log_format != "json":
        return lambda message, level=logging.ERROR: click.echo(message, err=True)
    from aggregator.logs import configure_logging

    configure_logging("json")
    logger = logging.getLogger("aggregator.build")
    return lambda message, level=logging.ERROR: logger.log(level, "%s", message.removeprefix("aggregator: "))


def print_report(report: Any, config: Config) -> None:
    from aggregator.report import display_path

    click.echo(
        f"{'Scanned' if report.scan == 'walk' else 'Checked the named'} "
        f"{plural(report.files_scanned, 'file')} in {config.content_dir}: "
        f"{plural(report.articles, 'article')}, {plural(report.drafts, 'draft')}, "
        f"{report.scheduled} scheduled, {len(report.skipped)} skipped ({report.parsed} parsed this time)."
    )
    for problem in report.skipped:
        click.echo(f"  skipped {display_path(problem.path)}: {problem.reason}")
    for problem in report.warnings:
        click.echo(f"  warning {display_path(problem.path)}: {problem.reason}")
    click.echo(f"{plural(report.stories, 'story', 'stories')} in {plural(len(report.feeds), 'feed')}.")
    if report.nothing_changed:
        click.echo(
            f"Nothing changed; {plural(report.unchanged, 'file')} in {config.output_dir} left as they are."
        )
    else:
        click.echo(
            f"Wrote {plural(len(report.written), 'file')}, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed, in {config.output_dir}."
        )
    click.echo(f"Done in {report.duration_ms} ms.")


def _named_paths(config: Config, changed: tuple[str, ...]) -> list[str]:
    """--changed paths (as typed: relative to the working folder) inside the content folder."""
    import os

    from aggregator.ingest.named import OutsideContent, relative_paths

    try:
        return relative_paths(config.content_dir, [os.path.abspath(path) for path in changed])
    except OutsideContent as exc:
        raise click.UsageError(f"--changed {exc}") from None
