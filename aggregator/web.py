"""The WSGI entry point by its documented name: `gunicorn 'aggregator.web:create_app()'`."""

from aggregator.serve.web import create_app

__all__ = ["create_app"]
