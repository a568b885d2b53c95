"""RSS 2.0 items (guid, enclosure, item values, guid uniqueness) and the element-set rule that
channel and item share (feedvalidator item.py, RSS Advisory Board specification and profile)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from .atom_constructs import check_atom_link
from .common import Report
from .dates import check_rfc822
from .extensions import check_known_extension
from .markup import check_html, check_nonhtml
from .namespaces import ATOM_NS, CONTENT_NS, KNOWN_NAMESPACES
from .urls import check_http_url, check_uri, uri_problem
from .values import check_email_with_name, check_mime
from .xmltree import check_attributes, check_no_text, check_rss_text, children, plain_children, qname, text_of

ITEM_ELEMENTS = {"title", "link", "description", "author", "category", "comments", "enclosure", "guid",
                 "pubDate", "source"}  # fmt: skip


SINGLE_ITEM_ELEMENTS = ("title", "link", "description", "author", "comments", "enclosure", "guid",
                        "pubDate", "source")  # fmt: skip


RSS_EXPECTED_ATTRIBUTES = {"category": ("domain",), "cloud": ("domain", "port", "path", "registerProcedure",
                           "protocol"), "enclosure": ("url", "length", "type"), "guid": ("isPermaLink",),
                           "source": ("url",)}  # fmt: skip


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
