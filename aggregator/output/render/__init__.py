"""Rendering: stories and feeds in, bytes out. No I/O happens here."""

from aggregator.output.render.links import FeedLinks

__all__ = ["FeedLinks"]
