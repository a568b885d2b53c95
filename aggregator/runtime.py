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
