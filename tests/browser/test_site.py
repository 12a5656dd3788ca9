"""The directory website as a person uses it, in Chromium, from the real registry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import AXE, run_axe

pytestmark = pytest.mark.browser

SERVICE = "services/brusano-case-management/"
TERRITORY = "territories/be-region-04000/"
PAGES = {
    "home": "",
    "service": SERVICE,
    "organisation": "organisations/brusano/",
    "territory": TERRITORY,
    "commune": "territories/be-commune-21015/",
    "need": "needs/mental-health/",
    "index": "services/",
    "downloads": "downloads/",
    "contribute": "contribute/",
    "dutch service": "nl/" + SERVICE,
    "english territory": "en/" + TERRITORY,
}


def open_page(page: Any, base: str, path: str) -> Any:
    response = page.goto(base + path)
    assert response is not None and response.status == 200, path
    return response


def test_home_says_what_the_directory_holds(page: Any, site_server: str) -> None:
    open_page(page, site_server, "")
    assert page.locator("html").get_attribute("lang") == "fr"
    text = page.locator("article").inner_text()
    assert "services de" in text and "organisations" in text
    entries = page.locator(".maillage-entries a")
    labels = entries.all_inner_texts()
    assert "Tous les services" in labels
    assert any("Télécharger" in label for label in labels)
    page.get_by_role("link", name="Tous les services").click()
    page.wait_for_url("**/services/")
    assert page.locator("table.maillage-table tbody tr").count() >= 40


def test_service_page_shows_criteria_and_a_phone_link(page: Any, site_server: str) -> None:
    open_page(page, site_server, SERVICE)
    assert page.locator("h1").inner_text().startswith("Case managers")
    headings = page.locator("article h2").all_inner_texts()
    for heading in (
        "L'objectif",
        "Pour qui ?",
        "Comment y faire appel ?",
        "La méthode",
        "La temporalité",
        "Points d'attention",
        "Contact",
    ):
        assert any(h.startswith(heading) for h in headings), heading
    checklist = page.locator(".maillage-checklist").first.inner_text()
    assert "18 ans ou plus" in checklist
    assert "Région de Bruxelles-Capitale" in checklist
    assert "pas besoin de couverture santé" in page.locator(".maillage-not-required").inner_text()
    phone = page.locator('.maillage-contacts a[href^="tel:"]').first
    assert phone.inner_text() == "02 880 29 80"
    assert phone.get_attribute("href") == "tel:028802980"
    # Once in « L'essentiel », once under « Contact ».
    assert page.locator('.maillage-contacts a[href="mailto:helpdesk@brusano.brussels"]').count() == 2
    assert "Vérifié le 1er janvier 2024" in page.locator(".maillage-essentials").inner_text()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Service" and data["identifier"] == "brusano-case-management"
    assert data["audience"]["suggestedMinAge"] == 18


def test_territory_page_lists_services_through_parents(page: Any, site_server: str) -> None:
    open_page(page, site_server, "territories/be-commune-21015/")
    assert "Schaerbeek" in page.locator("h1").inner_text()
    services = page.locator(".maillage-services").first.inner_text()
    assert "Case managers" in services
    assert "via Région de Bruxelles-Capitale" in services
    assert page.locator("#zones-grises").count() == 1
    page.get_by_role("link", name="Case managers « des zones grises »").first.click()
    page.wait_for_url("**/" + SERVICE)


def test_downloads_page_links_the_files(page: Any, site_server: str) -> None:
    open_page(page, site_server, "downloads/")
    names = page.locator("article a[download]").all_inner_texts()
    assert "maillage.json" in names and "services.csv" in names and "contacts.csv" in names
    response = page.request.get(site_server + "downloads/services.csv")
    assert response.ok
    header = response.text().lstrip("\ufeff").splitlines()[0]
    assert header.startswith("id,organisation,name_fr")
    registry = page.request.get(site_server + "downloads/maillage.json").json()
    assert registry["audience"] == "public"
    assert any(o["id"] == "brusano" for o in registry["organisations"])


def switch_language(page: Any, lang: str) -> None:
    """Open the header's language menu and choose ``lang``, as a person does."""
    page.locator(".md-header .md-select button").hover()
    link = page.locator(f'a.maillage-lang-link[hreflang="{lang}"]')
    link.wait_for(state="visible")
    with page.expect_navigation(wait_until="domcontentloaded"):
        link.click()


def test_language_switch_leads_to_the_same_page(page: Any, site_server: str) -> None:
    open_page(page, site_server, SERVICE)
    switch_language(page, "nl")
    assert page.url == site_server + "nl/" + SERVICE
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Casemanagers voor de « grijze zones »"
    assert "Voor wie?" in page.locator("article h2").all_inner_texts()[2]  # after « Het belangrijkste », « Doel »
    # Registry text with no Dutch version is shown in French, marked as such.
    assert page.locator('[lang="fr"] + .maillage-fallback').count() >= 1
    assert "Tekst alleen beschikbaar in het Frans" in page.locator("article").inner_text()
    switch_language(page, "fr")
    assert page.url == site_server + SERVICE
    assert page.locator("html").get_attribute("lang") == "fr"


# axe-core on the page kinds that tests/browser/test_a11y_pages.py does not open: that file
# runs axe (every impact, best practices too) on home, service, organisation, territory,
# need, function, gaps, orientation, map, downloads, accessibility and search pages, in the
# three languages, at 1366 and 375 px. (A phone's sideways scrolling: tests/browser/test_reflow.py.)
AXE_ONLY_HERE = ("commune", "index", "contribute")


@pytest.mark.parametrize("kind", AXE_ONLY_HERE)
def test_no_serious_accessibility_violation(page: Any, site_server: str, kind: str) -> None:
    assert AXE.exists(), "run `npm ci` in tests/js (axe-core)"
    open_page(page, site_server, PAGES[kind])
    violations = run_axe(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def test_service_page_prints_as_a_liaison_sheet(page: Any, site_server: str) -> None:
    open_page(page, site_server, SERVICE)
    page.emulate_media(media="print")
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".md-header").is_visible()
    after = page.evaluate(
        """() => getComputedStyle(document.querySelector('.maillage-contacts a[href^="tel:"]'), '::after').content"""
    )
    assert "tel:028802980" in after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
