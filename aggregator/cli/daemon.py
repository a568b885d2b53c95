"""The long-running commands: `serve` (web server and scheduler) and `scheduler`."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli.app import EXIT_PROBLEMS, EXIT_USAGE, common_options, fail, load_cli_config, main
from aggregator.config import Config

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
        fail(f"content folder not found: {config.content_dir}", EXIT_USAGE)
    configure_logging()
    try:
        clean = run_service(config, web=web, scheduler=scheduler)
    except OSError as exc:  # the address is taken or not ours to bind
        reason = exc.strerror or exc
        fail(f"cannot listen on {config.host}:{config.port}: {reason}", EXIT_PROBLEMS)
    if not clean:
        exit_now(0)  # a build overran the shutdown deadline; its thread must not hold up the exit
