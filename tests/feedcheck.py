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
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr

import feedparser
import lxml.html
from lxml import etree

__all__ = ["assert_valid", "check_atom", "check_jsonfeed", "check_opml", "check_rss"]

ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
THR_NS = "http://purl.org/syndication/thread/1.0"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


class Report:
    """Collects problems as ``"error: ..."`` / ``"warning: ..."`` strings."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.problems.append(f"error: {where}: {message}")

    def warning(self, where: str, message: str) -> None:
        self.problems.append(f"warning: {where}: {message}")


# --------------------------------------------------------------------------
# Namespaces
# --------------------------------------------------------------------------

# feedvalidator base.py `namespaces`: the vocabularies the validator knows.
# Declaring any other namespace gives UnknownNamespace (warning).
KNOWN_NAMESPACES: dict[str, str] = {
    "http://webns.net/mvcb/": "admin",
    "http://purl.org/rss/1.0/modules/aggregation/": "ag",
    "http://purl.org/rss/1.0/modules/annotate/": "annotate",
    "http://www.w3.org/2007/app": "app",
    "http://backend.userland.com/blogChannelModule": "blogChannel",
    "http://web.resource.org/cc/": "cc",
    "http://backend.userland.com/creativeCommonsRssModule": "creativeCommons",
    CONTENT_NS: "content",
    DC_NS: "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/syndication/history/1.0": "fh",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://www.georss.org/georss": "georss",
    "http://www.opengis.net/gml": "gml",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://xmlns.com/foaf/0.1/": "foaf",
    MEDIA_NS: "media",
    "http://www.w3.org/1998/Math/MathML": "mathml",
    "http://a9.com/-/spec/opensearch/1.1/": "opensearch",
    "http://www.opml.org/spec2": "opml",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://www.w3.org/2000/svg": "svg",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://purl.org/rss/1.0/modules/taxonomy/": "taxo",
    THR_NS: "thr",
    "http://madskills.com/public/xml/rss/module/trackback/": "trackback",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    ATOM_NS: "atom",
    XHTML_NS: "xhtml",
    "http://purl.org/rss/1.0/": "rss1",
    XML_NS: "xml",
    "http://www.w3.org/1999/xlink": "xlink",
}
KNOWN_PREFIXES = set(KNOWN_NAMESPACES.values())


def check_namespace_declarations(root: etree._Element, report: Report, atom_document: bool) -> None:
    """Checks every xmlns declaration in the document (feedvalidator base.py startPrefixMapping)."""
    for element in root.iter(etree.Element):
        parent = element.getparent()
        inherited = parent.nsmap if parent is not None else {}
        for prefix, uri in element.nsmap.items():
            if inherited.get(prefix) == uri:
                continue
            where = f"xmlns:{prefix}" if prefix else "xmlns"
            if prefix and uri == MEDIA_NS.rstrip("/"):
                # feedvalidator: MediaRssNamespace (error)
                report.error(where, f"Media RSS namespace needs its trailing slash: {MEDIA_NS}")
            elif prefix in KNOWN_PREFIXES and KNOWN_NAMESPACES.get(uri) != prefix:
                # feedvalidator: ReservedPrefix (warning)
                report.warning(where, f"prefix {prefix!r} is reserved for another namespace, not {uri}")
            elif (
                prefix
                and KNOWN_NAMESPACES.get(uri) in ("atom", "xhtml")
                and (atom_document or parent is None)
                and KNOWN_NAMESPACES[uri] != prefix
            ):
                # feedvalidator: AvoidNamespacePrefix (warning)
                report.warning(where, f"avoid a namespace prefix for {uri}")
            elif prefix in ("atom", "xhtml") and atom_document and parent is not None:
                # feedvalidator: AvoidNamespacePrefix (warning)
                report.warning(where, f"avoid the namespace prefix {prefix!r} in an Atom document")
            elif uri and uri not in KNOWN_NAMESPACES:
                # feedvalidator: UnknownNamespace (warning)
                report.warning(where, f"unknown namespace {uri}")


def words(text: str) -> frozenset[str]:
    """A set from a whitespace-separated word list."""
    return frozenset(text.split())


def qname(element: etree._Element) -> tuple[str | None, str]:
    q = etree.QName(element)
    return q.namespace, q.localname


def children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def check_attributes(
    element: etree._Element, where: str, expected: Iterable[str], report: Report, rss_core: bool = False
) -> None:
    """Flags attributes the element does not define (feedvalidator base.py startElementNS)."""
    allowed = set(expected)
    for name in element.attrib:
        q = etree.QName(name)
        if q.namespace == XML_NS or (q.namespace is None and q.localname in allowed):
            continue
        if q.namespace and q.namespace not in KNOWN_NAMESPACES:
            if rss_core:
                # feedvalidator: UseOfExtensionAttr (warning)
                report.warning(where, f"extension attribute {name} on an RSS 2.0 core element")
            continue
        # feedvalidator: UnexpectedAttribute (error)
        report.error(where, f"unexpected attribute {name}")


def check_no_child_elements(element: etree._Element, where: str, report: Report) -> None:
    """Simple-text elements must not have child elements (feedvalidator validators.py text)."""
    for child in children(element):
        # feedvalidator: UndefinedElement (error)
        report.error(where, f"unexpected child element {etree.QName(child).localname}")


def check_no_text(element: etree._Element, where: str, report: Report) -> None:
    """Container elements hold only child elements (feedvalidator: UnexpectedText, error)."""
    texts = [element.text or ""] + [child.tail or "" for child in element]
    if any(text.strip() for text in texts):
        report.error(where, "unexpected text")


def check_bad_characters(root: etree._Element, report: Report) -> None:
    """C1 control characters and U+FFFD betray mis-decoded text (feedvalidator: BadCharacters, warning)."""
    for element in root.iter(etree.Element):
        values = [element.text or "", element.tail or "", *element.attrib.values()]
        if any(BAD_CHAR_RE.search(value) for value in values):
            report.warning(etree.QName(element).localname, "contains bad characters (C1 control or U+FFFD)")


BAD_CHAR_RE = re.compile("[\u0080-\u009f\ufffd]")


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext())


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def parse_xml(data: bytes, report: Report) -> etree._Element | None:
    """Parses strictly: no DTD loading, no network, no entity expansion.

    XML-illegal characters and undefined entities are parse errors in lxml.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        # feedvalidator: SAXError (error)
        report.error("document", f"XML parsing error: {exc}")
        return None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        # feedvalidator: ContainsSystemEntity / InvalidDoctype; project: generated feeds carry no DOCTYPE
        report.error("document", f"unexpected DOCTYPE {tree.docinfo.doctype}")
    return root


def check_feedparser(data: bytes, report: Report) -> None:
    """feedparser must parse the document without setting its ``bozo`` flag (project)."""
    result = feedparser.parse(data)
    if result.bozo:
        report.error("feedparser", f"bozo: {result.get('bozo_exception')!r}")


# --------------------------------------------------------------------------
# Value validators (feedvalidator validators.py)
# --------------------------------------------------------------------------

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
EMAIL_RE = re.compile(rf"^[a-z0-9_\-+.']+@{DOMAIN_PATTERN}$", re.I)
MIME_TOKEN = r"[^\s()<>,;:\\\"/\[\]?=]+"
MIME_RE = re.compile(rf"^{MIME_TOKEN}/{MIME_TOKEN}(\s*;\s*{MIME_TOKEN}=(\"(\\\"|[^\"])*\"|{MIME_TOKEN}))*$")
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


def check_mime(value: str, where: str, report: Report) -> None:
    if not MIME_RE.match(value):
        # feedvalidator: InvalidMIMEType / InvalidMIMEAttribute (error)
        report.error(where, f"not a valid MIME type: {value!r}")


def check_email(value: str, where: str, report: Report) -> None:
    if not EMAIL_RE.match(value):
        # feedvalidator: InvalidAddrSpec / InvalidContact (error)
        report.error(where, f"must be an email address: {value!r}")


def check_email_with_name(value: str, where: str, report: Report) -> None:
    """RSS author, managingEditor, webMaster: ``addr@example.com (Real Name)``.

    feedvalidator validators.py email_with_name: EmailFormat / MissingRealName (RSS 2.0 profile
    warnings), InvalidContact (error).
    """
    if value.startswith("mailto:"):
        value = value[len("mailto:") :]
    if value.find("@") > 0 and not value.endswith(")"):
        if " " in value:
            report.warning(where, f"email must be in the form 'addr@example.com (Real Name)': {value!r}")
        else:
            report.warning(where, f"email is missing a real name, e.g. 'addr (Name)': {value!r}")
        return
    _, address = parseaddr(value)
    check_nonhtml(value, where, report)
    check_email(address or value, where, report)


# ISO 639-1 two-letter codes (feedvalidator iso639codes.py also knows three-letter codes).
ISO639_1 = words(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
LANGUAGE_TAG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


def check_language(value: str, where: str, report: Report) -> None:
    """ISO 639 language code, optionally with subtags (feedvalidator iso639: InvalidLanguage, error)."""
    primary = value.split("-", 1)[0].lower()
    known = primary in ISO639_1 if len(primary) == 2 else len(primary) == 3
    if not LANGUAGE_TAG_RE.match(value) or not known:
        report.error(where, f"must be an ISO 639 language code: {value!r}")


RFC3339_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|([+-])(\d\d):(\d\d))$")
W3CDTF_RE = re.compile(r"^\d\d\d\d(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d*)?)?(Z|([+-]\d\d:\d\d)))?)?)?$")


