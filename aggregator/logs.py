"""Log output on stderr: timestamped text lines by default, or one JSON object a line.

JSON lines are for log shippers: every line has the keys `time` (ISO 8601, UTC),
`level`, `logger` and `message`; a build's line adds `counts` (the same counts the
status file and `aggregator build --json` carry) and `duration_ms`. Every process of
the service (the supervisor, the web workers, the HTTP server) logs the same way; the
chosen format reaches the web workers through LOG_FORMAT_ENV.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("text", "json")
LOG_FORMAT_ENV = "AGGREGATOR_LOG_FORMAT"
HANDLER_NAME = "aggregator"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(JsonFormatter):
    """python-json-logger with the service's stable key names and UTC ISO times."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def formatter(log_format: str) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str | None = None, verbose: bool = False) -> None:
    """Lines on stderr: one per build, one per skipped file; `log_format` text or json.

    Without `log_format`, the one named in LOG_FORMAT_ENV (else text): a web worker
    started by `aggregator serve` logs as its supervisor does.
    """
    chosen = log_format or os.environ.get(LOG_FORMAT_ENV) or "text"
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    for handler in root.handlers:
        if handler.get_name() == HANDLER_NAME:
            handler.setFormatter(formatter(chosen))
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # APScheduler reports every run at INFO; the job logs its own line instead.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)


def dictconfig(log_format: str) -> dict[str, Any]:
    """The same format for the HTTP server's own loggers, as a logging.config mapping."""
    if log_format == "json":
        fmt: dict[str, Any] = {"()": "aggregator.logs.JsonLines"}
    else:
        fmt = {"()": "logging.Formatter", "fmt": TEXT_FORMAT}
    handler = {"formatter": "default", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "formatters": {"default": fmt},
        "handlers": {"console": handler},
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "granian.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
