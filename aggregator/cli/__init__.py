"""The `aggregator` command: a thin click layer over the library.

Exit codes: 0 built (skipped files are reported, not fatal); 1 with `--strict` when
anything was skipped, when `check` finds a problem, or when a build could not run;
2 for usage and config errors.
"""

from __future__ import annotations

import os
import sys

import click

from aggregator.cli import building, daemon, explaining, views
from aggregator.cli.app import EXIT_PROBLEMS, EXIT_USAGE, main
from aggregator.runtime import EXIT_HOLD

__all__ = ["EXIT_PROBLEMS", "EXIT_USAGE", "building", "daemon", "explaining", "main", "run", "views"]


def run() -> None:
    """The `aggregator` console script: `main`, then out without tearing the interpreter down.

    A cold build of a large folder leaves millions of objects in caches and modules;
    freeing them one by one at exit takes about half a second and helps nobody. Every
    command has closed its files and database by the time it returns, and what a one-shot
    build leaves behind is held until then (`EXIT_HOLD`), not freed one by one.
    """
    EXIT_HOLD.exits_after_command()
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