def parse_rfc3339(value: str) -> datetime | None:
    """Parses the profile of RFC 3339 that feedvalidator's rfc3339 accepts: upper-case T and Z,
    seconds required, numeric offsets with a colon.  Field ranges follow RFC 3339 §5.6/§5.7."""
    m = RFC3339_RE.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        date(year, month, day)
    except ValueError:
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    offset = timedelta(0)
    if m.group(8) != "Z":
        off_h, off_m = int(m.group(10)), int(m.group(11))
        if off_h > 23 or off_m > 59:
            return None
        offset = timedelta(hours=off_h, minutes=off_m) * (1 if m.group(9) == "+" else -1)
    naive = datetime(year, month, day, hour, minute, min(second, 59))
    return naive.replace(tzinfo=UTC) - offset


def check_plausible(moment: datetime, value: str, where: str, report: Report) -> None:
    """feedvalidator: ImplausibleDate (warning) -- before 1990 or more than ten minutes ahead."""
    if moment < datetime(1990, 1, 1, tzinfo=UTC) or moment > datetime.now(UTC) + timedelta(minutes=10):
        report.warning(where, f"implausible date: {value!r}")


def check_rfc3339(value: str, where: str, report: Report) -> datetime | None:
    if value != value.strip():
        # feedvalidator: UnexpectedWhitespace (error)
        report.error(where, "whitespace not permitted around a date")
        value = value.strip()
    moment = parse_rfc3339(value)
    if moment is None:
        # feedvalidator: InvalidRFC3339Date (error); RFC 4287 §3.3
        report.error(where, f"must be an RFC 3339 date-time like 2024-01-31T12:00:00Z: {value!r}")
        return None
    check_plausible(moment, value, where, report)
    return moment


def check_w3cdtf(value: str, where: str, report: Report) -> None:
    """dc:date (feedvalidator w3cdtf: InvalidW3CDTFDate, error)."""
    if not W3CDTF_RE.match(value):
        report.error(where, f"must be a W3CDTF date: {value!r}")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_ZONES = {"UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
          "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # fmt: skip
# The strict form feedvalidator calls valid: four-digit year, single spaces, known zone.
RFC822_STRICT_RE = re.compile(
    rf"^(?:({'|'.join(_DAYS)}), )?(\d\d?) ({'|'.join(_MONTHS)}) (\d{{4}}) (\d\d):(\d\d)(?::(\d\d))? "
    r"([+-]?\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)
# The looser RFC 822 grammar (two-digit years, military zones, odd spacing, any case).
RFC822_LOOSE_RE = re.compile(
    r"^((mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?\d\d?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"\s+\d\d(\d\d)?\s+\d\d:\d\d(:\d\d)?\s+([+-]\d\d\d\d|ut|gmt|est|edt|cst|cdt|mst|mdt|pst|pdt|[a-ik-z])?$"
)


def check_rfc822(value: str, where: str, report: Report) -> None:
    """RSS 2.0 dates (feedvalidator rfc822): InvalidRFC2822Date, IncorrectDOW (errors),
    ProblematicalRFC822Date, ImplausibleDate (warnings)."""
    m = RFC822_STRICT_RE.match(value)
    if not m:
        if RFC822_LOOSE_RE.match(value.strip().lower()):
            report.warning(where, f"problematical RFC 822 date (use e.g. 'Wed, 02 Oct 2002 13:00:00 GMT'): "
                                  f"{value!r}")  # fmt: skip
        else:
            report.error(where, f"must be an RFC 822 date-time: {value!r}")
        return
    dow, day, mon, year, hour, minute, second, zone = m.groups()
    try:
        naive = datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hour), int(minute),
                         min(int(second or 0), 59))  # fmt: skip
    except ValueError as exc:
        report.error(where, f"must be an RFC 822 date-time ({exc}): {value!r}")
        return
    if int(second or 0) > 60:
        report.error(where, f"must be an RFC 822 date-time (seconds out of range): {value!r}")
        return
    if dow and _DAYS[naive.weekday()] != dow:
        report.error(where, f"incorrect day of week {dow!r}: {value!r}")
        return
    if zone in _ZONES:
        offset = timedelta(hours=_ZONES[zone])
    else:
        sign = -1 if zone.startswith("-") else 1
        digits = zone.lstrip("+-")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    check_plausible(naive.replace(tzinfo=UTC) - offset, value, where, report)


def check_positive_int(value: str, where: str, report: Report) -> None:
    """feedvalidator positiveInteger: InvalidPositiveInteger (error)."""
    if not re.fullmatch(r"\s*\+?\d+\s*", value) or int(value) <= 0:
        report.error(where, f"must be a positive integer: {value!r}")


def check_nonnegative_int(value: str, where: str, report: Report) -> None:
    """feedvalidator nonNegativeInteger: InvalidNonNegativeInteger (error)."""
    if not re.fullmatch(r"\s*\+?\d+\s*", value):
        report.error(where, f"must be a non-negative integer: {value!r}")


# --------------------------------------------------------------------------
# HTML checks (feedvalidator validators.py HTMLValidator, checkStyle, absUrlMixin, nonhtml)
# --------------------------------------------------------------------------

HTML_TAGS = words(
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo big blockquote "
    "body br button canvas caption center cite code col colgroup command data datagrid datalist dd "
    "del details dfn dialog dir div dl dt em eventsource fieldset figcaption figure font footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd "
    "label legend li link m main mark map menu meta meter nav noframes noscript object ol optgroup "
    "option output p param picture pre progress q rp rt ruby s samp script section select slot small "
    "source span strike strong style sub summary sup table tbody td template textarea tfoot th thead "
    "time title tr track tt u ul var xmp plaintext embed comment listing video wbr"
)
SAFE_TAGS = words(
    "a abbr acronym address area article aside audio b bdi big blockquote br button canvas caption "
    "center cite code col colgroup command data datagrid datalist dd del details dfn dialog dir div "
    "dl dt em eventsource fieldset figcaption figure footer font form header h1 h2 h3 h4 h5 h6 "
    "hgroup hr i img input ins keygen kbd label legend li m main map mark menu meter multicol nav "
    "nextid ol output optgroup option p picture pre progress q rp rt ruby s samp section select small "
    "sound source spacer span strike strong sub summary sup table tbody td template textarea time "
    "tfoot th thead tr track tt u ul var video noscript wbr"
)
SAFE_ATTRIBUTES = words(
    "abbr accept accept-charset accesskey action align allow allowfullscreen allowpaymentrequest alt "
    "as autoplay autocapitalize autocomplete autofocus axis background balance bgcolor bgproperties "
    "border bordercolor bordercolordark bordercolorlight bottompadding cellpadding cellspacing ch "
    "challenge char charoff choff charset checked cite class clear color cols colspan compact "
    "contenteditable coords crossorigin data datafld datapagesize datasrc datetime decoding default "
    "delay dir dirname disabled download draggable dynsrc enctype end enterkeyhint face for form "
    "formenctype frame galleryimg gutter headers height hidefocus hidden high href hreflang hspace "
    "icon id inputmode is ismap itemid itemprop itemref itemscope itemtype kind keytype label lang "
    "leftspacing loading list longdesc loop loopcount loopend loopstart low lowsrc max maxlength "
    "media method min minlength multiple muted name nohref nonce noshade nowrap open optimum pattern "
    "ping placeholder playsinline point-size poster preload prompt pqg radiogroup readonly "
    "referrerpolicy rel repeat-max repeat-min replace required rev reversed rightspacing rows rowspan "
    "rules scope selected shape size sizes span spellcheck src srclang srcset start step summary "
    "suppress tabindex target template title toppadding translate type unselectable usemap urn "
    "valign value variable volume vspace vrml width wrap xml:lang xmlns"
)
SAFE_CSS_PROPERTIES = words(
    "azimuth background background-color border border-bottom border-bottom-color "
    "border-bottom-style border-bottom-width border-collapse border-color border-left "
    "border-left-color border-left-style border-left-width border-right border-right-color "
    "border-right-style border-right-width border-spacing border-style border-top border-top-color "
    "border-top-style border-top-width border-width clear color cursor direction display elevation "
    "float font font-family font-size font-style font-variant font-weight height letter-spacing "
    "line-height list-style-type margin margin-bottom margin-left margin-right margin-top overflow "
    "padding padding-bottom padding-left padding-right padding-top pause pause-after pause-before "
    "pitch pitch-range richness speak speak-header speak-numeral speak-punctuation speech-rate "
    "stress text-align text-decoration text-indent unicode-bidi vertical-align voice-family volume "
    "white-space width"
)
SAFE_CSS_KEYWORDS = words(
    "aqua auto black block blue bold both bottom brown center collapse dashed dotted fuchsia gray "
    "green !important italic left lime maroon medium none navy normal nowrap olive pointer purple "
    "red right solid silver teal top transparent underline white yellow"
)
CSS_VALUE_RE = re.compile(
    r"^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$"
)
SCRIPT_URL_RE = re.compile(r"^\s*(javascript|vbscript|livescript|data)\s*:", re.I)


def unsafe_style(style: str) -> list[str]:
    """The parts of a style attribute feedvalidator's checkStyle considers dangerous."""
    if not re.match(r"""^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$""", style):
        return [style]
    if not re.match(r"^(\s*[-\w]+\s*:\s*[^:;]*(;|$))*$", style):
        return [style]
    unsafe: list[str] = []
    for prop, value in re.findall(r"([-\w]+)\s*:\s*([^:;]*)", style.lower()):
        if prop not in SAFE_CSS_PROPERTIES:
            unsafe.append(prop)
        elif prop.split("-")[0] in ("background", "border", "margin", "padding"):
            unsafe.extend(
                word
                for word in value.split()
                if word not in SAFE_CSS_KEYWORDS and not CSS_VALUE_RE.match(word)
            )
    return unsafe


