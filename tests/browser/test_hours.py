"""Hours and alerts decided in the browser, from the visitor's clock (issue 22).

The fixture site is built now (2026 or later) and read with a clock frozen in 2030: what
the page says about "open now" and which alerts show is the browser's own verdict, on a
site built before either date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SERVICE = "services/gamma-permanence/"
BRUSSELS = dt.timezone(dt.timedelta(hours=2))  # summer time, the dates below are in June-September


@pytest.fixture
def at(browser: Any, hours_server: str) -> Iterator[Any]:
    """``at(datetime)``: the service page opened with the browser's clock frozen at that time."""
    contexts = []

    def open_at(moment: dt.datetime, path: str = SERVICE) -> Any:
        context = browser.new_context(locale="fr-BE", timezone_id="Europe/Brussels", service_workers="block")
        contexts.append(context)
        page = context.new_page()
        page.clock.set_fixed_time(moment)
        page.goto(hours_server + path)
        return page

    yield open_at
    for context in contexts:
        context.close()


def _status(page: Any) -> str:
    status = page.locator(".maillage-essentials [data-maillage-hours]")
    status.wait_for(state="visible")
    return str(status.inner_text())


def test_open_now_and_closing_time(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 5, 10, 0, tzinfo=BRUSSELS))  # a Wednesday
    assert _status(page) == "Ouvert maintenant · ferme à 17 h"
    assert "du lundi au vendredi, de 9 h à 17 h ; fermé les jours fériés" in page.inner_text(".maillage-essentials")


def test_closed_on_saturday_opens_monday(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 15, 10, 0, tzinfo=BRUSSELS))  # a Saturday
    assert _status(page) == "Fermé maintenant · ouvre lundi à 9 h"
    # Whit Monday (10 June 2030) is a public holiday in Belgium: "PH off" skips it.
    page = at(dt.datetime(2030, 6, 8, 10, 0, tzinfo=BRUSSELS))
    assert _status(page) == "Fermé maintenant · ouvre mardi à 9 h"


def test_closed_in_the_evening_opens_tomorrow(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 5, 18, 30, tzinfo=BRUSSELS))
    assert _status(page) == "Fermé maintenant · ouvre demain à 9 h"


def test_public_holiday_is_closed(at: Any) -> None:
    page = at(dt.datetime(2030, 7, 21, 10, 0, tzinfo=BRUSSELS))  # Belgian national day, a Sunday in 2030
    assert _status(page).startswith("Fermé maintenant")
    page = at(dt.datetime(2030, 8, 15, 10, 0, tzinfo=BRUSSELS))  # Assumption, a Thursday: a public holiday in Belgium
    assert _status(page) == "Fermé maintenant · ouvre demain à 9 h"


def _alerts(page: Any) -> list[str]:
    # The status is filled after the alerts (the library loads last): once it shows, both are done.
    page.locator(".maillage-essentials [data-maillage-hours]").wait_for(state="visible")
    return [str(t) for t in page.locator(".maillage-alert").all_inner_texts()]


def test_alert_appears_on_its_start_date_and_is_gone_after_its_end(at: Any) -> None:
    assert _alerts(at(dt.datetime(2030, 6, 10, 12, 0, tzinfo=BRUSSELS))) == []  # 21 days before: not yet
    upcoming = _alerts(at(dt.datetime(2030, 6, 20, 12, 0, tzinfo=BRUSSELS)))  # 11 days before
    assert upcoming == ["Fermé à partir du 1er juillet 2030 — Fermeture d'été."]
    first_day = _alerts(at(dt.datetime(2030, 7, 1, 8, 0, tzinfo=BRUSSELS)))
    assert first_day == ["Fermé jusqu'au 31 juillet 2030 — Fermeture d'été."]
    last_day = _alerts(at(dt.datetime(2030, 7, 31, 23, 0, tzinfo=BRUSSELS)))
    assert last_day == ["Fermé jusqu'au 31 juillet 2030 — Fermeture d'été."]
    assert _alerts(at(dt.datetime(2030, 8, 1, 0, 30, tzinfo=BRUSSELS))) == []


def test_a_site_alert_names_the_site(at: Any) -> None:
    alerts = _alerts(at(dt.datetime(2030, 9, 2, 12, 0, tzinfo=BRUSSELS)))
    assert alerts == ["Déménagé jusqu'au 30 septembre 2030 — Accueil Gamma : Accueil provisoire au 5 rue de la Poste."]


def test_the_site_says_its_hours_accessibility_and_languages(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 5, 10, 0, tzinfo=BRUSSELS))
    details = page.inner_text(".maillage-site-details")
    assert "du lundi au vendredi, de 9 h à 12 h et de 13 h 30 à 17 h ; fermé les jours fériés" in details
    assert "Accessible en fauteuil roulant, Boucle magnétique" in details
    assert "arabe" in details


