"""Which published file a URL names: the one mapping from request paths to the output folder.

The Flask routes and the lean feed path both ask here, so a change of the output
folder's layout is one edit in one place.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from aggregator.output.render.links import FORMATS, INDEX_FILE, OPML_FILE

# What a feed file may be called: the config's slug rule plus a known extension. Checked
# before the file system is touched, so `..`, slashes, dots and encodings never get near it.
FEED_FILE_RE = re.compile(
    r"^(?=.{1,200}$)(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<ext>" + "|".join(FORMATS) + ")$"
)
FEEDS_PREFIX = "/feeds/"
# No URL of ours is anywhere near this long; longer ones get 414 before routing.
MAX_URL_LENGTH = 8192


class Target(NamedTuple):
    """A published file, relative to the output folder, and the kind of file it is."""

    name: str
    kind: str


def feed_file(name: str) -> Target | None:
    """The file behind `/feeds/<name>`, or None when `name` is no feed file's name."""
    match = FEED_FILE_RE.fullmatch(name)
    if match is None:
        return None
    return Target(f"feeds/{name}", match["ext"])


INDEX = Target(INDEX_FILE, "html")
OPML = Target(OPML_FILE, "opml")
