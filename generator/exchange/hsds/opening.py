"""HSDS ``schedule`` rows read back as one OSM ``opening_hours`` expression (the import's side;
``hours.py`` writes them).

HSDS schedules are iCal recurrences, each one more set of opening hours: their union is the
opening. OSM rules separated by ``;`` replace the hours of the days they name, so the weekly
schedules are first laid on a week (day by day, spans merged), then the days with the same
spans are written together, disjoint. What a week cannot hold is added with OSM's additional
rule separator ``,`` (which adds, never replaces): the n-th weekday of a month (``1SA`` →
``Sa[1]``) and schedules valid only between two dates (``2027 Jan 01-2027 Mar 31 …``).

A schedule written by our own export carries its expression in ``notes``
(``opening_hours: …``): it is taken back as it was. What cannot be converted (another
frequency, an interval, counts, week or year days, no opening time) is returned with the
reason (a catalogue message), for the import to report; nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...registry import hours
from ...registry.problems import Message, msg, quoted

Json = dict[str, Any]

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-4]):([0-5][0-9])(?::[0-5][0-9](?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNCONVERTIBLE = ("interval", "count", "until", "byweekno", "bymonthday", "byyearday")
OUR_NOTES = "opening_hours: "


@dataclass
class Converted:
    """The expression of a set of schedules, and the schedules it could not take."""

    expression: str | None = None
    used: list[Json] = field(default_factory=list)
    left: list[tuple[Json, Message]] = field(default_factory=list)  # (schedule, why)


def _minutes(value: Any) -> int | None:
    match = _TIME.match(str(value or "").strip())
    if not match:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= 1440 else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _osm_date(day: dt.date) -> str:
    return f"{day.year} {_MONTHS[day.month - 1]} {day.day:02d}"


def _span(schedule: Json) -> tuple[int, int | None] | Message:
    """``(opens, closes)`` in minutes (closes None: open end), or why not."""
    opens = _minutes(schedule.get("opens_at"))
    if opens is None:
        return msg("cli.hsds.schedule.no_opening")
    closes = _minutes(schedule.get("closes_at")) if schedule.get("closes_at") else None
    if schedule.get("closes_at") and closes is None:
        return msg("cli.hsds.schedule.bad_close", value=quoted(schedule.get("closes_at")))
    if closes == 1439 and str(schedule.get("closes_at")).startswith("23:59"):
        closes = 1440  # "until midnight", as exports write it
    if closes is not None and closes <= opens:
        closes += 1440  # past midnight: OSM writes 22:00-26:00
    return opens, closes


def _spans_text(spans: Iterable[tuple[int, int | None]]) -> str:
    ordered = sorted(spans, key=lambda span: (span[0], span[1] if span[1] is not None else 10_000))
    return ",".join(_clock(a) + ("+" if b is None else "-" + _clock(b)) for a, b in ordered)


def _days(byday: Any, freq: str) -> list[tuple[int, int | None]] | Message:
    """``(weekday, nth)`` of ``byday`` (nth None: every week), or why not."""
    if not byday:
        return [(d, None) for d in range(7)] if freq == "DAILY" else msg("cli.hsds.schedule.no_days")
    found = []
    for part in str(byday).upper().replace(" ", "").split(","):
        match = _BYDAY.match(part)
        if not match:
            return msg("cli.hsds.schedule.bad_days", value=quoted(byday))
        nth = int(match.group(1)) if match.group(1) else None
        if nth is not None and freq != "MONTHLY":
            return msg("cli.hsds.schedule.numbered_day", value=quoted(byday))
        found.append((_DAY_CODES.index(match.group(2)), nth))
    return found


def convert(schedules: Iterable[Json], today: dt.date) -> Converted:
    """One OSM expression for ``schedules`` (their union), and those left out with why."""
    result = Converted()
    ours = [s for s in schedules if str(s.get("notes") or "").startswith(OUR_NOTES)]
    if ours:  # our own export: the expression itself (every row of it holds it)
        result.expression = str(ours[0]["notes"])[len(OUR_NOTES) :]
        result.used = ours
        others = [s for s in schedules if s not in ours]
        result.left = [(s, msg("cli.hsds.schedule.beside_ours")) for s in others]
        return result
    week: dict[tuple[str, int], set[tuple[int, int | None]]] = {}  # (date range, day) -> spans
    extra: list[str] = []
    for schedule in schedules:
        why = _why_not(schedule)
        if why:
            result.left.append((schedule, why))
            continue
        start, end = _date(schedule.get("valid_from")), _date(schedule.get("valid_to"))
        if end is not None and end < today:
            result.left.append((schedule, msg("cli.hsds.schedule.ended", date=end.isoformat())))
            continue
        window = ""
        if end is not None:
            window = f"{_osm_date(max(start or today, today))}-{_osm_date(end)} "
        elif start is not None and start > today:
            window = f"{_osm_date(start)}+ "
        freq = str(schedule.get("freq") or "WEEKLY").upper()
        span = _span(schedule)
        days = _days(schedule.get("byday"), freq)
        if isinstance(span, Message):
            result.left.append((schedule, span))
            continue
        if isinstance(days, Message):
            result.left.append((schedule, days))
            continue
        for day, nth in days:
            if nth is None and not window:
                week.setdefault(("", day), set()).add(span)
            else:
                which = f"[{nth}]" if nth is not None else ""
                extra.append(f"{window}{hours.DAYS[day]}{which} {_spans_text([span])}")
        result.used.append(schedule)
    groups: dict[str, list[int]] = {}
    for (_, day), spans in sorted(week.items()):
        groups.setdefault(_spans_text(spans), []).append(day)
    rules = [f"{','.join(hours.DAYS[d] for d in days)} {spans}" for spans, days in groups.items()]
    expression = "; ".join(rules)
    if extra:
        expression = ", ".join([expression, *dict.fromkeys(extra)]) if expression else ", ".join(dict.fromkeys(extra))
    if expression:
        try:
            hours.validate(expression)
        except hours.HoursSyntaxError:
            result.left += [(s, msg("cli.hsds.schedule.inexpressible")) for s in result.used]
            result.used = []
            return result
        result.expression = expression
    return result


def _why_not(schedule: Json) -> Message | None:
    freq = str(schedule.get("freq") or "WEEKLY").upper()
    if freq not in ("WEEKLY", "DAILY", "MONTHLY"):
        return msg("cli.hsds.schedule.field", field="freq", value=freq)
    for key in _UNCONVERTIBLE:
        value = schedule.get(key)
        if value not in (None, "", 1, "1") or (key != "interval" and value not in (None, "")):
            return msg("cli.hsds.schedule.field", field=key, value=quoted(value))
    if freq == "MONTHLY" and not re.search(r"[1-5](MO|TU|WE|TH|FR|SA|SU)", str(schedule.get("byday") or "").upper()):
        return msg("cli.hsds.schedule.monthly")
    return None
