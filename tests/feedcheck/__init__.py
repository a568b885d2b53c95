"""Strict validity checks for the feeds this project generates.

The test-suite uses these functions to prove that generated Atom, RSS 2.0,
JSON Feed and OPML documents are valid to the letter of their specifications
and produce no errors *and no warnings* under the rules of the W3C Feed
Validation Service (https://validator.w3.org/feed/, source code at
github.com/w3c/feedvalidator).  The service itself needs network access, so
the rules that matter for generated feeds are re-implemented here.

Every rule carries a comment naming its source:

* ``feedvalidator: Name (kind)`` -- the message class ``Name`` of the W3C
  validator (``logging.py``) and whether it is a Warning or an Error there;
* ``RFC 4287 §x``, ``RSS 2.0``, ``JSON Feed 1.1``, ``Media RSS``, ``OPML 2.0``
  -- the specification text;
* ``project`` -- a deliberate extra strictness of this project, stated as such.

Each check function takes the document's bytes and returns a list of
human-readable problems, each starting with ``"error: "`` or ``"warning: "``.
An empty list means the document is valid.

The rules are split by format (atom, rss, jsonfeed, opml) over shared helpers
(xmltree, namespaces, urls, values, dates, markup, extensions); this module is
the entry point tests import.
"""

from __future__ import annotations

from collections.abc import Callable

from .atom import check_atom
from .common import Report as Report
from .jsonfeed import check_jsonfeed
from .opml import check_opml
from .rss import check_rss
from .urls import canonical_uri as canonical_uri
from .values import check_language as check_language

# Report, canonical_uri and check_language are also used by tests/test_feedcheck.py (feedcheck.X).
__all__ = ["assert_valid", "check_atom", "check_jsonfeed", "check_opml", "check_rss"]


CHECKERS: dict[str, Callable[[bytes], list[str]]] = {
    "atom": check_atom,
    "rss": check_rss,
    "json": check_jsonfeed,
    "opml": check_opml,
}


def assert_valid(kind: str, data: bytes) -> None:
    """Raises AssertionError listing every problem unless ``data`` is a valid ``kind`` document."""
    if kind not in CHECKERS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {sorted(CHECKERS)}")
    problems = CHECKERS[kind](data)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{kind} document is not valid ({len(problems)} problems):\n{listing}")
