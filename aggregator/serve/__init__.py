"""Serving: the web app over the published folder, and the long-running processes
(web server, scheduler) with their clean shutdown.

`create_app` is imported on first use: `aggregator build` loads `serve.websub` to ping
hubs, and must not pay for importing Flask (about a fifth of a second) to do it.
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from aggregator.serve.web import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
