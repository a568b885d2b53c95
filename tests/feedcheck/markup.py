"""HTML inside feeds: safe elements, attributes and styles, relative references, markup in plain
text, and Atom's xhtml:div (feedvalidator validators.py HTMLValidator, checkStyle, absUrlMixin,
nonhtml; content.py diveater)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .common import Report, words
from .namespaces import XHTML_NS
from .urls import is_absolute
from .xmltree import children, qname

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
