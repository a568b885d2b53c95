"""The problem collector every check writes to, and a small constant-building helper."""

from __future__ import annotations


class Report:
    """Collects problems as ``"error: ..."`` / ``"warning: ..."`` strings."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.problems.append(f"error: {where}: {message}")

    def warning(self, where: str, message: str) -> None:
        self.problems.append(f"warning: {where}: {message}")


def words(text: str) -> frozenset[str]:
    """A set from a whitespace-separated word list."""
    return frozenset(text.split())
