"""RSS 2.0 documents: the rss root and its channel (RSS Advisory Board specification and RSS
profile, feedvalidator channel.py); items are checked in rss_items.py."""

from __future__ import annotations

from lxml import etree

from .atom_constructs import check_atom_link
from .common import Report
from .dates import check_rfc822
from .markup import check_nonhtml
from .namespaces import ATOM_NS, check_namespace_declarations
from .rss_items import check_rss_element_set, check_rss_items
from .urls import check_uri
from .values import check_email_with_name, check_language, check_positive_int
from .xmltree import (
    check_attributes,
    check_bad_characters,
    check_feedparser,
    check_no_text,
    check_rss_text,
    children,
    parse_xml,
    plain_children,
    qname,
    text_of,
)

CHANNEL_ELEMENTS = {"title", "link", "description", "language", "copyright", "managingEditor",
                    "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud",
                    "ttl", "image", "rating", "textInput", "skipHours", "skipDays", "item"}  # fmt: skip


SINGLE_CHANNEL_ELEMENTS = ("title", "link", "description", "language", "copyright", "managingEditor",
                           "webMaster", "pubDate", "lastBuildDate", "generator", "docs", "cloud", "ttl",
                           "image", "rating", "textInput", "skipHours", "skipDays")  # fmt: skip


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
