"""Opening hours in OpenStreetMap's ``opening_hours`` syntax: validated, read, put into words.

Validation is the maintained ``opening-hours-py`` parser's (the Rust ``opening-hours``
crate that follows the OSM specification and what real OSM data holds): an expression it
refuses is an error of ``check``, positioned at the character where it stops reading.

Putting hours into words ("du lundi au vendredi, de 9 h à 17 h ; fermé les jours
fériés") needs the structure of the expression, which that library does not expose, and
no maintained library says OSM hours in French or Dutch. ``read`` therefore reads the
part of the syntax that directories write (weekday and month ranges, public holidays,
time spans, an open end, ``open``/``closed``/``off``, comments, ``24/7``) into ``Rule``s,
and ``describe`` says them with the catalogue's words (``hours.*``); an expression with
more than that (week numbers, dates, sun events, the n-th weekday of a month, ``||``
fallbacks) is valid but not put into words: the page shows it as written. Whether a place
is open *now* is decided in the visitor's browser (``assets/hours.js``), never here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import opening_hours

from ..locale import N_, speaking, t

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOLIDAYS = "PH"
# Their names, as catalogue keys.
DAY_KEYS = (
    N_("hours.day.mo"),
    N_("hours.day.tu"),
    N_("hours.day.we"),
    N_("hours.day.th"),
    N_("hours.day.fr"),
    N_("hours.day.sa"),
    N_("hours.day.su"),
)
MONTH_KEYS = (
    N_("hours.month.1"),
    N_("hours.month.2"),
    N_("hours.month.3"),
    N_("hours.month.4"),
    N_("hours.month.5"),
    N_("hours.month.6"),
    N_("hours.month.7"),
    N_("hours.month.8"),
    N_("hours.month.9"),
    N_("hours.month.10"),
    N_("hours.month.11"),
    N_("hours.month.12"),
)
MAX_LENGTH = 500

State = Literal["open", "closed", "unknown"]
# The package's stubs name SyntaxError only; the compiled module raises its own ParserError.
_PARSE_ERRORS: tuple[type[Exception], ...] = (SyntaxError, getattr(opening_hours, "ParserError", SyntaxError))


class HoursSyntaxError(ValueError):
    """An expression the parser refuses; ``column`` (1-based) is where it stops reading."""

    def __init__(self, column: int, rest: str) -> None:
        # For whoever reads the traceback; a maintainer reads check.model.opening_hours at its place.
        super().__init__(f"{column}: {t('check.model.opening_hours', speaking(), rest=rest)}")
        self.column = column
        self.rest = rest


def validate(expression: str) -> None:
    """Raise ``HoursSyntaxError`` when ``expression`` is not valid OSM ``opening_hours``."""
    try:
        opening_hours.OpeningHours(expression)
    except _PARSE_ERRORS as exc:
        # The parser's message is pest's: " --> LINE:COL" then the expression drawn with a caret.
        found = re.search(r"-->\s*(\d+):(\d+)", str(exc))
        column = int(found.group(2)) if found else 1
        column = max(1, min(column, len(expression) + 1))
        raise HoursSyntaxError(column, expression[column - 1 : column + 19]) from None


@dataclass(frozen=True)
class Rule:
    """One rule of an expression: when (months, days), which hours, and in which state.

    ``days`` are ranges of weekday indices (0 = Monday, both ends included); ``holidays``
    says whether public holidays are among the days. A span's end is in minutes from the
    day's midnight (past 1440 when it runs over midnight), ``None`` for an open end.
    """

    months: tuple[tuple[int, int], ...] = ()
    days: tuple[tuple[int, int], ...] = ()
    holidays: bool = False
    spans: tuple[tuple[int, int | None], ...] = ()
    state: State = "open"
    comment: str = ""
    always: bool = False


class Unreadable(ValueError):
    """A valid expression with more than ``read`` knows how to put into words."""


_COMMENT = re.compile(r'"([^"]*)"')
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?:-(\d{1,2}):(\d{2})|(\+))?$")


def read(expression: str) -> tuple[Rule, ...]:
    """The rules of ``expression`` (validated beforehand), or ``Unreadable``."""
    if "||" in _COMMENT.sub("", expression):
        raise Unreadable(expression)
    rules: list[Rule] = []
    for part in _split_rules(expression):
        rules.append(_rule(part))
    return tuple(rules)


def _split_rules(expression: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in expression:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _rule(text: str) -> Rule:
    comment = ""
    found = _COMMENT.search(text)
    if found:
        comment = found.group(1).strip()
        text = (text[: found.start()] + text[found.end() :]).strip()
    months: list[tuple[int, int]] = []
    days: list[tuple[int, int]] = []
    holidays = False
    spans: list[tuple[int, int | None]] = []
    state: State = "open"
    always = False
    # "Mo-Fr 08:00-12:00, 14:00-18:00": a comma followed by a space still joins time spans.
    tokens = re.sub(r",\s+(?=\d)", ",", text).split()
    for token in tokens:
        lower = token.lower()
        if lower == "24/7":
            always = True
        elif lower in ("open", "closed", "off", "unknown"):
            state = "closed" if lower == "off" else lower  # type: ignore[assignment]
        elif _is_list(token, MONTHS):
            months += _ranges(token, MONTHS)
        elif _is_list(token, (*DAYS, HOLIDAYS)):
            for item in token.split(","):
                if item.upper() == HOLIDAYS:
                    holidays = True
                else:
                    days += _ranges(item, DAYS)
        elif all(_TIME.match(item) for item in token.split(",")):
            spans += [_span(item) for item in token.split(",")]
        else:
            raise Unreadable(text)
    if (days or holidays or months) and always:
        raise Unreadable(text)
    return Rule(tuple(months), tuple(days), holidays, tuple(spans), state, comment, always)


def _is_list(token: str, names: tuple[str, ...]) -> bool:
    name = "|".join(names)
    return re.fullmatch(rf"(?:{name})(?:-(?:{name}))?(?:,(?:{name})(?:-(?:{name}))?)*", token, re.I) is not None


def _ranges(token: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    index = {n.lower(): i for i, n in enumerate(names)}
    result = []
    for item in token.split(","):
        first, _, last = item.lower().partition("-")
        result.append((index[first], index[last or first]))
    return result


def _span(item: str) -> tuple[int, int | None]:
    found = _TIME.match(item)
    assert found is not None
    start = int(found.group(1)) * 60 + int(found.group(2))
    if found.group(5):
        return (start, None)
    end = int(found.group(3)) * 60 + int(found.group(4))
    if end <= start:  # "20:00-08:00" runs over midnight
        end += 1440
    return (start, end)


# --- words --------------------------------------------------------------------------------


def _day(index: int, lang: str) -> str:
    return t(DAY_KEYS[index], lang)


def _month(index: int, lang: str) -> str:
    return t(MONTH_KEYS[index], lang)


def _join(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return t("hours.list", lang, items=", ".join(items[:-1]), last=items[-1])


def clock(minutes: int, lang: str) -> str:
    """A time of day in ``lang``'s way: "9 h", "12 h 30" / "9", "12.30" / "9:00"."""
    hours, minute = divmod(minutes % 1440, 60)
    if minute:
        return t("hours.time_minutes", lang, h=hours, mm=f"{minute:02d}")
    return t("hours.time", lang, h=hours)


