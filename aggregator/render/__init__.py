"""Rendering: stories and feeds in, bytes out. No I/O happens here."""

from .links import FeedLinks

__all__ = ["FeedLinks"]
