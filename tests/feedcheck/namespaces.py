"""XML namespaces: the vocabularies the W3C validator knows, and the xmlns checks built on them.

Kept apart because Atom, RSS, OPML and the generic XML helpers all need the same table.
"""

from __future__ import annotations

from lxml import etree

from .common import Report

ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
THR_NS = "http://purl.org/syndication/thread/1.0"


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
