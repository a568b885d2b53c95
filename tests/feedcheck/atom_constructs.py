"""Atom 1.0 (RFC 4287) building blocks: text constructs, person constructs, links, categories,
ids and dates.

Separate from the document rules in atom.py because RSS feeds carry atom:link too.
"""

from __future__ import annotations

import base64
import re

from lxml import etree

from .common import Report
from .dates import check_rfc3339
from .markup import check_html, check_nonhtml, check_xhtml_div
from .namespaces import ATOM_NS, THR_NS, XML_NS
from .urls import FULL_URI_RE, check_canonical, check_uri
from .values import EMAIL_RE, MIME_RE, check_email, check_language, check_mime, check_nonnegative_int
from .xmltree import check_attributes, check_no_child_elements, check_no_text, children, qname, text_of

# feedvalidator link.py validRelations (IANA link relations known to the validator)
LINK_RELATIONS = {
    "alternate", "current", "describedby", "edit", "edit-media", "enclosure", "first", "hub", "last",
    "license", "next", "next-archive", "payment", "prev-archive", "previous", "related", "replies",
    "search", "self", "service", "up", "via",
}  # fmt: skip


FEED_HISTORY_RELATIONS = {"current", "first", "last", "next", "next-archive", "prev-archive", "previous"}


def atom_children(element: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in children(element) if qname(c) == (ATOM_NS, local)]


def has_xml_base(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node.get(f"{{{XML_NS}}}base"):
            return True
        node = node.getparent()
    return False


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
