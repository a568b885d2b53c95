"""Extension elements in namespaces the validator knows (Media RSS, Dublin Core, content:), which
may appear in both Atom and RSS (feedvalidator extension.py, media.py)."""

from __future__ import annotations

import re

from lxml import etree

from .common import Report, words
from .dates import check_w3cdtf
from .markup import check_html, check_nonhtml
from .namespaces import CONTENT_NS, DC_NS, KNOWN_NAMESPACES, MEDIA_NS
from .urls import check_uri
from .values import check_language, check_mime, check_nonnegative_int, check_positive_int
from .xmltree import check_attributes, children, qname, text_of

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