def check_element_safety(tag: str, attributes: dict[str, str], where: str, report: Report) -> None:
    """One HTML element: known, safe, with safe attributes."""
    tag = tag.lower()
    if tag not in HTML_TAGS:
        # feedvalidator: NotHtml "Non-html tag" (warning)
        report.warning(where, f"non-HTML tag <{tag}>")
        return
    if tag not in SAFE_TAGS:
        # feedvalidator: SecurityRisk (warning)
        report.warning(where, f"should not contain <{tag}> (security risk)")
        return
    for name, value in attributes.items():
        lname = name.lower()
        if lname == "style":
            for evil in unsafe_style(value):
                # feedvalidator: DangerousStyleAttr (warning)
                report.warning(where, f"style attribute contains potentially dangerous content: {evil!r}")
        elif lname not in SAFE_ATTRIBUTES and not lname.startswith("data-"):
            # feedvalidator: SecurityRiskAttr (warning); covers on* event handlers
            report.warning(where, f"should not contain the {name} attribute on <{tag}> (security risk)")
        elif lname in ("href", "src", "action", "background", "poster", "lowsrc", "dynsrc") and (
            SCRIPT_URL_RE.match(value)
        ):
            # project (RFC 4287 §8.1, RSS 2.0 has no equivalent): script-bearing URLs are unsafe;
            # the W3C validator does not inspect URL schemes inside HTML.
            report.warning(where, f"{name} on <{tag}> uses a script-capable URL scheme: {value[:40]!r}")


def html_fragment(markup: str) -> etree._Element | None:
    if not markup.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def check_html(markup: str, where: str, report: Report, relative_refs: bool) -> None:
    """Escaped HTML: safe elements and attributes; optionally no relative references."""
    if markup.lower().find("<?import ") >= 0:
        # feedvalidator: SecurityRisk (warning)
        report.warning(where, "should not contain <?import> (security risk)")
    fragment = html_fragment(markup)
    if fragment is None:
        return
    for element in fragment.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        check_element_safety(element.tag, dict(element.attrib), where, report)
    if relative_refs:
        check_relative_refs(fragment, where, report)


def check_relative_refs(fragment: etree._Element, where: str, report: Report) -> None:
    """feedvalidator absUrlMixin: ContainsRelRef (warning) for <a href> and <img src>."""
    for element in fragment.iter("a", "img"):
        ref = element.get("href" if element.tag == "a" else "src")
        if ref is not None and not is_absolute(ref.strip()):
            report.warning(where, f"should not contain relative URL references: {ref!r}")


def check_nonhtml(value: str, where: str, report: Report, undeclared: bool = False) -> None:
    """Plain-text elements must not carry HTML markup (feedvalidator nonhtml: ContainsHTML /
    ContainsUndeclaredHTML, warnings).  The validator looks for closing tags of HTML elements."""
    tags = [t for t in re.findall(r"</(\w+)>", value) if t.lower() in HTML_TAGS]
    if tags:
        what = "HTML unless declared in the type attribute" if undeclared else "HTML"
        report.warning(where, f"should not contain {what} (found </{tags[0]}>)")


def check_xhtml_div(container: etree._Element, where: str, report: Report) -> None:
    """type="xhtml" text constructs: one xhtml:div with safe XHTML (RFC 4287 §3.1.1.3;
    feedvalidator content.py diveater)."""
    kids = children(container)
    if (container.text or "").strip() or len(kids) != 1 or qname(kids[0]) != (XHTML_NS, "div"):
        # feedvalidator: MissingXhtmlDiv (error)
        report.error(where, "xhtml content must be a single xhtml:div element")
        return
    for element in kids[0].iterdescendants():
        if not isinstance(element.tag, str):
            continue
        namespace, local = qname(element)
        if namespace is None:
            # feedvalidator: MissingNamespace (error)
            report.error(where, f"element {local} inside xhtml:div has no namespace")
        elif namespace == XHTML_NS:
            attrs = {k: v for k, v in element.attrib.items() if etree.QName(k).namespace is None}
            check_element_safety(local, attrs, where, report)
        elif namespace in ("http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"):
            continue


# --------------------------------------------------------------------------
# Atom 1.0 (RFC 4287)
# --------------------------------------------------------------------------

# feedvalidator link.py validRelations (IANA link relations known to the validator)
LINK_RELATIONS = {
    "alternate", "current", "describedby", "edit", "edit-media", "enclosure", "first", "hub", "last",
    "license", "next", "next-archive", "payment", "prev-archive", "previous", "related", "replies",
    "search", "self", "service", "up", "via",
}  # fmt: skip
FEED_HISTORY_RELATIONS = {"current", "first", "last", "next", "next-archive", "prev-archive", "previous"}
FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo",
                 "rights", "subtitle", "title", "updated", "entry"}  # fmt: skip
ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link", "published", "rights",
                  "source", "summary", "title", "updated"}  # fmt: skip
SINGLE_FEED_CHILDREN = ("generator", "icon", "id", "logo", "rights", "subtitle", "title", "updated")
SINGLE_ENTRY_CHILDREN = ("content", "id", "published", "rights", "source", "summary", "title", "updated")


def atom_children(element: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in children(element) if qname(c) == (ATOM_NS, local)]


