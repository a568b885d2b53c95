"""The site's fixed files: its stylesheet and script, and the stylesheet feeds name.

They ship inside the package and are published with every build like any other file
(only written when their bytes differ from what the folder holds).
"""

from __future__ import annotations

from importlib.resources import files

from aggregator.output.render.links import FEED_CSS, SITE_CSS, SITE_JS

# Output name -> file in the package's static/ folder.
STATIC = {SITE_CSS: "site.css", SITE_JS: "site.js", FEED_CSS: "feed.css"}


def static_files() -> dict[str, bytes]:
    """The fixed files' bytes by their name in the output folder."""
    folder = files("aggregator.output.render") / "static"
    return {name: (folder / source).read_bytes() for name, source in STATIC.items()}
