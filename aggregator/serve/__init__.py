"""Serving: the web app over the published folder, and the long-running processes
(web server, scheduler) with their clean shutdown."""

from aggregator.serve.web import create_app

__all__ = ["create_app"]
