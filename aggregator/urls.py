"""URL checks and canonical forms.

Two different jobs: `clean_url` decides whether a link from the content may appear in a
feed at all (absolute http/https only, so no `javascript:` or `data:` ever reaches a
reader); `canonical_url` gives the identity used to recognise one article under its many
spellings (tracking parameters, `www.`, http/https, fragments, default ports).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

MAX_URL_LENGTH = 2048
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ref_src",
        "ocid",
        "cmpid",
        "spm",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "__s",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "itm_")
# Controls and spaces never belong in a link; lone surrogates cannot even be encoded.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\ud800-\udfff]")
# A host a reader can reach: dotted labels (`news.example`, `127.0.0.1`). A bare word
# (`localhost`, an intranet name) or an IPv6 literal is no public article's address,
# and feed validators reject such links.
_LINK_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# Characters that may stay as they are in a URL; everything else is percent-encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def clean_url(value: object) -> str | None:
    """The URL as it may appear in output, or None if it must not appear at all."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_URL_LENGTH or _UNSAFE_CHARS.search(text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _LINK_HOST.fullmatch(host.rstrip(".")):
        return None
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_SAFE_PATH) or "/",
            quote(parts.query, safe=_SAFE_QUERY),
            quote(parts.fragment, safe=_SAFE_QUERY),
        )
    )


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, aliases: Mapping[str, str] | None = None) -> str:
    """One spelling per article: the key under which its variants meet.

    The scheme is folded to `https` (http and https of one page are one page), the
    host lower-cased with `www.` dropped and aliases applied, default ports, the
    fragment and tracking parameters removed, the remaining query sorted, and a
    trailing slash dropped. Expects a URL that passed `clean_url`.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if aliases:
        host = aliases.get(host, host)
    port = parts.port
    if port in (80, 443):
        port = None
    netloc = host if port is None else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_pairs), doseq=True)
    return urlunsplit(("https", netloc, path, query, ""))


def host_of(url: str) -> str:
    """The bare host (no `www.`) used to name an outlet when the content does not."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