def has_xml_base(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node.get(f"{{{XML_NS}}}base"):
            return True
        node = node.getparent()
    return False


def check_atom_element_set(
    element: etree._Element, where: str, allowed: set[str], singles: Iterable[str], report: Report
) -> None:
    for child in children(element):
        namespace, local = qname(child)
        if namespace == ATOM_NS and local not in allowed:
            # feedvalidator: UndefinedElement (error)
            report.error(where, f"undefined element atom:{local}")
        elif namespace is None:
            # feedvalidator: UndeterminableVocabulary (warning)
            report.warning(where, f"element {local} is in no namespace")
        elif namespace in KNOWN_NAMESPACES and namespace not in (ATOM_NS, XHTML_NS):
            check_known_extension(child, where, report)
    for local in singles:
        if len(atom_children(element, local)) > 1:
            # feedvalidator: DuplicateElement (error); RFC 4287 §4.1.1/§4.1.2 "MUST NOT contain more than one"
            report.error(where, f"contains more than one atom:{local}")


def check_atom_text_construct(element: etree._Element, where: str, report: Report, is_content: bool) -> None:
    """RFC 4287 §3.1 text constructs and §4.1.3 atom:content (feedvalidator content.py)."""
    check_attributes(element, where, ("type", "src") if is_content else ("type",), report)
    kind = element.get("type", "text")
    src = element.get("src") if is_content else None
    if src is not None:
        check_uri(src, f"{where}/@src", report, full=False, iri=True)
        if element.get("type") is None:
            # feedvalidator: MissingTypeAttr (warning)
            report.warning(where, "atom:content with src should have a type attribute")
        if (element.text or "").strip() or children(element):
            # RFC 4287 §4.1.3.2: content with src MUST be empty
            report.error(where, "atom:content with src must be empty")
    if kind not in ("text", "html", "xhtml"):
        if not is_content or "/" not in kind:
            # feedvalidator: InvalidTextType (error)
            report.error(where, f'type attribute must be "text", "html" or "xhtml": {kind!r}')
            return
        check_mime(kind, f"{where}/@type", report)
    if kind == "xhtml":
        check_xhtml_div(element, where, report)
        return
    if children(element) and not (kind.endswith("+xml") or kind.endswith("/xml")):
        # feedvalidator: UndefinedElement (error); RFC 4287 §3.1.1.1-2: text and html contain no elements
        report.error(where, f"type={kind!r} must not contain child elements (escape the markup)")
    value = element.text or ""
    if "/" in kind and not kind.endswith(("+xml", "/xml")) and not kind.startswith("text/") and src is None:
        try:
            base64.b64decode("".join(value.split()), validate=True)
        except ValueError:
            # feedvalidator: NotBase64 (error); RFC 4287 §4.1.3.3 item 6
            report.error(where, f"content of type {kind!r} must be Base64 encoded")
    if kind == "html":
        # feedvalidator: SecurityRisk & co. (warnings).  The validator only reports ContainsRelRef for
        # RSS; in Atom a relative reference resolves against xml:base, so without one (the feed URL
        # would be the base) it is reported here too -- project rule.
        check_html(value, where, report, relative_refs=not has_xml_base(element))
    elif kind == "text" or kind.startswith("text/"):
        check_nonhtml(value, where, report, undeclared=True)
    if not value.strip() and not children(element) and src is None:
        # feedvalidator: NotBlank (warning)
        report.warning(where, "should not be blank")


def check_atom_link(link: etree._Element, where: str, context: str, report: Report) -> None:
    """RFC 4287 §4.2.7 atom:link (feedvalidator link.py)."""
    expected = ("href", "rel", "type", "hreflang", "title", "length")
    check_attributes(link, where, expected, report)
    rel = link.get("rel", "alternate")
    if rel.startswith("http://www.iana.org/assignments/relation/"):
        rel = rel.rsplit("/", 1)[-1]
    if link.get("rel") is not None:
        if not rel:
            # feedvalidator: AttrNotBlank (warning)
            report.warning(where, "rel attribute should not be blank")
        elif rel not in LINK_RELATIONS and not FULL_URI_RE.match(rel):
            # feedvalidator: UnregisteredAtomLinkRel (warning)
            report.warning(where, f"unregistered link relationship {rel!r}")
        if rel in FEED_HISTORY_RELATIONS and context == "entry":
            # feedvalidator: FeedHistoryRelInEntry (warning)
            report.warning(where, f"feed history relation {rel!r} used in an entry")
    link_type = link.get("type")
    if link_type is not None:
        if not MIME_RE.match(link_type):
            check_mime(link_type, f"{where}/@type", report)
        elif rel == "self" and link_type.split(";")[0] not in (
            "application/atom+xml", "application/rss+xml", "application/rdf+xml"
        ):  # fmt: skip
            # feedvalidator: SelfNotAtom (warning)
            report.warning(where, f'"self" link references a non-feed representation ({link_type})')
    if link.get("title") is not None:
        if not link.get("title"):
            # feedvalidator: AttrNotBlank (warning)
            report.warning(where, "title attribute should not be blank")
        check_nonhtml(link.get("title", ""), f"{where}/@title", report)
    if link.get("length") is not None:
        check_nonnegative_int(link.get("length", ""), f"{where}/@length", report)
    if link.get("hreflang") is not None:
        check_language(link.get("hreflang", ""), f"{where}/@hreflang", report)
    href = link.get("href")
    if href is None:
        # feedvalidator: MissingHref (error); RFC 4287 §4.2.7.1
        report.error(where, "atom:link must have an href attribute")
    else:
        check_uri(href, f"{where}/@href", report, full=False, iri=True)
        if (
            rel == "self"
            and context in ("feed", "channel")
            and not re.match(r"^\w+://[^/]", href)
            and (not has_xml_base(link))
        ):
            # feedvalidator: RelativeSelf (warning)
            report.warning(where, f"self link must be an absolute URL: {href!r}")
    if (link.text or "").strip():
        # feedvalidator: AtomLinkNotEmpty (warning)
        report.warning(where, "atom:link should not have text content")
    if link.get(f"{{{THR_NS}}}when") is not None:
        # feedvalidator: NoThrWhen (error)
        report.error(where, "thr:when is obsolete, use thr:updated")


def check_alternate_uniqueness(links: list[etree._Element], where: str, report: Report) -> None:
    """RFC 4287 §4.1.1/§4.1.2: at most one alternate link per type and hreflang
    (feedvalidator: DuplicateAtomLink, error)."""
    seen: set[tuple[str | None, str | None]] = set()
    for link in links:
        if link.get("rel", "alternate") != "alternate":
            continue
        key = (link.get("type"), link.get("hreflang"))
        if key in seen:
            report.error(where, f"duplicate alternate links with type={key[0]!r} hreflang={key[1]!r}")
        seen.add(key)


def check_atom_person(person: etree._Element, where: str, report: Report) -> None:
    """RFC 4287 §3.2 person constructs (feedvalidator author.py)."""
    check_attributes(person, where, (), report)
    check_no_text(person, where, report)
    names = atom_children(person, "name")
    if not names:
        # feedvalidator: MissingElement (error); RFC 4287 §3.2.1 "MUST contain exactly one atom:name"
        report.error(where, "missing atom:name")
    for local in ("name", "email", "uri"):
        if len(atom_children(person, local)) > 1:
            # feedvalidator: DuplicateElement (error)
            report.error(where, f"contains more than one atom:{local}")
    for child in children(person):
        namespace, local = qname(child)
        value = text_of(child)
        if namespace == ATOM_NS and local == "name":
            check_nonhtml(value, f"{where}/name", report)
            if EMAIL_RE.search(value.strip()) or re.search(r"<[^>]+@[^>]+>", value):
                # feedvalidator: ContainsEmail (warning)
                report.warning(f"{where}/name", "should not include an email address")
            if not value.strip():
                # feedvalidator: NotBlank (warning)
                report.warning(f"{where}/name", "should not be blank")
        elif namespace == ATOM_NS and local == "email":
            check_email(value.strip(), f"{where}/email", report)
        elif namespace == ATOM_NS and local == "uri":
            if value != value.strip():
                # feedvalidator: UnexpectedWhitespace (error)
                report.error(f"{where}/uri", "whitespace not permitted")
            check_uri(value.strip(), f"{where}/uri", report, full=False, iri=True)
        elif namespace == ATOM_NS:
            # feedvalidator: UndefinedElement (error)
            report.error(where, f"undefined element atom:{local}")


def check_atom_category(category: etree._Element, where: str, report: Report) -> None:
    """RFC 4287 §4.2.2 (feedvalidator category.py)."""
    check_attributes(category, where, ("term", "scheme", "label"), report)
    if category.get("term") is None:
        # feedvalidator: MissingAttribute (error); RFC 4287 §4.2.2.1
        report.error(where, "atom:category must have a term attribute")
    if category.get("scheme") is not None:
        check_uri(category.get("scheme", ""), f"{where}/@scheme", report, full=True)
    if category.get("label") is not None:
        check_nonhtml(category.get("label", ""), f"{where}/@label", report)


def check_atom_id(element: etree._Element, where: str, report: Report) -> str:
    """RFC 4287 §4.2.6: an absolute IRI, normalised (feedvalidator canonicaluri, nows)."""
    check_attributes(element, where, (), report)
    check_no_child_elements(element, where, report)
    value = text_of(element)
    if value != value.strip():
        # feedvalidator: UnexpectedWhitespace (error)
        report.error(where, "whitespace not permitted around an id")
    value = value.strip()
    if check_uri(value, where, report, full=True):
        check_canonical(value, where, report)
    return value


def check_atom_date(element: etree._Element, where: str, report: Report) -> str:
    check_attributes(element, where, (), report)
    check_no_child_elements(element, where, report)
    value = text_of(element)
    check_rfc3339(value, where, report)
    return value.strip()


def check_atom_common(element: etree._Element, where: str, context: str, report: Report) -> None:
    """Children shared by atom:feed, atom:entry and atom:source."""
    for child in children(element):
        namespace, local = qname(child)
        if namespace != ATOM_NS:
            continue
        child_where = f"{where}/{local}"
        if local in ("title", "subtitle", "rights", "summary"):
            check_atom_text_construct(child, child_where, report, is_content=False)
        elif local == "content":
            check_atom_text_construct(child, child_where, report, is_content=True)
        elif local in ("author", "contributor"):
            check_atom_person(child, child_where, report)
        elif local == "category":
            check_atom_category(child, child_where, report)
        elif local == "link":
            check_atom_link(child, child_where, context, report)
        elif local in ("icon", "logo"):
            check_attributes(child, child_where, (), report)
            value = text_of(child)
            if not value.strip():
                # feedvalidator: NotBlank (warning)
                report.warning(child_where, "should not be blank")
            elif value != value.strip():
                # feedvalidator: UnexpectedWhitespace (error)
                report.error(child_where, "whitespace not permitted")
            else:
                check_uri(value, child_where, report, full=False, iri=True)
        elif local == "generator":
            check_attributes(child, child_where, ("uri", "version"), report)
            if child.get("uri") is not None:
                check_uri(child.get("uri", ""), f"{child_where}/@uri", report, full=False, iri=True)
            if not text_of(child).strip():
                # feedvalidator: NotBlank (warning)
                report.warning(child_where, "should not be blank")
            check_no_child_elements(child, child_where, report)


def check_atom_metadata(feed: etree._Element, report: Report) -> None:
    where = "feed"
    for local in ("id", "title", "updated"):
        if not atom_children(feed, local):
            # feedvalidator: MissingElement (error); RFC 4287 §4.1.1 "MUST contain exactly one"
            report.error(where, f"missing atom:{local}")
    links = atom_children(feed, "link")
    if not any(link.get("rel") == "self" for link in links):
        # feedvalidator: MissingSelf (warning); RFC 4287 §4.1.1 "SHOULD contain ... rel=self"
        report.warning(where, 'missing atom:link with rel="self"')
    if not any(link.get("rel", "alternate") == "alternate" for link in links):
        # RFC 4287 §4.1.1: "SHOULD contain one atom:link element with a rel attribute value of
        # alternate" (the W3C validator does not check this; project rule, reported as a warning)
        report.warning(where, 'missing atom:link with rel="alternate"')
    check_alternate_uniqueness(links, where, report)
    seen_entry = False
    for child in children(feed):
        namespace, local = qname(child)
        if namespace == ATOM_NS and local == "entry":
            seen_entry = True
        elif seen_entry and namespace == ATOM_NS:
            # feedvalidator: MisplacedMetadata (error)
            report.error(where, f"atom:{local} must appear before all entries")
    for element in atom_children(feed, "id"):
        check_atom_id(element, "feed/id", report)
    for element in atom_children(feed, "updated"):
        check_atom_date(element, "feed/updated", report)


def check_atom_entry(entry: etree._Element, where: str, feed_has_author: bool, report: Report) -> None:
    """RFC 4287 §4.1.2 (feedvalidator entry.py)."""
    check_attributes(entry, where, (), report)
    check_no_text(entry, where, report)
    check_atom_element_set(entry, where, ENTRY_CHILDREN, SINGLE_ENTRY_CHILDREN, report)
    check_atom_common(entry, where, "entry", report)
    for local in ("id", "title", "updated"):
        if not atom_children(entry, local):
            # feedvalidator: MissingElement (error)
            report.error(where, f"missing atom:{local}")
    sources = atom_children(entry, "source")
    source_has_author = any(atom_children(source, "author") for source in sources)
    if not feed_has_author and not atom_children(entry, "author") and not source_has_author:
        # feedvalidator: MissingElement (error); RFC 4287 §4.1.2 "MUST contain one or more atom:author
        # elements, unless ... the containing atom:feed element contains one or more atom:author"
        report.error(where, "missing atom:author (and the feed has none)")
    links = atom_children(entry, "link")
    contents = atom_children(entry, "content")
    summaries = atom_children(entry, "summary")
    if contents:
        content = contents[0]
        ctype = content.get("type", "text")
        textual = (
            ctype in ("text", "html", "xhtml")
            or ctype.endswith(("+xml", "/xml"))
            or (ctype.startswith("text/"))
        )
        if not summaries and (content.get("src") is not None or not textual):
            # feedvalidator: MissingSummary (error); RFC 4287 §4.1.2 summary required for src/base64 content
            report.error(where, "atom:summary is required when content has src or is not textual")
    else:
        if not summaries:
            # feedvalidator: MissingTextualContent (warning)
            report.warning(where, "missing textual content (atom:content or atom:summary)")
        if not any(link.get("rel", "alternate") == "alternate" for link in links):
            # feedvalidator: MissingContentOrAlternate (error); RFC 4287 §4.1.2
            report.error(where, "missing atom:content or an alternate atom:link")
    check_alternate_uniqueness(links, where, report)
    for element in atom_children(entry, "id"):
        check_atom_id(element, f"{where}/id", report)
    for element in atom_children(entry, "updated") + atom_children(entry, "published"):
        check_atom_date(element, f"{where}/{etree.QName(element).localname}", report)
    for source in sources:
        check_atom_source(source, f"{where}/source", report)


def check_atom_source(source: etree._Element, where: str, report: Report) -> None:
    """RFC 4287 §4.2.11: atom:source carries feed metadata (feedvalidator: MissingSourceElement, warning)."""
    check_atom_element_set(source, where, FEED_CHILDREN - {"entry"}, SINGLE_FEED_CHILDREN, report)
    check_atom_common(source, where, "source", report)
    for local in ("id", "title", "updated"):
        if not atom_children(source, local):
            report.warning(where, f"missing atom:{local}")


def check_atom_entries(feed: etree._Element, report: Report) -> None:
    feed_has_author = bool(atom_children(feed, "author"))
    ids: dict[str, int] = {}
    updated: dict[str, int] = {}
    for index, entry in enumerate(atom_children(feed, "entry"), start=1):
        where = f"entry[{index}]"
        check_atom_entry(entry, where, feed_has_author, report)
        for element in atom_children(entry, "id")[:1]:
            value = text_of(element).strip()
            if value in ids:
                # feedvalidator: DuplicateEntries (warning) "Two entries with the same id"
                report.warning(where, f"same atom:id as entry[{ids[value]}]: {value!r}")
            else:
                ids[value] = index
        for element in atom_children(entry, "updated")[:1]:
            value = text_of(element).strip()
            if value in updated:
                # feedvalidator: DuplicateUpdated (warning) "Two entries with the same value for atom:updated"
                report.warning(where, f"same atom:updated as entry[{updated[value]}]: {value!r}")
            else:
                updated[value] = index


def check_atom(data: bytes) -> list[str]:
    """Checks an Atom 1.0 feed document (RFC 4287) under the W3C validator's rules."""
    report = Report()
    root = parse_xml(data, report)
    if root is None:
        return report.problems
    check_feedparser(data, report)
    if qname(root) != (ATOM_NS, "feed"):
        # feedvalidator: ObsoleteNamespace / InvalidNamespace / UndefinedElement (error)
        report.error("document", f"root element must be atom:feed, not {root.tag}")
        return report.problems
    check_namespace_declarations(root, report, atom_document=True)
    check_bad_characters(root, report)
    check_attributes(root, "feed", (), report)
    check_no_text(root, "feed", report)
    check_atom_element_set(root, "feed", FEED_CHILDREN, SINGLE_FEED_CHILDREN, report)
    check_atom_metadata(root, report)
    check_atom_common(root, "feed", "feed", report)
    check_atom_entries(root, report)
    return report.problems


# --------------------------------------------------------------------------
# Known extension elements (RSS and Atom)
# --------------------------------------------------------------------------

MEDIA_ELEMENTS = {"adult", "category", "content", "copyright", "credit", "description", "group", "hash",
                  "keywords", "player", "rating", "restriction", "text", "thumbnail", "title"}  # fmt: skip
MEDIA_MEDIUMS = {"image", "audio", "video", "document", "executable"}
DC_ELEMENTS = words(
    "contributor coverage creator date description format identifier language publisher relation rights "
    "source subject title type"
)


def check_known_extension(element: etree._Element, where: str, report: Report) -> None:
    """Extension elements in namespaces the validator knows (feedvalidator extension.py, media.py)."""
    namespace, local = qname(element)
    child_where = f"{where}/{KNOWN_NAMESPACES.get(namespace or '', '')}:{local}"
    if namespace == MEDIA_NS:
        if local not in MEDIA_ELEMENTS:
            # feedvalidator: UndefinedElement (error)
            report.error(where, f"undefined element media:{local}")
        else:
            check_media(element, child_where, report)
    elif namespace == DC_NS:
        if local not in DC_ELEMENTS:
            report.error(where, f"undefined element dc:{local}")
        elif local == "date":
            check_w3cdtf(text_of(element).strip(), child_where, report)
        elif local == "language":
            check_language(text_of(element).strip(), child_where, report)
    elif namespace == CONTENT_NS and local != "encoded":
        report.error(where, f"undefined element content:{local}")


def check_media(element: etree._Element, where: str, report: Report) -> None:
    """Media RSS elements (feedvalidator media.py)."""
    local = etree.QName(element).localname
    if local == "content":
        check_media_content(element, where, report)
    elif local == "thumbnail":
        check_media_thumbnail(element, where, report)
    elif local == "group":
        contents = [c for c in children(element) if qname(c) == (MEDIA_NS, "content")]
        if len(contents) < 2:
            # feedvalidator: MediaGroupWithoutAlternatives (error)
            report.error(where, "media:group must have several media:content children")
        for child in children(element):
            check_known_extension(child, where, report)
    elif local in ("title", "description", "text"):
        media_type = element.get("type")
        if media_type not in (None, "plain", "html"):
            # feedvalidator: InvalidMediaTextType (error)
            report.error(where, f'type attribute must be "plain" or "html": {media_type!r}')
        if media_type == "html":
            check_html(text_of(element), where, report, relative_refs=False)
        else:
            check_nonhtml(text_of(element), where, report, undeclared=True)
    elif local == "adult":
        # feedvalidator: DeprecatedMediaAdult (warning)
        report.warning(where, "media:adult is deprecated")


def check_media_content(element: etree._Element, where: str, report: Report) -> None:
    expected = ("bitrate", "channels", "duration", "expression", "fileSize", "framerate", "height",
                "isDefault", "lang", "medium", "samplingrate", "type", "url", "width")  # fmt: skip
    check_attributes(element, where, expected, report)
    url = element.get("url")
    if url is None:
        if not any(qname(c) == (MEDIA_NS, "player") for c in children(element)):
            # Media RSS 1.5.1: url "should" be given; it may only be omitted when media:player is present
            report.error(where, "media:content needs a url attribute (or a media:player child)")
    else:
        check_uri(url, f"{where}/@url", report, full=True)
    for name in ("bitrate", "duration", "framerate", "samplingrate"):
        value = element.get(name)
        if value is not None and not re.match(r"^\d+\.?\d*$", value):
            # feedvalidator: InvalidFloat (error)
            report.error(where, f"{name} must be a number: {value!r}")
    for name in ("fileSize", "height", "width"):
        if element.get(name) is not None:
            check_positive_int(element.get(name, ""), f"{where}/@{name}", report)
    if element.get("channels") is not None:
        check_nonnegative_int(element.get("channels", ""), f"{where}/@channels", report)
    medium = element.get("medium")
    if medium is not None and medium not in MEDIA_MEDIUMS:
        # feedvalidator: InvalidMediaMedium (error)
        report.error(where, f"invalid medium {medium!r}")
    expression = element.get("expression")
    if expression is not None and expression not in ("sample", "full", "nonstop"):
        # feedvalidator: InvalidMediaExpression (error)
        report.error(where, f"invalid expression {expression!r}")
    if element.get("isDefault") is not None and element.get("isDefault", "").lower() not in ("true", "false"):
        # feedvalidator: InvalidTrueFalse (error)
        report.error(where, "isDefault must be true or false")
    if element.get("type") is not None:
        check_mime(element.get("type", ""), f"{where}/@type", report)
    if element.get("lang") is not None:
        check_language(element.get("lang", ""), f"{where}/@lang", report)
    for child in children(element):
        if etree.QName(child).namespace in KNOWN_NAMESPACES:
            check_known_extension(child, where, report)


def check_media_thumbnail(element: etree._Element, where: str, report: Report) -> None:
    check_attributes(element, where, ("height", "time", "url", "width"), report)
    url = element.get("url")
    if url is None:
        # feedvalidator: MissingAttribute (error)
        report.error(where, "media:thumbnail must have a url attribute")
    else:
        check_uri(url, f"{where}/@url", report, full=True)
    for name in ("height", "width"):
        if element.get(name) is not None:
            check_positive_int(element.get(name, ""), f"{where}/@{name}", report)
    time = element.get("time")
    if time is not None and not re.match(r"^(now)|(\d+(\.\d+)?)|(\d+:\d\d:\d\d(\.\d+)?)$", time):
        # feedvalidator: InvalidNPTTime (error)
        report.error(where, f"time must be an NPT time: {time!r}")


# --------------------------------------------------------------------------
# RSS 2.0 (RSS Advisory Board specification and RSS profile)
# --------------------------------------------------------------------------

CHANNEL_ELEMENTS = {"title", "link", "description", "language", "copyright", "managingEditor",
                    "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud",
                    "ttl", "image", "rating", "textInput", "skipHours", "skipDays", "item"}  # fmt: skip
ITEM_ELEMENTS = {"title", "link", "description", "author", "category", "comments", "enclosure", "guid",
                 "pubDate", "source"}  # fmt: skip
SINGLE_CHANNEL_ELEMENTS = ("title", "link", "description", "language", "copyright", "managingEditor",
                           "webMaster", "pubDate", "lastBuildDate", "generator", "docs", "cloud", "ttl",
                           "image", "rating", "textInput", "skipHours", "skipDays")  # fmt: skip
SINGLE_ITEM_ELEMENTS = ("title", "link", "description", "author", "comments", "enclosure", "guid",
                        "pubDate", "source")  # fmt: skip
RSS_EXPECTED_ATTRIBUTES = {"category": ("domain",), "cloud": ("domain", "port", "path", "registerProcedure",
                           "protocol"), "enclosure": ("url", "length", "type"), "guid": ("isPermaLink",),
                           "source": ("url",)}  # fmt: skip


def plain_children(element: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in children(element) if qname(c) == (None, local)]


def check_rss_element_set(
    element: etree._Element, where: str, allowed: set[str], singles: Iterable[str], report: Report
) -> None:
    for child in children(element):
        namespace, local = qname(child)
        if namespace is None:
            if local not in allowed:
                # feedvalidator: UndefinedElement (error)
                report.error(where, f"undefined element {local}")
            check_attributes(child, f"{where}/{local}", RSS_EXPECTED_ATTRIBUTES.get(local, ()), report,
                             rss_core=True)  # fmt: skip
        elif namespace in KNOWN_NAMESPACES and namespace != ATOM_NS:
            check_known_extension(child, where, report)
        elif namespace == ATOM_NS and local != "link":
            continue
    for local in singles:
        if len(plain_children(element, local)) > 1:
            # feedvalidator: DuplicateElement (error)
            report.error(where, f"contains more than one {local}")


def check_rss_text(element: etree._Element, where: str, report: Report) -> str:
    check_no_child_elements(element, where, report)
    return text_of(element).strip()


def check_rss_channel_values(channel: etree._Element, report: Report) -> None:
    for child in children(channel):
        namespace, local = qname(child)
        where = f"channel/{local}"
        if namespace is not None or local in ("item", "image", "cloud", "textInput", "skipHours", "skipDays"):
            continue
        value = check_rss_text(child, where, report)
        if local in ("title", "description", "copyright", "category"):
            check_nonhtml(value, where, report)  # feedvalidator nonhtml: ContainsHTML (warning)
        if local == "title" and not value:
            # feedvalidator: NotBlank (warning)
            report.warning(where, "should not be blank")
        elif local in ("link", "docs"):
            check_uri(value, where, report, full=True)
        elif local == "language":
            check_language(value, where, report)
        elif local in ("pubDate", "lastBuildDate"):
            check_rfc822(value, where, report)
        elif local in ("managingEditor", "webMaster"):
            check_email_with_name(value, where, report)
        elif local == "ttl":
            check_positive_int(value, where, report)


def check_rss_image(image: etree._Element, channel_link: str | None, report: Report) -> None:
    """RSS 2.0 <image>: url, title, link required; width <= 144, height <= 400."""
    where = "channel/image"
    for local in ("url", "title", "link"):
        if not plain_children(image, local):
            # feedvalidator: MissingElement (error); RSS 2.0 "required sub-elements"
            report.error(where, f"missing {local}")
    for child in children(image):
        namespace, local = qname(child)
        value = check_rss_text(child, f"{where}/{local}", report)
        if namespace is not None:
            continue
        if local in ("url", "link"):
            check_uri(value, f"{where}/{local}", report, full=True)
        elif local in ("width", "height"):
            limit = 144 if local == "width" else 400
            if not value.isdigit() or not 0 < int(value) <= limit:
                # feedvalidator: InvalidWidth / InvalidHeight (error)
                report.error(f"{where}/{local}", f"must be between 1 and {limit}")
        elif local not in ("title", "description"):
            report.error(where, f"undefined element {local}")
    links = plain_children(image, "link")
    if links and channel_link and text_of(links[0]).strip() != channel_link:
        # feedvalidator: ImageLinkDoesntMatch (warning)
        report.warning(where, "image link doesn't match channel link")


def check_rss_self_link(channel: etree._Element, report: Report) -> None:
    links = [c for c in children(channel) if qname(c) == (ATOM_NS, "link")]
    for index, link in enumerate(links, start=1):
        check_atom_link(link, f"channel/atom:link[{index}]", "channel", report)
    if not any(link.get("rel") == "self" for link in links):
        # feedvalidator: MissingAtomSelfLink (warning)
        report.warning("channel", 'missing atom:link with rel="self"')


def check_rss_misplaced_items(channel: etree._Element, report: Report) -> None:
    seen_item = False
    for child in children(channel):
        namespace, local = qname(child)
        if namespace is None and local == "item":
            seen_item = True
        elif seen_item and (namespace is None or namespace == ATOM_NS):
            # feedvalidator: MisplacedItem (warning, RSS 2.0 profile)
            report.warning("channel", f"item elements should come after channel metadata ({local})")
            return


def check_guid(guid: etree._Element, where: str, report: Report) -> None:
    """RSS 2.0 <guid> (feedvalidator item.py guid)."""
    value = check_rss_text(guid, where, report)
    flag = guid.get("isPermaLink")
    if flag is not None and flag not in ("true", "false"):
        # feedvalidator: InvalidBooleanAttribute (error)
        report.error(where, f"isPermaLink must be 'true' or 'false': {flag!r}")
    if flag in (None, "true"):
        if uri_problem(value, full=True) is not None or not re.match(r"^\w+:", value):
            # feedvalidator: InvalidHttpGUID (error) -- RSS 2.0: "isPermaLink ... defaults to true"
            report.error(where, f"guid must be a full URL unless isPermaLink is false: {value!r}")
        elif value.lower().startswith(("tag:", "urn:uuid:")):
            # feedvalidator: InvalidPermalink (error)
            report.error(where, f"a {value.split(':')[0]}: guid is not a permalink; set isPermaLink='false'")
    elif len(value) < 9 and value.isdigit():
        # feedvalidator: NotSufficientlyUnique (warning)
        report.warning(where, f"guid is not sufficiently unique: {value!r}")
    if not value:
        # feedvalidator: NotBlank (warning)
        report.warning(where, "should not be blank")


def check_enclosure(enclosure: etree._Element, where: str, report: Report) -> None:
    """RSS 2.0 <enclosure url length type> (feedvalidator item.py enclosure)."""
    length = enclosure.get("length")
    if length is None:
        # feedvalidator: MissingAttribute (error); RSS 2.0 "three required attributes"
        report.error(where, "missing attribute length (use 0 when unknown)")
    elif not re.fullmatch(r"-?\d+", length.strip()):
        # feedvalidator: InvalidIntegerAttribute (error)
        report.error(where, f"length must be an integer: {length!r}")
    elif int(length) == -1:
        # feedvalidator: UseZeroForUnknown (error)
        report.error(where, "use length 0, not -1, for an unknown length")
    elif int(length) < 0:
        # feedvalidator: InvalidNonNegativeInteger (error)
        report.error(where, f"length must be a non-negative integer: {length!r}")
    enclosure_type = enclosure.get("type")
    if enclosure_type is None:
        # feedvalidator: MissingAttribute (error)
        report.error(where, "missing attribute type")
    else:
        check_mime(enclosure_type, f"{where}/@type", report)
    url = enclosure.get("url")
    if url is None:
        # feedvalidator: MissingAttribute (error)
        report.error(where, "missing attribute url")
    else:
        check_http_url(url, f"{where}/@url", report)


def check_rss_item(item: etree._Element, where: str, report: Report) -> None:
    check_no_text(item, where, report)
    check_rss_element_set(item, where, ITEM_ELEMENTS, (s for s in SINGLE_ITEM_ELEMENTS if s != "enclosure"),
                          report)  # fmt: skip
    if not plain_children(item, "title") and not plain_children(item, "description"):
        # feedvalidator: ItemMustContainTitleOrDescription (error); RSS 2.0
        report.error(where, "item must contain either title or description")
    if not plain_children(item, "guid"):
        # feedvalidator: MissingGuid (warning)
        report.warning(where, "item should contain a guid element")
    if len(plain_children(item, "enclosure")) > 1:
        # feedvalidator: DuplicateEnclosure (warning)
        report.warning(where, "item contains more than one enclosure")
    seen_description = False
    for child in children(item):
        namespace, local = qname(child)
        child_where = f"{where}/{local}"
        if (namespace, local) == (None, "description"):
            seen_description = True
            check_html(check_rss_text(child, child_where, report), child_where, report, relative_refs=True)
        elif (namespace, local) == (CONTENT_NS, "encoded"):
            if not seen_description:
                # feedvalidator: NeedDescriptionBeforeContent (warning, RSS 2.0 profile)
                report.warning(where, "content:encoded should come after a description")
            check_html(check_rss_text(child, child_where, report), f"{where}/content:encoded", report,
                       relative_refs=True)  # fmt: skip
        elif namespace is None:
            check_rss_item_value(child, local, child_where, report)
        elif namespace == ATOM_NS and local == "link":
            check_atom_link(child, child_where, "item", report)


def check_rss_item_value(child: etree._Element, local: str, where: str, report: Report) -> None:
    if local == "enclosure":
        check_enclosure(child, where, report)
        return
    if local == "guid":
        check_guid(child, where, report)
        return
    value = check_rss_text(child, where, report)
    if local == "title":
        check_nonhtml(value, where, report)
        if not value:
            # feedvalidator: NotBlank (warning)
            report.warning(where, "should not be blank")
    elif local in ("link", "comments"):
        check_uri(value, where, report, full=True)
    elif local == "author":
        check_email_with_name(value, where, report)
    elif local == "category":
        check_nonhtml(value, where, report)
        if not value:
            # feedvalidator: NotBlank (warning)
            report.warning(where, "should not be blank")
    elif local == "pubDate":
        check_rfc822(value, where, report)
    elif local == "source":
        if child.get("url") is None:
            # feedvalidator: MissingAttribute (error)
            report.error(where, "missing attribute url")
        else:
            check_uri(child.get("url", ""), f"{where}/@url", report, full=True)


def check_rss_items(channel: etree._Element, report: Report) -> None:
    guids: dict[str, int] = {}
    for index, item in enumerate(plain_children(channel, "item"), start=1):
        where = f"item[{index}]"
        check_rss_item(item, where, report)
        for guid in plain_children(item, "guid")[:1]:
            value = text_of(guid).strip()
            if value in guids:
                # feedvalidator: DuplicateValue (error) "guid values must not be duplicated within a feed"
                report.error(where, f"same guid as item[{guids[value]}]: {value!r}")
            elif value:
                guids[value] = index


def check_rss(data: bytes) -> list[str]:
    """Checks an RSS 2.0 document under the W3C validator's rules."""
    report = Report()
    root = parse_xml(data, report)
    if root is None:
        return report.problems
    check_feedparser(data, report)
    if qname(root) != (None, "rss"):
        report.error("document", f"root element must be rss (no namespace), not {root.tag}")
        return report.problems
    check_namespace_declarations(root, report, atom_document=False)
    check_bad_characters(root, report)
    check_attributes(root, "rss", ("version",), report)
    version = root.get("version")
    if version is None:
        # feedvalidator: MissingAttribute (error)
        report.error("rss", "missing attribute version")
    elif version != "2.0":
        # project: this service generates RSS 2.0 only (feedvalidator: InvalidRSSVersion for unknown values)
        report.error("rss", f'version must be "2.0", not {version!r}')
    channels = plain_children(root, "channel")
    if len(channels) != 1:
        # feedvalidator: MissingChannel / DuplicateElement (error)
        report.error("rss", f"must contain exactly one channel (found {len(channels)})")
    for child in children(root):
        if qname(child) != (None, "channel"):
            report.error("rss", f"undefined element {etree.QName(child).localname}")
    if not channels:
        return report.problems
    channel = channels[0]
    check_attributes(channel, "channel", (), report)
    check_no_text(channel, "channel", report)
    check_rss_element_set(channel, "channel", CHANNEL_ELEMENTS, SINGLE_CHANNEL_ELEMENTS, report)
    for local in ("title", "link", "description"):
        if not plain_children(channel, local):
            # feedvalidator: MissingTitle / MissingLink / MissingDescription (error); RSS 2.0 required
            report.error("channel", f"missing {local}")
    check_rss_channel_values(channel, report)
    links = plain_children(channel, "link")
    for image in plain_children(channel, "image"):
        check_rss_image(image, text_of(links[0]).strip() if links else None, report)
    if plain_children(channel, "textInput"):
        # feedvalidator: AvoidTextInput (warning, RSS 2.0 profile)
        report.warning("channel", "avoid textInput")
    check_rss_self_link(channel, report)
    check_rss_misplaced_items(channel, report)
    check_rss_items(channel, report)
    return report.problems


# --------------------------------------------------------------------------
# JSON Feed 1.1 (https://jsonfeed.org/version/1.1)
# --------------------------------------------------------------------------

FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
             "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}  # fmt: skip
ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
             "banner_image", "date_published", "date_modified", "authors", "author", "tags", "language",
             "attachments"}  # fmt: skip
