"""Topic feed aggregation and syndication."""

__version__ = "0.1.0"
