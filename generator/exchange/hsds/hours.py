"""Opening hours and dated alerts as HSDS 3.0 ``schedule`` objects and ``alert`` text.

An OSM ``opening_hours`` expression is a list of rules applied in order: a later rule
replaces the hours of the days it names ("Mo-Fr 09:00-17:00; We 09:00-12:00" closes at
noon on Wednesdays), ``off`` empties them. The HSDS schedule is iCal's: one object per
set of weekdays sharing the same opening, ``freq: WEEKLY``, ``byday``, ``opens_at`` and
``closes_at`` (local time: the offset changes with daylight saving time). So the rules
are applied to a week first, then the days with the same spans are grouped. What a week
cannot hold (months, public holidays, comments) stays in each schedule's ``description``
(the hours in French words) and ``notes`` (the expression itself), so nothing is lost;
an expression the words cannot read becomes one schedule with only those two.

HSDS 3.0 has no alert object: a service's ``alert`` is one text. Its alerts and those of
its sites that have not ended at export time are written there, dates included, since a
reader of the text cannot know when it stops applying.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ...locale import N_, t
from ...registry.hours import DAYS, Rule, Unreadable, describe, read
from ...registry.models import Alert

Json = dict[str, Any]
# The kinds' names: the site's (assets/hours.js) catalogue keys.
ALERT_KINDS = {
    "closed": N_("js.hours.alert.closed"),
    "moved": N_("js.hours.alert.moved"),
    "full": N_("js.hours.alert.full"),
    "changed_hours": N_("js.hours.alert.changed_hours"),
    "info": N_("js.hours.alert.info"),
}


def _week(rules: Iterable[Rule]) -> list[tuple[tuple[int, int | None], ...]] | None:
    """The spans of each weekday (0 = Monday) once every rule is applied, or None when a
    rule depends on more than the weekday (months)."""
    week: list[tuple[tuple[int, int | None], ...]] = [()] * 7
    for rule in rules:
        if rule.months:
            return None
        if rule.always:
            week = [((0, 1440),)] * 7 if rule.state != "closed" else [()] * 7
            continue
        days = [d for first, last in rule.days for d in range(first, last + 1)]
        if not days and not rule.holidays:
            if not rule.spans and rule.state == "open":
                continue  # a comment alone says nothing of the week
            days = list(range(7))
        # "Sa open" (days without hours) is open the whole day.
        spans = rule.spans or ((0, 1440),)
        for day in days:
            week[day] = spans if rule.state == "open" else ()
    return week


def _time(minutes: int) -> str:
    hours, minute = divmod(minutes % 1440, 60)
    return f"{hours:02d}:{minute:02d}:00"  # the descriptor's "time" type (its example: 10:00:00)


def schedules(expression: str, owner: str, owner_id: str, make_id: Any) -> list[Json]:
    """HSDS schedules of ``expression`` for the ``owner`` (``service`` or ``location``) ``owner_id``.

    ``make_id(n)`` gives the n-th schedule's id (deterministic, from the caller's ids).
    """
    common: Json = {f"{owner}_id": owner_id, "notes": f"opening_hours: {expression}"}
    words = describe(expression, "fr")
    common["description"] = words or expression
    try:
        week = _week(read(expression))
    except Unreadable:
        week = None
    if week is None:
        return [{"id": make_id(0), **common}]
    groups: dict[tuple[tuple[int, int | None], ...], list[int]] = {}
    for day, spans in enumerate(week):
        if spans:
            groups.setdefault(spans, []).append(day)
    out: list[Json] = []
    for spans, days in groups.items():
        byday = ",".join(DAYS[d].upper() for d in days)
        for start, end in spans:
            schedule: Json = {"id": make_id(len(out)), **common, "freq": "WEEKLY", "byday": byday}
            schedule["opens_at"] = _time(start)
            if end is not None:
                schedule["closes_at"] = "23:59:59" if end == 1440 else _time(end)
            out.append(schedule)
    return out or [{"id": make_id(0), **common}]


def alert_text(alerts: Iterable[tuple[Alert, str]], today: dt.date) -> str | None:
    """The alerts not ended by ``today``, each "Fermé du 2027-07-01 au 2027-07-31 : text"."""
    lines = []
    for alert, where in alerts:
        if alert.until < today:
            continue
        kind = t(ALERT_KINDS[alert.kind], "fr")
        text = alert.text.get("fr") if alert.text else ""
        if where:
            text = f"{where} : {text}" if text else where
        line = t("hours.alert_line", "fr", kind=kind, start=alert.start.isoformat(), until=alert.until.isoformat())
        lines.append(f"{line} : {text}" if text else line)
    return " ; ".join(lines) or None


def alerts_dump(alerts: Iterable[Alert]) -> list[Json]:
    """The alerts as a registry file writes them (``from``, not the model's ``start``)."""
    return [a.model_dump(mode="json", by_alias=True, exclude_none=True) for a in alerts]