AUTHOR_KEYS = {"name", "url", "avatar"}
ATTACHMENT_KEYS = {"url", "mime_type", "title", "size_in_bytes", "duration_in_seconds"}


def check_json_keys(obj: dict, known: set[str], where: str, report: Report) -> None:
    """JSON Feed 1.1 "Extensions": custom keys must start with an underscore."""
    for key in obj:
        if key not in known and not key.startswith("_"):
            # JSON Feed 1.1: unknown keys are neither defined nor extensions (project: warning)
            report.warning(where, f"unknown key {key!r} (extensions must start with '_')")


def check_json_string(obj: dict, key: str, where: str, report: Report, required: bool = False) -> str | None:
    if key not in obj:
        if required:
            report.error(where, f"missing required {key!r}")
        return None
    value = obj[key]
    if not isinstance(value, str):
        report.error(where, f"{key!r} must be a string")
        return None
    return value


def check_json_url(obj: dict, key: str, where: str, report: Report) -> None:
    """JSON Feed 1.1 URLs: absolute http(s) URLs (the spec's examples and "the URL of" wording;
    relative URLs have no defined base in JSON)."""
    value = check_json_string(obj, key, where, report)
    if value is not None and check_http_url(value, f"{where}.{key}", report):
        check_uri(value, f"{where}.{key}", report, full=True)


