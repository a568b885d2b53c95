"""Atom 1.0 feed documents (RFC 4287): which elements a feed, entry and source hold, and the
rules that span entries (feedvalidator feed.py, entry.py)."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from .atom_constructs import (
    atom_children,
    check_alternate_uniqueness,
    check_atom_category,
    check_atom_date,
    check_atom_id,
    check_atom_link,
    check_atom_person,
    check_atom_text_construct,
)
from .common import Report
from .extensions import check_known_extension
from .namespaces import ATOM_NS, KNOWN_NAMESPACES, XHTML_NS, check_namespace_declarations
from .urls import check_uri
from .xmltree import (
    check_attributes,
    check_bad_characters,
    check_feedparser,
    check_no_child_elements,
    check_no_text,
    children,
    parse_xml,
    qname,
    text_of,
)

FEED_CHILDREN = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo",
                 "rights", "subtitle", "title", "updated", "entry"}  # fmt: skip


ENTRY_CHILDREN = {"author", "category", "content", "contributor", "id", "link", "published", "rights",
                  "source", "summary", "title", "updated"}  # fmt: skip


SINGLE_FEED_CHILDREN = ("generator", "icon", "id", "logo", "rights", "subtitle", "title", "updated")
SINGLE_ENTRY_CHILDREN = ("content", "id", "published", "rights", "source", "summary", "title", "updated")


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
