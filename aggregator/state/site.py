"""Where a site's state store lives when `state.path` is not set.

A store remembers what one site published (story ids, when each changed), so two sites
built from one working folder (another content or output folder) must never share it:
each gets `.state/<output folder name>-<hash of both resolved folders>/aggregator.sqlite3`.
The folder stays where `.state/` always was (ignored by git, writable in the service
units); the name tells an operator whose it is.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATE_ROOT = Path(".state")


def default_state_path(content_dir: Path, output_dir: Path) -> Path:
    """The store of the site built from `content_dir` into `output_dir`."""
    both = f"{content_dir.resolve()}\0{output_dir.resolve()}"
    digest = hashlib.blake2b(both.encode("utf-8", "surrogateescape"), digest_size=6).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", output_dir.resolve().name).strip("-.") or "site"
    return STATE_ROOT / f"{name[:40]}-{digest}" / "aggregator.sqlite3"