def _days(rule: Rule, lang: str) -> str:
    items = []
    for first, last in rule.days:
        if first == last:
            items.append(t("hours.on_day", lang, day=_day(first, lang)))
        elif (first, last) == (0, 6):
            items.append(t("hours.every_day", lang))
        else:
            items.append(t("hours.day_range", lang, first=_day(first, lang), last=_day(last, lang)))
    if rule.holidays:
        items.append(t("hours.holidays", lang))
    return _join(items, lang)


def _months(rule: Rule, lang: str) -> str:
    items = []
    for first, last in rule.months:
        if first == last:
            items.append(t("hours.in_month", lang, month=_month(first, lang)))
        else:
            items.append(t("hours.month_range", lang, first=_month(first, lang), last=_month(last, lang)))
    return _join(items, lang)


def _spans(rule: Rule, lang: str) -> str:
    items = []
    for start, end in rule.spans:
        if end is None:
            items.append(t("hours.from_time", lang, start=clock(start, lang)))
        else:
            items.append(t("hours.span", lang, start=clock(start, lang), end=clock(end, lang)))
    return _join(items, lang)


def _say(rule: Rule, lang: str) -> str:
    """One rule in words."""
    if rule.always:
        words = t("hours.always", lang) if rule.state != "closed" else t("hours.closed_always", lang)
    else:
        when = [w for w in (_months(rule, lang), _days(rule, lang) if rule.days or rule.holidays else "") if w]
        if rule.state == "closed":
            words = t("hours.closed", lang, when=", ".join(when) or t("hours.every_day", lang))
            if rule.spans:
                words += ", " + _spans(rule, lang)
        elif rule.state == "unknown":
            words = t("hours.unknown", lang, when=", ".join(when or [t("hours.every_day", lang)]))
        elif rule.spans:
            if not rule.days and not rule.holidays:
                when.append(t("hours.every_day", lang))
            words = ", ".join([*when, _spans(rule, lang)])
        elif when:
            words = t("hours.open", lang, when=", ".join(when))
        else:
            words = ""
    if rule.comment:
        quote = t("hours.comment", lang, text=rule.comment)
        words = f"{words} {quote}" if words else quote
    return words


def describe(expression: str, lang: str = "fr") -> str | None:
    """``expression`` in plain words of ``lang``, or ``None`` when it says more than ``read`` reads."""
    try:
        rules = read(expression)
    except Unreadable:
        return None
    said = [_say(rule, lang) for rule in rules]
    return t("hours.rules_separator", lang).join(s for s in said if s) or None


# --- the day ------------------------------------------------------------------------------


def closed_all_day(expression: str, day: dt.date, country: str = "fr") -> bool:
    """Whether ``expression`` is closed for the whole of ``day`` (open or unknown at any time
    of it is not), with ``country``'s public holidays. ``hours.js``'s ``closedToday`` says
    the same with the npm library (tests/test_hours.py compares them)."""
    start = dt.datetime.combine(day, dt.time())
    try:
        schedule = opening_hours.OpeningHours(expression, country=country.upper())
    except Exception:  # an unknown country (no holiday calendar): without holidays
        schedule = opening_hours.OpeningHours(expression)
    for _, _, state, _ in schedule.intervals(start, start + dt.timedelta(days=1)):
        if str(state).rsplit(".", 1)[-1].lower() != "closed":
            return False
    return True
