"""The long-running commands: `serve` (web server and scheduler) and `scheduler`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from aggregator.cli.app import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    common_options,
    fail,
    load_cli_config,
    log_format_option,
    main,
)
from aggregator.config import Config

interval_option = click.option(
    "--interval",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Seconds between rebuilds (overrides schedule.interval_seconds).",
)
watch_option = click.option(
    "--no-watch",
    is_flag=True,
    help="Do not watch the content folder; rebuild on the interval only (overrides schedule.watch).",
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
@watch_option
@log_format_option
def serve(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    host: str | None,
    port: int | None,
    interval: int | None,
    no_scheduler: bool,
    no_watch: bool,
    log_format: str,
) -> None:
    """Serve the feeds over HTTP and rebuild them on a schedule, until SIGTERM or Ctrl-C."""
    config = load_cli_config(
        config_path,
        content,
        output,
        host=host,
        port=port,
        interval_seconds=interval,
        watch=False if no_watch else None,
    )
    _run_service(config, web=True, scheduler=not no_scheduler, log_format=log_format)


@main.command()
@common_options
@interval_option
@watch_option
@log_format_option
def scheduler(
    config_path: Path | None,
    content: Path | None,
    output: Path | None,
    interval: int | None,
    no_watch: bool,
    log_format: str,
) -> None:
    """Rebuild the feeds on a schedule without serving them (for split deployments)."""
    config = load_cli_config(
        config_path, content, output, interval_seconds=interval, watch=False if no_watch else None
    )
    _run_service(config, web=False, scheduler=True, log_format=log_format)


def _run_service(config: Config, *, web: bool, scheduler: bool, log_format: str) -> None:
    from aggregator.logs import configure_logging
    from aggregator.serve.service import exit_now, run_service
    from aggregator.serve.webserver import WebServerFailed

    if scheduler and not config.content_dir.is_dir():
        fail(f"content folder not found: {config.content_dir}", EXIT_USAGE)
    configure_logging(log_format)
    try:
        clean = run_service(config, web=web, scheduler=scheduler, log_format=log_format)
    except OSError as exc:  # the address is taken or not ours to bind
        reason = exc.strerror or exc
        fail(f"cannot listen on {config.host}:{config.port}: {reason}", EXIT_PROBLEMS)
    except WebServerFailed as exc:
        logging.getLogger("aggregator.service").error("%s", exc)
        exit_now(EXIT_PROBLEMS)
    if not clean:
        exit_now(0)  # a build overran the shutdown deadline; its thread must not hold up the exit
