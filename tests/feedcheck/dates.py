"""Date checks: RFC 3339 (Atom, JSON Feed), W3CDTF (dc:date) and RFC 822 (RSS, OPML), each as
strict as the W3C validator, plus its plausibility window."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .common import Report

RFC3339_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|([+-])(\d\d):(\d\d))$")
W3CDTF_RE = re.compile(r"^\d\d\d\d(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d*)?)?(Z|([+-]\d\d:\d\d)))?)?)?$")


def parse_rfc3339(value: str) -> datetime | None:
    """Parses the profile of RFC 3339 that feedvalidator's rfc3339 accepts: upper-case T and Z,
    seconds required, numeric offsets with a colon.  Field ranges follow RFC 3339 §5.6/§5.7."""
    m = RFC3339_RE.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        date(year, month, day)
    except ValueError:
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    offset = timedelta(0)
    if m.group(8) != "Z":
        off_h, off_m = int(m.group(10)), int(m.group(11))
        if off_h > 23 or off_m > 59:
            return None
        offset = timedelta(hours=off_h, minutes=off_m) * (1 if m.group(9) == "+" else -1)
    naive = datetime(year, month, day, hour, minute, min(second, 59))
    return naive.replace(tzinfo=UTC) - offset


def check_plausible(moment: datetime, value: str, where: str, report: Report) -> None:
    """feedvalidator: ImplausibleDate (warning) -- before 1990 or more than ten minutes ahead."""
    if moment < datetime(1990, 1, 1, tzinfo=UTC) or moment > datetime.now(UTC) + timedelta(minutes=10):
        report.warning(where, f"implausible date: {value!r}")


def check_rfc3339(value: str, where: str, report: Report) -> datetime | None:
    if value != value.strip():
        # feedvalidator: UnexpectedWhitespace (error)
        report.error(where, "whitespace not permitted around a date")
        value = value.strip()
    moment = parse_rfc3339(value)
    if moment is None:
        # feedvalidator: InvalidRFC3339Date (error); RFC 4287 §3.3
        report.error(where, f"must be an RFC 3339 date-time like 2024-01-31T12:00:00Z: {value!r}")
        return None
    check_plausible(moment, value, where, report)
    return moment


def check_w3cdtf(value: str, where: str, report: Report) -> None:
    """dc:date (feedvalidator w3cdtf: InvalidW3CDTFDate, error)."""
    if not W3CDTF_RE.match(value):
        report.error(where, f"must be a W3CDTF date: {value!r}")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


_ZONES = {"UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
          "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # fmt: skip


# The strict form feedvalidator calls valid: four-digit year, single spaces, known zone.
RFC822_STRICT_RE = re.compile(
    rf"^(?:({'|'.join(_DAYS)}), )?(\d\d?) ({'|'.join(_MONTHS)}) (\d{{4}}) (\d\d):(\d\d)(?::(\d\d))? "
    r"([+-]?\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$"
)


# The looser RFC 822 grammar (two-digit years, military zones, odd spacing, any case).
RFC822_LOOSE_RE = re.compile(
    r"^((mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?\d\d?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"\s+\d\d(\d\d)?\s+\d\d:\d\d(:\d\d)?\s+([+-]\d\d\d\d|ut|gmt|est|edt|cst|cdt|mst|mdt|pst|pdt|[a-ik-z])?$"
)


def check_rfc822(value: str, where: str, report: Report) -> None:
    """RSS 2.0 dates (feedvalidator rfc822): InvalidRFC2822Date, IncorrectDOW (errors),
    ProblematicalRFC822Date, ImplausibleDate (warnings)."""
    m = RFC822_STRICT_RE.match(value)
    if not m:
        if RFC822_LOOSE_RE.match(value.strip().lower()):
            report.warning(where, f"problematical RFC 822 date (use e.g. 'Wed, 02 Oct 2002 13:00:00 GMT'): "
                                  f"{value!r}")  # fmt: skip
        else:
            report.error(where, f"must be an RFC 822 date-time: {value!r}")
        return
    dow, day, mon, year, hour, minute, second, zone = m.groups()
    try:
        naive = datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hour), int(minute),
                         min(int(second or 0), 59))  # fmt: skip
    except ValueError as exc:
        report.error(where, f"must be an RFC 822 date-time ({exc}): {value!r}")
        return
    if int(second or 0) > 60:
        report.error(where, f"must be an RFC 822 date-time (seconds out of range): {value!r}")
        return
    if dow and _DAYS[naive.weekday()] != dow:
        report.error(where, f"incorrect day of week {dow!r}: {value!r}")
        return
    if zone in _ZONES:
        offset = timedelta(hours=_ZONES[zone])
    else:
        sign = -1 if zone.startswith("-") else 1
        digits = zone.lstrip("+-")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    check_plausible(naive.replace(tzinfo=UTC) - offset, value, where, report)
