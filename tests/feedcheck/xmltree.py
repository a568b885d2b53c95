"""Strict XML parsing and the element-level checks every XML format (Atom, RSS, OPML) shares."""

from __future__ import annotations

import re
from collections.abc import Iterable

import feedparser
from lxml import etree

from .common import Report
from .namespaces import KNOWN_NAMESPACES, XML_NS


def qname(element: etree._Element) -> tuple[str | None, str]:
    q = etree.QName(element)
    return q.namespace, q.localname


def children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext())


def plain_children(element: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in children(element) if qname(c) == (None, local)]


def check_rss_text(element: etree._Element, where: str, report: Report) -> str:
    check_no_child_elements(element, where, report)
    return text_of(element).strip()


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


BAD_CHAR_RE = re.compile("[\u0080-\u009f\ufffd]")


def check_bad_characters(root: etree._Element, report: Report) -> None:
    """C1 control characters and U+FFFD betray mis-decoded text (feedvalidator: BadCharacters, warning)."""
    for element in root.iter(etree.Element):
        values = [element.text or "", element.tail or "", *element.attrib.values()]
        if any(BAD_CHAR_RE.search(value) for value in values):
            report.warning(etree.QName(element).localname, "contains bad characters (C1 control or U+FFFD)")


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
