"""The `aggregator` command: a thin click layer over the library.

Exit codes: 0 built (skipped files are reported, not fatal); 1 with `--strict` when
anything was skipped, when `check` finds a problem, or when a build could not run;
2 for usage and config errors.
"""

from __future__ import annotations

import functools
import json
import os
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
        click.echo(f"aggregator: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aggregator")
def main() -> None:
    """Turn a folder of news articles into per-topic Atom, RSS and JSON feeds."""


@main.command()
@common_options
@click.option("--strict", is_flag=True, help="Exit 1 if any file was skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON on stdout.")
@click.option("--full", is_flag=True, help="Re-read and re-render everything, ignoring the manifest.")
def build(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    strict: bool,
    as_json: bool,
    full: bool,
) -> None:
    """Rebuild the feeds now (waits for a build already running)."""
    from aggregator.build import run_build
    from aggregator.report import BuildError, BuildLockTimeout
    from aggregator.state.errors import PublishFailed, StateUnavailable

    config = load_cli_config(config_path, content, output)

    def waiting() -> None:
        click.echo(
            f"aggregator: another build is running; waiting up to "
            f"{config.lock_timeout_seconds:g} s for it to finish",
            err=True,
        )

    try:
        report = run_build(config, full=full, on_wait=waiting)
    except BuildLockTimeout as exc:
        click.echo(f"aggregator: {exc}; not built", err=True)
        sys.exit(EXIT_PROBLEMS)
    except BuildError as exc:
        click.echo(f"aggregator: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except (OSError, StateUnavailable, PublishFailed) as exc:
        click.echo(f"aggregator: build failed: {exc}; the published feeds are unchanged", err=True)
        sys.exit(EXIT_PROBLEMS)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_report(report, config)
    if strict and report.skipped:
        sys.exit(EXIT_PROBLEMS)


def _print_report(report: Any, config: Config) -> None:
    from aggregator.report import display_path

    click.echo(
        f"Scanned {report.files_scanned} files in {config.content_dir}: {report.articles} articles, "
        f"{report.drafts} drafts, {report.scheduled} scheduled, {len(report.skipped)} skipped ({report.parsed} parsed this time)."
    )
    for problem in report.skipped:
        click.echo(f"  skipped {display_path(problem.path)}: {problem.reason}")
    for problem in report.warnings:
        click.echo(f"  warning {display_path(problem.path)}: {problem.reason}")
    click.echo(f"{report.stories} stories in {len(report.feeds)} feeds.")
    if report.nothing_changed:
        click.echo(f"Nothing changed; {report.unchanged} files in {config.output_dir} left as they are.")
    else:
        click.echo(
            f"Wrote {len(report.written)} files, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed, in {config.output_dir}."
        )
    click.echo(f"Done in {report.duration_ms} ms.")


def _content_view(view: Callable[[Config], T], config: Config) -> T:
    """Run a read-only view of the content; a missing content folder exits 2."""
    from aggregator.report import BuildError
    from aggregator.state.errors import StateUnavailable

    try:
        return view(config)
    except BuildError as exc:
        click.echo(f"aggregator: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except StateUnavailable as exc:
        click.echo(f"aggregator: {exc}", err=True)
        sys.exit(EXIT_PROBLEMS)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON on stdout.")
def check(config_path: Path | None, content: Path | None, output: Path | None, as_json: bool) -> None:
    """Validate the content folder without writing anything; exit 1 on any problem."""
    from aggregator.preview import check_content

    config = load_cli_config(config_path, content, output)
    result = _content_view(check_content, config)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        from aggregator.report import display_path

        for problem in result["problems"]:
            click.echo(f"{display_path(problem['path'])}: {problem['reason']}")
        for warning in result["warnings"]:
            click.echo(f"{display_path(warning['path'])}: warning: {warning['reason']}")
        click.echo(
            f"{result['files']} files: {result['articles']} articles, {result['drafts']} drafts, "
            f"{len(result['problems'])} problems, {len(result['warnings'])} warnings."
        )
    if result["problems"]:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the feeds as JSON on stdout.")
def topics(config_path: Path | None, content: Path | None, output: Path | None, as_json: bool) -> None:
    """List the feeds with their entry counts (without writing anything)."""
    from aggregator.preview import list_feeds

    config = load_cli_config(config_path, content, output)
    feeds = _content_view(list_feeds, config)
    if as_json:
        click.echo(json.dumps(feeds, indent=2, ensure_ascii=False))
        return
    width = max((len(f["slug"]) for f in feeds), default=4)
    click.echo(f"{'FEED':<{width}}  {'ENTRIES':>7}  {'STORIES':>7}  TITLE")
    for feed in feeds:
        click.echo(f"{feed['slug']:<{width}}  {feed['entries']:>7}  {feed['stories']:>7}  {feed['title']}")


@main.command()
@common_options
@click.option(
    "--topic", "topic_slug", metavar="SLUG", help="Only stories in this topic (slug, e.g. computer-vision)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON on stdout.")
def stories(
    config_path: Path | None, content: Path | None, output: Path | None, topic_slug: str | None, as_json: bool
) -> None:
    """List stories: id, primary article, members and why each one joined."""
    from aggregator.preview import current_stories, story_summary

    config = load_cli_config(config_path, content, output)
    found = _content_view(current_stories, config)
    if topic_slug:
        found = [s for s in found if any(t.slug == topic_slug for t in s.topics)]
    summaries = [story_summary(s) for s in found]
    if as_json:
        click.echo(json.dumps(summaries, indent=2, ensure_ascii=False))
        return
    for summary in summaries:
        click.echo(f"{summary['id']}  {summary['updated']}  [{', '.join(summary['topics'])}]")
        for member in summary["members"]:
            mark = "*" if member["primary"] else "-"
            where = f" ({', '.join(member['files'])})" if member["files"] else ""
            click.echo(f"  {mark} {member['reason']:<8} {member['provider']}: {member['title']}{where}")
            click.echo(f"    {member['url']}")
    click.echo(f"{len(summaries)} stories.")


# --- long-running processes: serve and scheduler --------------------------------------

interval_option = click.option(
    "--interval",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Seconds between rebuilds (overrides schedule.interval_seconds).",
)


@main.command()
@common_options
@click.option("--host", help="Address to listen on (overrides server.host).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on, 0 for any free one (overrides server.port).",
)
@interval_option
@click.option("--no-scheduler", is_flag=True, help="Only serve; another process rebuilds.")
def serve(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    host: str | None,
    port: int | None,
    interval: int | None,
    no_scheduler: bool,
) -> None:
    """Serve the feeds over HTTP and rebuild them on a schedule, until SIGTERM or Ctrl-C."""
    config = load_cli_config(config_path, content, output, host=host, port=port, interval_seconds=interval)
    _run_service(config, web=True, scheduler=not no_scheduler)


@main.command()
@common_options
@interval_option
def scheduler(
    config_path: Path | None, content: Path | None, output: Path | None, interval: int | None
) -> None:
    """Rebuild the feeds on a schedule without serving them (for split deployments)."""
    config = load_cli_config(config_path, content, output, interval_seconds=interval)
    _run_service(config, web=False, scheduler=True)


def _run_service(config: Config, *, web: bool, scheduler: bool) -> None:
    from aggregator.serve.service import configure_logging, exit_now, run_service

    if scheduler and not config.content_dir.is_dir():
        click.echo(f"aggregator: content folder not found: {config.content_dir}", err=True)
        sys.exit(EXIT_USAGE)
    configure_logging()
    try:
        clean = run_service(config, web=web, scheduler=scheduler)
    except OSError as exc:  # the address is taken or not ours to bind
        reason = exc.strerror or exc
        click.echo(f"aggregator: cannot listen on {config.host}:{config.port}: {reason}", err=True)
        sys.exit(EXIT_PROBLEMS)
    if not clean:
        exit_now(0)  # a build overran the shutdown deadline; its thread must not hold up the exit


def run() -> None:
    """The `aggregator` console script: `main`, then out without tearing the interpreter down.

    A cold build of a large folder leaves millions of objects in caches and modules;
    freeing them one by one at exit takes about half a second and helps nobody. Every
    command has closed its files and database by the time it returns.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            click.echo(exc.code, err=True)
            code = 1
    import logging

    logging.shutdown()  # flushes every handler
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