def check_json_authors(obj: dict, where: str, report: Report) -> None:
    """JSON Feed 1.1 authors: an array of author objects, each with at least one of name/url/avatar."""
    if "author" in obj:
        # JSON Feed 1.1: author is deprecated; "use the authors key instead"
        if "authors" not in obj:
            report.warning(where, "'author' is deprecated in JSON Feed 1.1; use 'authors'")
        check_json_author(obj["author"], f"{where}.author", report)
    if "authors" not in obj:
        return
    authors = obj["authors"]
    if not isinstance(authors, list):
        report.error(where, "'authors' must be an array")
        return
    for index, author in enumerate(authors):
        check_json_author(author, f"{where}.authors[{index}]", report)


def check_json_author(author: object, where: str, report: Report) -> None:
    if not isinstance(author, dict):
        report.error(where, "author must be an object")
        return
    check_json_keys(author, AUTHOR_KEYS, where, report)
    if not any(key in author for key in AUTHOR_KEYS):
        report.error(where, "author must have at least one of name, url, avatar")
    check_json_string(author, "name", where, report)
    check_json_url(author, "url", where, report)
    check_json_url(author, "avatar", where, report)


def check_json_date(obj: dict, key: str, where: str, report: Report) -> None:
    value = check_json_string(obj, key, where, report)
    if value is not None:
        # JSON Feed 1.1: dates "in RFC 3339 format"; the W3C validator's RFC 3339 profile is used
        check_rfc3339(value, f"{where}.{key}", report)


