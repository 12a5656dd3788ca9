"""Orientation's last step on the day it runs: a service closed all day today drops below
the services of its group that are not (issue 22).

The matcher (``orient.py``, and ``orient.js`` on the orientation page) stays a function of
the registry and the profile: vectors and equivalence tests need no clock. Its matches are
then reordered, within each group (fit, to check), by the day's opening: ``maillage orient``
here with opening-hours-py, the page with ``hours.js`` and the npm library on the visitor's
day. Both move the same services (``closed_all_day`` and ``closedToday`` are compared in
tests/test_hours.py) and keep the matcher's order within each part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..registry.hours import closed_all_day
from ..registry.loader import Registry
from .orient import Result


def local_today() -> dt.date:
    """The day where the command runs (the helpdesk's own): the caller is told what is open today."""
    return dt.datetime.now().astimezone().date()


def closed_today(registry: Registry, service_ids: list[str], day: dt.date) -> set[str]:
    """The services among ``service_ids`` whose opening hours keep them closed all ``day``."""
    closed = set()
    for service_id in service_ids:
        service = registry.services.get(service_id)
        if service is None or not service.opening_hours:
            continue
        country = service.public.area[0].split("-", 1)[0] if service.public.area else "fr"
        if closed_all_day(service.opening_hours, day, country):
            closed.add(service_id)
    return closed


def closed_today_last(result: Result, registry: Registry, day: dt.date) -> Result:
    """``result`` with, in each group of matches, the services closed all ``day`` last."""
    closed = closed_today(registry, [e.service.id for e in result.matches], day)
    if not closed:
        return result
    matches = sorted(result.matches, key=lambda e: (e.group != "fit", e.service.id in closed))
    return replace(result, matches=tuple(matches))
