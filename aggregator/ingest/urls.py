"""URL checks and canonical forms.

Two different jobs: `clean_url` decides whether a link from the content may appear in a
feed at all (absolute http/https only, so no `javascript:` or `data:` ever reaches a
reader); `canonical_url` gives the identity used to recognise one article under its many
spellings (tracking parameters, `www.`, http/https, fragments, default ports); and
`without_tracking` gives the link readers see: as written, less the same tracking
parameters (one rule, `_is_tracking`, for both).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit, urlunsplit

from aggregator.names import bare_host

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
_LINK_HOST = re.compile(r"(?:[a-z0-9\-]{1,63}\.)+[a-z0-9][a-z0-9\-]{0,62}")
# Characters that may stay as they are in a URL; everything else is percent-encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


# A URL already in the form `clean_url` gives: http(s), a lower-case ASCII host, no
# port or user, nothing that needs encoding. Most URLs are; they skip the full parse.
_URL_CHARS = r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/"
_ALREADY_CLEAN = re.compile(
    r"^https?://(?P<host>(?:[a-z0-9\-]{1,63}\.)+[a-z0-9][a-z0-9\-]{0,62})(?P<path>/" + _URL_CHARS + r"]*)?"
    r"(?P<rest>(?:\?" + _URL_CHARS + r"?]+)?(?:#" + _URL_CHARS + r"?]+)?)$"
)
_PLAIN = re.compile(r"^https://(?P<host>[a-z0-9.\-]+)(?P<path>/[^?#]*)?$")


def clean_url(value: object) -> str | None:
    """The URL as it may appear in output, or None if it must not appear at all."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        return None
    fast = _ALREADY_CLEAN.match(text)
    if fast is not None:
        if fast["path"] is None:  # an empty path is written as "/"
            return text[: fast.end("host")] + "/" + fast["rest"]
        return text
    return _clean_url_parsed(text)


def _clean_url_parsed(text: str) -> str | None:
    """The general case of `clean_url`: parse, check and re-encode every part."""
    if _UNSAFE_CHARS.search(text):
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


def without_tracking(url: str) -> str:
    """The link as readers are given it: as written, less its tracking parameters.

    Only query parameters `canonical_url` also ignores are dropped; every other part
    (the order and spelling of the other parameters, the fragment) stays as written.
    Expects a URL that passed `clean_url`.
    """
    if "?" not in url:
        return url
    hash_at = url.find("#")
    head, fragment = (url, "") if hash_at < 0 else (url[:hash_at], url[hash_at:])
    query_at = head.find("?")
    if query_at < 0:
        return url  # a "?" inside the fragment
    pieces = head[query_at + 1 :].split("&")
    kept = [p for p in pieces if not _is_tracking(unquote_plus(p.partition("=")[0]))]
    if len(kept) == len(pieces):
        return url
    query = "&".join(p for p in kept if p)
    return head[:query_at] + ("?" + query if query else "") + fragment


def canonical_url(url: str, aliases: Mapping[str, str] | None = None) -> str:
    """One spelling per article: the key under which its variants meet.

    The scheme is folded to `https` (http and https of one page are one page), the
    host lower-cased with `www.` dropped and aliases applied, default ports, the
    fragment and tracking parameters removed, the remaining query sorted, and a
    trailing slash dropped. Expects a URL that passed `clean_url`.
    """
    plain = _PLAIN.match("https" + url[4:] if url.startswith("http:") else url)
    if plain is not None:  # no port, query or fragment: only host and path to fold
        host = plain["host"].rstrip(".")
        host = bare_host(host)
        if aliases:
            host = aliases.get(host, host)
        path = plain["path"] or "/"
        return f"https://{host}{path.rstrip('/') or '/'}"
    return _canonical_url_parsed(url, aliases)


def _canonical_url_parsed(url: str, aliases: Mapping[str, str] | None) -> str:
    """The general case of `canonical_url`."""
    parts = urlsplit(url)
    host = bare_host((parts.hostname or "").lower().rstrip("."))
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
    plain = _HOST.match(url)
    host = plain[1] if plain is not None else (urlsplit(url).hostname or "").lower()
    return bare_host(host)


# The host of a URL as `clean_url` usually gives it: lower-case, no port or user.
_HOST = re.compile(r"https?://([a-z0-9.\-]+)(?:[/?#]|$)")