def check_json_language(obj: dict, where: str, report: Report) -> None:
    value = check_json_string(obj, "language", where, report)
    if value is not None:
        # JSON Feed 1.1: "in the format specified in RFC 5646"
        check_language(value, f"{where}.language", report)


def check_json_attachment(attachment: object, where: str, report: Report) -> None:
    if not isinstance(attachment, dict):
        report.error(where, "attachment must be an object")
        return
    check_json_keys(attachment, ATTACHMENT_KEYS, where, report)
    if "url" not in attachment:
        report.error(where, "attachment is missing required 'url'")
    check_json_url(attachment, "url", where, report)
    mime_type = check_json_string(attachment, "mime_type", where, report, required=True)
    if mime_type is not None:
        check_mime(mime_type, f"{where}.mime_type", report)
    check_json_string(attachment, "title", where, report)
    for key in ("size_in_bytes", "duration_in_seconds"):
        value = attachment.get(key)
        if key in attachment and (not isinstance(value, int | float) or isinstance(value, bool) or value < 0
                                  or not math.isfinite(value)):  # fmt: skip
            report.error(where, f"{key!r} must be a non-negative number")


def check_json_item(item: object, where: str, report: Report) -> str | None:
    if not isinstance(item, dict):
        report.error(where, "item must be an object")
        return None
    check_json_keys(item, ITEM_KEYS, where, report)
    item_id = item.get("id")
    if "id" not in item:
        report.error(where, "missing required 'id'")
    elif not isinstance(item_id, str):
        # JSON Feed 1.1: "id (required, string)"; readers must coerce other types
        report.error(where, f"'id' must be a string, not {type(item_id).__name__}")
        item_id = None
    elif not item_id.strip():
        report.error(where, "'id' must not be empty")
    if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
        # JSON Feed 1.1: "content_html and content_text are each optional strings — but one or both
        # must be present"
        report.error(where, "item needs content_html or content_text")
    for key in ("title", "content_html", "content_text", "summary"):
        check_json_string(item, key, where, report)
    if isinstance(item.get("content_html"), str):
        # W3C rules for escaped HTML (SecurityRisk, ContainsRelRef); JSON has no base URL, so relative
        # references cannot be resolved by readers -- project rule.
        check_html(item["content_html"], f"{where}.content_html", report, relative_refs=True)
    for key in ("url", "external_url", "image", "banner_image"):
        check_json_url(item, key, where, report)
    for key in ("date_published", "date_modified"):
        check_json_date(item, key, where, report)
    check_json_authors(item, where, report)
    check_json_language(item, where, report)
    if "tags" in item and (
        not isinstance(item["tags"], list) or not all(isinstance(t, str) and t for t in item["tags"])
    ):
        report.error(where, "'tags' must be an array of non-empty strings")
    if "attachments" in item:
        if not isinstance(item["attachments"], list):
            report.error(where, "'attachments' must be an array")
        else:
            for index, attachment in enumerate(item["attachments"]):
                check_json_attachment(attachment, f"{where}.attachments[{index}]", report)
    return item_id if isinstance(item_id, str) else None


