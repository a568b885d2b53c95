"""URI and URL checks (feedvalidator validators.py rfc2396 / rfc3987, uri.py canonicalisation).

Every format links somewhere, so these live once for Atom, RSS, JSON Feed and OPML.
"""

from __future__ import annotations

import re

from .common import Report

_URI_CHARS = r"0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#"


# rfc2396: URI reference, relative references allowed
URI_REF_RE = re.compile(rf"^([a-zA-Z][0-9a-zA-Z+\-.]*:)?/{{0,2}}(\[[0-9A-Fa-f:]+\])?[{_URI_CHARS}]*$")


# rfc2396_full: absolute URI with a scheme
FULL_URI_RE = re.compile(rf"^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[{_URI_CHARS}]+$")


URN_RE = re.compile(r"^urn:[a-z0-9][a-z0-9-]{1,31}:([a-z0-9()+,.:=@;$_!*'\-]|%[0-9a-f]{2})+$", re.I)
UUID_URN_RE = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


TAG_RE = re.compile(
    r"^tag:([a-z0-9\-._]+?@)?[a-z0-9.\-]+?,\d{4}(-\d{2}(-\d{2})?)?:"
    r"[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$"
)


DOMAIN_PATTERN = r"(([0-9]{1,3}\.){3}|([a-z0-9\-]+\.)+)([a-z0-9][-a-z0-9]*)"
HTTP_URL_RE = re.compile(rf"^https?://{DOMAIN_PATTERN}(:\d+)?(/|$)", re.I)


# validators.py iana_schemes (subset that can appear in feeds)
IANA_SCHEMES = {
    "ftp", "http", "https", "mailto", "news", "nntp", "telnet", "file", "data", "urn", "tag",
    "tel", "sip", "sips", "xmpp", "im", "info", "ldap", "rtsp", "irc", "magnet", "dns", "geo",
}  # fmt: skip


def uri_problem(value: str, full: bool, iri: bool = False) -> str | None:
    """Returns why ``value`` is not a valid URI, or None (feedvalidator rfc2396 / rfc2396_full / rfc3987).

    Results: InvalidTAG, InvalidUUID, InvalidURN, InvalidFullLink/InvalidLink/InvalidIRI (errors).
    """
    if iri:
        # RFC 3987 §3.1: an IRI maps to a URI by percent-encoding its non-ASCII characters
        value = "".join(c if ord(c) < 128 else "%XX" for c in value)
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme == "tag":
        return None if TAG_RE.match(value) else "not a valid tag: URI (RFC 4151)"
    if scheme == "urn":
        if value.lower().startswith("urn:uuid:"):
            return None if UUID_URN_RE.match(value) else "not a valid urn:uuid: URI"
        return None if URN_RE.match(value) else "not a valid URN"
    pattern = FULL_URI_RE if full else URI_REF_RE
    if not pattern.match(value):
        bad = next((c for c in value if ord(c) < 128 and not re.match(f"[{_URI_CHARS}]", c)), None)
        if bad is not None:
            return f"invalid character {bad!r} in URI"
        return "must be a full (absolute) URI" if full else "not a valid URI"
    if scheme in ("http", "https", "ftp") and not re.match(r"^\w+://[^/]", value):
        return "http(s)/ftp URI must have a host"
    return None


def check_uri(value: str, where: str, report: Report, *, full: bool = True, iri: bool = False) -> bool:
    problem = uri_problem(value, full, iri)
    if problem:
        # feedvalidator: InvalidFullLink / InvalidLink / InvalidIRI / InvalidTAG / InvalidURN (error)
        report.error(where, f"{problem}: {value!r}")
        return False
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme.isalpha() and scheme not in IANA_SCHEMES:
        # feedvalidator: SchemeNotIANARegistered (warning)
        report.warning(where, f"URI scheme {scheme!r} is not IANA registered")
    return True


def check_http_url(value: str, where: str, report: Report) -> bool:
    """An absolute http(s) URL with a host (feedvalidator httpURL: InvalidURLAttribute, error)."""
    if not HTTP_URL_RE.match(value) or not FULL_URI_RE.match(value):
        report.error(where, f"must be a full http(s) URL: {value!r}")
        return False
    return True


def is_absolute(value: str) -> bool:
    """True when a reference starts with a scheme (feedvalidator absUrlMixin ``\\w+:``)."""
    return re.match(r"\w+:", value) is not None


def canonical_uri(value: str) -> str | None:
    """A simplified RFC 3986 §6.2.2 normal form: lower-case scheme and host, no default port,
    upper-case percent escapes, unreserved characters unescaped, dot segments removed and an
    empty path written as "/" (the normalisations feedvalidator uri.py performs)."""
    match = re.match(r"^([^:/?#]+):(//([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$", value)
    if not match:
        return None
    scheme = match.group(1).lower()
    authority, path = match.group(3), match.group(4)
    query, fragment = match.group(5) or "", match.group(6) or ""

    def norm_escapes(text: str) -> str:
        def fix(m: re.Match[str]) -> str:
            char = chr(int(m.group(1), 16))
            return char if re.match(r"[A-Za-z0-9\-._~]", char) else m.group(0).upper()

        return re.sub(r"%([0-9a-fA-F]{2})", fix, text)

    if authority is None:
        return f"{scheme}:{norm_escapes(path)}{norm_escapes(query)}{norm_escapes(fragment)}"
    userinfo, _, host = authority.rpartition("@")
    host = host.lower()
    default_port = {"http": "80", "https": "443", "ftp": "21"}.get(scheme)
    if default_port and host.endswith(f":{default_port}"):
        host = host[: -len(default_port) - 1]
    if host.endswith(":"):
        host = host[:-1]
    segments: list[str] = []
    for segment in path.split("/")[1:] if path else []:
        if segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if path.endswith(("/.", "/..")):
        segments.append("")
    new_path = "/" + "/".join(segments)
    auth = f"{userinfo}@{host}" if userinfo else host
    return f"{scheme}://{auth}{norm_escapes(new_path)}{norm_escapes(query)}{norm_escapes(fragment)}"


def check_canonical(value: str, where: str, report: Report) -> None:
    canonical = canonical_uri(value)
    if canonical is not None and canonical != value:
        # feedvalidator: NonCanonicalURI (warning)
        report.warning(where, f"identifier {value!r} is not in canonical form ({canonical!r})")
