"""Process-wide tuning for the duration of a build."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build.

    A build allocates millions of short-lived containers (YAML nodes, articles) while
    holding hundreds of thousands of long-lived ones, so the collector would keep
    walking the long-lived ones for nothing: nothing here makes reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ExitHold:
    """What a one-shot process leaves to be dropped with it: a cold build's millions of
    objects cost about half a second to free one by one, at the end of the build, and a
    collection walking them a second more, in a process that exits right after.

    Two conditions, so that nothing long-running ever holds: the console script says
    the process ends after its command (`exits_after_command`), and the command says it
    is one-shot (`hold`: `aggregator build`). `aggregator serve` never asks, so its
    scheduled builds free what they leave; nor does a test calling the CLI in-process.
    """

    def __init__(self) -> None:
        self._exits_after_command = False
        self._held: list[object] | None = None

    def exits_after_command(self) -> None:
        self._exits_after_command = True

    def hold(self) -> None:
        if self._exits_after_command:
            self._held = []

    def keep(self, value: object) -> None:
        if self._held is not None:
            self._held.append(value)
            gc.freeze()  # and out of the collector's sight: walking them would cost a second


EXIT_HOLD = ExitHold()
