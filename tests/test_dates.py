"""The registry's dates: one staleness rule and one reference date for every caller
(service page, ``check --stale``, gap report); "in the future" does not depend on the
machine's time zone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.registry import dates
from generator.registry.loader import for_audience, load_registry, stale_services
from generator.site.context import GeneratedPage, SiteConfig, SiteContext
from generator.site.pages import home_page, service_markdown, service_pages

from .conftest import ROOT

# --- staleness: one rule, one reference date ------------------------------------------------


def test_months_are_calendar_months() -> None:
    assert dates.months_after(dt.date(2023, 3, 31), 12) == dt.date(2024, 3, 31)
    assert dates.months_after(dt.date(2023, 3, 31), 1) == dt.date(2023, 4, 30)
    assert dates.months_after(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert dates.months_after(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert not dates.is_stale(dt.date(2023, 3, 31), 12, dt.date(2024, 3, 31))
    assert dates.is_stale(dt.date(2023, 3, 31), 12, dt.date(2024, 4, 1))
    assert not dates.is_stale(dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28))
    assert dates.is_stale(dt.date(2024, 2, 29), 12, dt.date(2025, 3, 1))
    assert not dates.is_stale(dt.date(2024, 5, 1), 0, dt.date(2024, 5, 1))
    assert dates.is_stale(dt.date(2024, 4, 30), 0, dt.date(2024, 5, 1))


def _sweep() -> list[tuple[dt.date, int, dt.date]]:
    todays = [dt.date(2024, 3, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2025, 2, 28)]
    todays += [dt.date(2024, 4, 30), dt.date(2023, 12, 31), dt.date(2024, 1, 15)]
    cases = []
    for today in todays:
        for months in (1, 3, 6, 11, 12, 13, 24):
            anniversary = today - dt.timedelta(days=round(months * 30.44))
            for shift in range(-5, 6):
                cases.append((anniversary + dt.timedelta(days=shift), months, today))
    return cases


def test_the_page_note_and_check_agree_on_every_date(mini: Path) -> None:
    """The same services are stale for ``check --stale``/the gap report and on their pages.

    A page says so when it stands out from a registry whose typical page is fresh (here
    ``typical`` is the day itself); a registry stale throughout says it once, on the home.
    """
    registry = for_audience(load_registry(mini), "public")
    service = registry.services["alpha-adults"]
    disagree = []
    for verified, months, today in _sweep():
        copy = service.model_copy(update={"verified": verified})
        one = dataclasses.replace(registry, services={copy.id: copy})
        ctx = SiteContext(registry=one, config=SiteConfig(stale_months=months), root=mini)
        on_page = "maillage-older" in service_markdown(ctx, copy, today, typical=today)
        in_check = bool(stale_services(one, months, today))
        if on_page != in_check or on_page != dates.is_stale(verified, months, today):
            disagree.append((verified, months, today, on_page, in_check))
    assert disagree == []
    assert len(_sweep()) > 500


@pytest.mark.parametrize("epoch", ["1711843200", "1711879200", "1735689600", "1719792000"])
def test_check_stale_and_the_pages_use_the_same_reference_date(
    mini: Path, epoch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SOURCE_DATE_EPOCH`` (2024-03-31, late on 2024-03-31 UTC, ...) fixes the day for both."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    # The three services: verified exactly 12 months, 12 months and a day, 11 months before
    # that day (UTC): on the boundary, past it, and stale by the real clock only.
    year_before = dates.months_after(day, -12)
    verified = iter([year_before, year_before - dt.timedelta(days=1), dates.months_after(day, -11)])
    for name in ("alpha.yaml", "beta.yaml"):
        file = mini / "data" / "registry" / name
        text = re.sub(r"verified: \S+", lambda _: f"verified: {next(verified).isoformat()}", file.read_text())
        file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(mini), "check", "--stale", "12", "--format", "json"])
    assert result.exit_code == 0, result.output
    # The service's id, quoted « » in French (the command's default language) or ' ' in English.
    quoted = re.compile(r"[«'] ?([a-z0-9-]+) ?[»']")
    flagged = {quoted.findall(p["message"])[0] for p in json.loads(result.stdout) if p["code"] == "stale"}
    registry = for_audience(load_registry(mini), "public")
    ctx = SiteContext(registry=registry, config=SiteConfig(stale_months=12), root=mini)
    # The home page counts the stale pages; a page notes it only when it stands out.
    home = next(iter(home_page(ctx))).content
    assert f"plus de 12 mois : {len(flagged)} sur 3." in home
    noted = {
        page.uri.split("/")[1]
        for page in service_pages(ctx)
        if isinstance(page, GeneratedPage) and "maillage-older" in page.content and page.uri.startswith("services/")
    }
    assert noted <= flagged
    assert len(flagged) in (1, 2)  # 12 months and a day; 12 months too when UTC+14 is a day ahead


# --- "in the future": one fixed zone, the real clock ---------------------------------------

FUTURE_SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    from pydantic import TypeAdapter, ValidationError
    from generator.registry.models import PastDate

    adapter = TypeAdapter(PastDate)
    for _ in range(3):
        # The latest date any place on Earth has reached, computed here, not by the code tested.
        first = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()
        verdicts = []
        for day in (first - dt.timedelta(days=1), first, first + dt.timedelta(days=1)):
            try:
                adapter.validate_python(day)
                verdicts.append("past")
            except ValidationError:
                verdicts.append("future")
        if dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date() == first:
            break
    print(" ".join(verdicts))
    """
)


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "America/Cayenne", "Europe/Brussels", "Indian/Reunion", "Etc/GMT-14"])
@pytest.mark.parametrize("epoch", [None, "315532800"])
def test_the_future_does_not_depend_on_the_machines_time_zone(zone: str, epoch: str | None) -> None:
    """Today where the day begins first (UTC+14) is never the future, tomorrow there always is.

    Before: ``date.today()`` in the machine's zone, so a date already begun in La Réunion
    was "in the future" on a machine in Guyane, or on a CI runner in UTC. A reproducible
    build's ``SOURCE_DATE_EPOCH`` (Nix: 1980) does not move the real clock.
    """
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["TZ"] = zone
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    done = subprocess.run(
        [sys.executable, "-c", FUTURE_SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert done.stdout.split() == ["past", "past", "future"], done.stderr


def test_the_reference_date_is_the_same_day_in_every_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1711843200")  # 2024-03-31 00:00 UTC
    assert dates.reference_date() == dt.date(2024, 3, 31)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1711879200")  # 2024-03-31 10:00 UTC: 1 April in UTC+14
    assert dates.reference_date() == dt.date(2024, 4, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert dates.reference_date() == dates.today()
