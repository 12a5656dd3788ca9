"""The registry's dates against the calendar: what "today" is, what "stale" means.

One zone for every comparison, whatever the machine's ``TZ``: UTC+14, where a day begins
first (Kiribati's Line Islands). The registry's dates are local dates written in Belgium,
metropolitan France and overseas France (La Réunion UTC+4, Guyane UTC-3, Martinique UTC-4):
in UTC+14 a date that has begun anywhere on Earth is never "in the future", so no
maintainer is ever told that today is tomorrow, and a build gives the same verdict on
every machine. Staleness counts in whole calendar months, so the few hours by which this
zone runs ahead of Brussels move a warning by at most one day.

Two days are distinct on purpose:

- ``today()`` is the real current day: ``verified`` may not be later (a typo such as
  2205 for 2025). Validity must not depend on a reproducible-build setting, which may be
  far in the past (Nix sets ``SOURCE_DATE_EPOCH`` to 1980 when it knows no better).
- ``reference_date()`` is the day staleness is measured against, by every caller (the
  service page's banner, ``maillage check --stale``, the serve cache's fingerprint):
  ``SOURCE_DATE_EPOCH`` when set, so that a build can be reproduced, else ``today()``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os

ZONE = dt.timezone(dt.timedelta(hours=14), "UTC+14")


def today() -> dt.date:
    """The current day in ``ZONE``: the latest date any place on Earth has reached."""
    return dt.datetime.now(ZONE).date()


def reference_date() -> dt.date:
    """The day staleness is measured against: ``SOURCE_DATE_EPOCH`` when set, else ``today()``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=ZONE).date()
    return today()


def months_after(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, kept within the month (31 March + 1 = 30 April)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(verified: dt.date, months: int, today: dt.date) -> bool:
    """Whether ``verified`` is more than ``months`` months before ``today``.

    Verified on 31 March 2023, a service is not stale on 31 March 2024 after 12 months
    (exactly 12 months have passed) and is from 1 April 2024 on.
    """
    return today > months_after(verified, months)