def check_json_top_level(feed: dict, report: Report) -> None:
    where = "feed"
    check_json_keys(feed, FEED_KEYS, where, report)
    version = check_json_string(feed, "version", where, report, required=True)
    if version is not None and version != JSONFEED_VERSION:
        report.error(where, f"version must be {JSONFEED_VERSION!r}, not {version!r}")
    check_json_string(feed, "title", where, report, required=True)
    for key in ("home_page_url", "feed_url"):
        if key not in feed:
            # JSON Feed 1.1: "optional but strongly recommended"
            report.warning(where, f"missing {key!r} (strongly recommended)")
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        check_json_url(feed, key, where, report)
    for key in ("description", "user_comment"):
        check_json_string(feed, key, where, report)
    if "expired" in feed and not isinstance(feed["expired"], bool):
        report.error(where, "'expired' must be a boolean")
    if "hubs" in feed:
        hubs = feed["hubs"]
        valid = isinstance(hubs, list) and all(
            isinstance(h, dict) and isinstance(h.get("type"), str) and isinstance(h.get("url"), str)
            for h in hubs
        )
        if not valid:
            report.error(where, "'hubs' must be an array of objects with type and url")
    check_json_authors(feed, where, report)
    check_json_language(feed, where, report)


def check_jsonfeed(data: bytes) -> list[str]:
    """Checks a JSON Feed 1.1 document."""
    report = Report()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # JSON Feed 1.1 / RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8
        report.error("document", f"not UTF-8: {exc}")
        return report.problems
    if text.startswith("\ufeff"):
        # RFC 8259 §8.1: implementations MUST NOT add a byte order mark
        report.error("document", "must not start with a byte order mark")
        text = text[1:]
    try:
        feed = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        report.error("document", f"invalid JSON: {exc}")
        return report.problems
    if not isinstance(feed, dict):
        report.error("document", "top level must be a JSON object")
        return report.problems
    check_json_top_level(feed, report)
    items = feed.get("items")
    if not isinstance(items, list):
        report.error("feed", "missing required 'items' array")
        return report.problems
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"items[{index}]"
        item_id = check_json_item(item, where, report)
        if item_id is None:
            continue
        if item_id in seen:
            # JSON Feed 1.1: id "is unique for that item for that feed over time"
            report.error(where, f"same id as items[{seen[item_id]}]: {item_id!r}")
        else:
            seen[item_id] = index
    return report.problems


def _reject_constant(name: str) -> object:
    # RFC 8259 §6: NaN and Infinity are not JSON
    raise ValueError(f"{name} is not valid JSON")


# --------------------------------------------------------------------------
# OPML 2.0 (http://opml.org/spec2.opml)
# --------------------------------------------------------------------------

OUTLINE_ATTRIBUTES = ("category", "created", "description", "htmlUrl", "isBreakpoint", "isComment",
                      "language", "text", "title", "type", "url", "version", "xmlUrl")  # fmt: skip
HEAD_ELEMENTS = {"title", "dateCreated", "dateModified", "ownerName", "ownerEmail", "ownerId", "docs",
                 "expansionState", "vertScrollState", "windowTop", "windowLeft", "windowBottom",
                 "windowRight"}  # fmt: skip


def check_opml_head(head: etree._Element, report: Report) -> None:
    titles = plain_children(head, "title")
    if not titles:
        # project: OPML 2.0 makes <title> optional; our subscription lists always carry one
        report.error("head", "missing title")
    for child in children(head):
        namespace, local = qname(child)
        where = f"head/{local}"
        if namespace is not None:
            continue
        if local not in HEAD_ELEMENTS:
            # feedvalidator: UndefinedElement (error)
            report.error("head", f"undefined element {local}")
            continue
        if len(plain_children(head, local)) > 1:
            # feedvalidator: DuplicateElement (error)
            report.error("head", f"contains more than one {local}")
        value = check_rss_text(child, where, report)
        if local == "title":
            check_html(value, where, report, relative_refs=False)
            if not value:
                report.warning(where, "should not be blank")
        elif local in ("dateCreated", "dateModified"):
            # OPML 2.0: dates conform to the Date-Time specification of RFC 822
            check_rfc822(value, where, report)
        elif local == "ownerEmail":
            check_email(parseaddr(value)[1] or value, where, report)
        elif local in ("ownerId", "docs"):
            check_http_url(value, where, report)
        elif local == "expansionState" and not re.match(r"^(\d+(,\s*\d+)*)?$", value):
            # feedvalidator: InvalidExpansionState (error)
            report.error(where, "must be a comma-separated list of line numbers")
        elif local.startswith(("window", "vertScroll")):
            check_positive_int(value, where, report)


def check_opml_outline(outline: etree._Element, where: str, report: Report) -> None:
    """OPML 2.0 <outline> (feedvalidator opml.py opmlOutline)."""
    check_attributes(outline, where, OUTLINE_ATTRIBUTES, report)
    if outline.get("text") is None:
        # feedvalidator: MissingAttribute (error); OPML 2.0 "text is ... required"
        report.error(where, "missing attribute text")
    outline_type = outline.get("type")
    if outline_type is not None and outline_type.lower() == "rss":
        xml_url = outline.get("xmlUrl")
        if xml_url is None:
            # feedvalidator: MissingXmlURL (warning); OPML 2.0 lists xmlUrl as required -> error
            report.error(where, 'outline of type "rss" must have an xmlUrl attribute')
        else:
            # OPML 2.0: "xmlUrl is the http address of the feed"
            check_http_url(xml_url, f"{where}/@xmlUrl", report)
        if outline.get("title") is None:
            # feedvalidator: MissingTitleAttr (warning)
            report.warning(where, "missing outline attribute: title")
    elif outline_type is not None and outline_type.lower() == "link" and outline.get("url") is None:
        # feedvalidator: MissingUrlAttr (warning)
        report.warning(where, "missing outline attribute: url")
    if outline_type is None and any(
        outline.get(a) is not None
        for a in ("description", "htmlUrl", "language", "title", "version", "xmlUrl")
    ):
        # feedvalidator: MissingOutlineType (warning)
        report.warning(where, "outline with more than a text attribute should have a type attribute")
    version = outline.get("version")
    if version is not None and version not in ("RSS", "RSS1", "RSS2", "scriptingNews"):
        # feedvalidator: InvalidOutlineVersion (warning)
        report.warning(where, f"invalid outline version {version!r}")
    check_opml_outline_values(outline, where, report)
    if (outline.text or "").strip():
        # feedvalidator: UnexpectedText (error)
        report.error(where, "unexpected text")
    for index, child in enumerate(plain_children(outline, "outline"), start=1):
        check_opml_outline(child, f"{where}/outline[{index}]", report)


def check_opml_outline_values(outline: etree._Element, where: str, report: Report) -> None:
    checks: dict[str, Callable[[str, str, Report], object]] = {
        "created": check_rfc822,
        "htmlUrl": lambda v, w, r: check_uri(v, w, r, full=True),
        "url": lambda v, w, r: check_uri(v, w, r, full=True),
        "language": check_language,
        "text": lambda v, w, r: check_html(v, w, r, relative_refs=False),
        "title": lambda v, w, r: check_html(v, w, r, relative_refs=False),
        "description": lambda v, w, r: check_html(v, w, r, relative_refs=False),
    }
    for name, check in checks.items():
        value = outline.get(name)
        if value is not None:
            check(value, f"{where}/@{name}", report)
    for name in ("isBreakpoint", "isComment"):
        value = outline.get(name)
        if value is not None and value.lower() not in ("true", "false"):
            # feedvalidator: InvalidTrueFalse (error)
            report.error(where, f"{name} must be true or false")


def check_opml(data: bytes) -> list[str]:
    """Checks an OPML 2.0 subscription list."""
    report = Report()
    root = parse_xml(data, report)
    if root is None:
        return report.problems
    if qname(root) != (None, "opml"):
        report.error("document", f"root element must be opml, not {root.tag}")
        return report.problems
    check_namespace_declarations(root, report, atom_document=False)
    check_bad_characters(root, report)
    check_attributes(root, "opml", ("version",), report)
    version = root.get("version")
    if version is None:
        # feedvalidator: MissingAttribute (error)
        report.error("opml", "missing attribute version")
    elif version not in ("1.0", "1.1", "2.0"):
        # feedvalidator: InvalidOPMLVersion (error)
        report.error("opml", f"invalid OPML version {version!r}")
    elif version != "2.0":
        # project: subscription lists are written as OPML 2.0
        report.warning("opml", f'expected version "2.0", found {version!r}')
    heads, bodies = plain_children(root, "head"), plain_children(root, "body")
    for local, found in (("head", heads), ("body", bodies)):
        if len(found) != 1:
            # feedvalidator: MissingElement / DuplicateElement (error)
            report.error("opml", f"must contain exactly one {local} (found {len(found)})")
    for child in children(root):
        if qname(child) not in ((None, "head"), (None, "body")):
            report.error("opml", f"undefined element {etree.QName(child).localname}")
    for head in heads[:1]:
        check_opml_head(head, report)
    for body in bodies[:1]:
        outlines = plain_children(body, "outline")
        if not outlines:
            # feedvalidator: MissingElement (error); OPML 2.0 "<body> contains one or more <outline>"
            report.error("body", "missing outline")
        for child in children(body):
            if qname(child) != (None, "outline"):
                report.error("body", f"undefined element {etree.QName(child).localname}")
        for index, outline in enumerate(outlines, start=1):
            check_opml_outline(outline, f"outline[{index}]", report)
    return report.problems


# --------------------------------------------------------------------------
# Entry point for tests
# --------------------------------------------------------------------------

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
