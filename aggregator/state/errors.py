"""Errors of the state store that a user can act on (never a driver's traceback)."""

from __future__ import annotations


class StateUnavailable(RuntimeError):
    """The state database could not be reached, or the connection was lost mid-build.

    The build's transaction is then rolled back: the store keeps the last build's state,
    and the next build starts from it.
    """


class PublishFailed(RuntimeError):
    """The site could not be published (an object store refused or was unreachable).

    Whatever was published before stays readable; the next build publishes again.
    """
