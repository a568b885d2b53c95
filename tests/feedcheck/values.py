"""Small value checks shared by the formats: MIME types, email addresses, languages, integers
(feedvalidator validators.py)."""

from __future__ import annotations

import re
from email.utils import parseaddr

from .common import Report, words
from .markup import check_nonhtml
from .urls import DOMAIN_PATTERN

EMAIL_RE = re.compile(rf"^[a-z0-9_\-+.']+@{DOMAIN_PATTERN}$", re.I)
MIME_TOKEN = r"[^\s()<>,;:\\\"/\[\]?=]+"
MIME_RE = re.compile(rf"^{MIME_TOKEN}/{MIME_TOKEN}(\s*;\s*{MIME_TOKEN}=(\"(\\\"|[^\"])*\"|{MIME_TOKEN}))*$")


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


def check_positive_int(value: str, where: str, report: Report) -> None:
    """feedvalidator positiveInteger: InvalidPositiveInteger (error)."""
    if not re.fullmatch(r"\s*\+?\d+\s*", value) or int(value) <= 0:
        report.error(where, f"must be a positive integer: {value!r}")


def check_nonnegative_int(value: str, where: str, report: Report) -> None:
    """feedvalidator nonNegativeInteger: InvalidNonNegativeInteger (error)."""
    if not re.fullmatch(r"\s*\+?\d+\s*", value):
        report.error(where, f"must be a non-negative integer: {value!r}")
