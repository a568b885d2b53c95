"""OPML 2.0 subscription lists (http://opml.org/spec2.opml; feedvalidator opml.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import parseaddr

from lxml import etree

from .common import Report
from .dates import check_rfc822
from .markup import check_html
from .namespaces import check_namespace_declarations
from .urls import check_http_url, check_uri
from .values import check_email, check_language, check_positive_int
from .xmltree import (
    check_attributes,
    check_bad_characters,
    check_rss_text,
    children,
    parse_xml,
    plain_children,
    qname,
)

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