def test_dutch_page_speaks_dutch(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 5, 16, 30, tzinfo=BRUSSELS), "nl/" + SERVICE)
    assert _status(page) == "Nu open · sluit om 17 uur"
    assert "van maandag tot en met vrijdag, van 9 uur tot 17 uur; gesloten op feestdagen" in page.inner_text(
        ".maillage-essentials"
    )


ORIENT = "orient/?age=30&where=Schaerbeek&need=mental-health"


def _orient_ready(page: Any) -> Any:
    item = page.locator("li.maillage-orient-match[data-service='gamma-permanence']")
    item.locator("[data-maillage-hours]").wait_for(state="visible")
    return item


def test_orientation_shows_hours_and_puts_a_service_closed_today_below(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 15, 10, 0, tzinfo=BRUSSELS), ORIENT)  # a Saturday
    item = _orient_ready(page)
    assert item.locator("[data-maillage-hours]").inner_text() == "Fermé maintenant · ouvre lundi à 9 h"
    page.wait_for_selector("li[data-maillage-closed-today]")
    group = item.locator("xpath=..")
    services = group.locator(":scope > li").evaluate_all("items => items.map(i => i.dataset.service)")
    assert len(services) > 1 and services[-1] == "gamma-permanence"

    page = at(dt.datetime(2030, 6, 12, 10, 0, tzinfo=BRUSSELS), ORIENT)  # a Wednesday: not moved
    item = _orient_ready(page)
    assert item.locator("[data-maillage-hours]").inner_text() == "Ouvert maintenant · ferme à 17 h"
    assert page.locator("li[data-maillage-closed-today]").count() == 0


def test_orientation_open_now_filter_and_alert(at: Any) -> None:
    page = at(dt.datetime(2030, 7, 1, 10, 0, tzinfo=BRUSSELS), ORIENT)  # the summer closure has begun
    item = _orient_ready(page)
    assert item.locator(".maillage-alert").inner_text() == "Fermé jusqu'au 31 juillet 2030 — Fermeture d'été."
    page = at(dt.datetime(2030, 6, 12, 10, 0, tzinfo=BRUSSELS), ORIENT)
    _orient_ready(page)
    before = page.locator("ol.maillage-orient-matches > li:visible").count()
    page.get_by_label("Ouvert maintenant").check()
    visible = page.locator("ol.maillage-orient-matches > li:visible")
    assert before > 1
    assert visible.evaluate_all("items => items.map(i => i.dataset.service)") == ["gamma-permanence"]


def test_search_result_shows_hours_and_alert(at: Any, hours_server: str) -> None:
    page = at(dt.datetime(2030, 6, 20, 10, 0, tzinfo=BRUSSELS), "")
    field = page.locator("[data-maillage-search-input]")
    button = page.locator("[data-maillage-search-open]")
    if button.is_visible():
        button.click()
    field.click()
    field.fill("Permanence Gamma")
    field.press("Enter")
    result = page.locator(".maillage-search__result[data-url$='/services/gamma-permanence/']")
    status = result.locator("[data-maillage-hours]")
    status.wait_for(state="visible")
    assert status.inner_text() == "Ouvert maintenant · ferme à 17 h"
    assert result.locator(".maillage-alert").inner_text() == "Fermé à partir du 1er juillet 2030 — Fermeture d'été."


def test_search_open_now_box(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 12, 10, 0, tzinfo=BRUSSELS), "")
    field = page.locator("[data-maillage-search-input]")
    button = page.locator("[data-maillage-search-open]")
    if button.is_visible():
        button.click()
    field.click()
    field.fill("Gamma")
    field.press("Enter")
    page.locator(".maillage-search__result [data-maillage-hours]").first.wait_for(state="visible")
    results = page.locator(".maillage-search__result")
    assert results.count() > 1
    page.locator("[data-maillage-open-now]").check()
    shown = page.locator(".maillage-search__result:visible").evaluate_all("items => items.map(i => i.dataset.url)")
    assert [url.rstrip("/").rsplit("/", 1)[-1] for url in shown] == ["gamma-permanence"]


def test_a_service_s_languages_are_named(at: Any) -> None:
    page = at(dt.datetime(2030, 6, 12, 10, 0, tzinfo=BRUSSELS), "services/gamma-soutien/")
    assert "Langues : français, arabe" in page.inner_text("article")


def test_lyon_phone_line_is_open_any_time(page: Any, site_server: str) -> None:
    """The shipped registry's one schedule (the seeds': Lyon's 24/7 phone permanence)."""
    page.clock.set_fixed_time(dt.datetime(2030, 12, 25, 3, 0, tzinfo=dt.UTC))
    page.goto(site_server + "services/ucsd-lyon/")
    status = page.locator(".maillage-essentials [data-maillage-hours]")
    status.wait_for(state="visible")
    assert status.inner_text() == "Ouvert maintenant · 24 h/24"
    assert "Horaires : 24 h/24, 7 j/7" in page.inner_text(".maillage-essentials")
