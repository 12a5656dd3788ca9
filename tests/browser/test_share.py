"""Sharing a service (issue 22, item 5): one implementation, assets/maillage/share.js.

On the real built site in Chromium: every service page's « Envoyer à la personne » is
share.js's (copy, ``sms:``, ``mailto:``), and its text is the one the page was built with
for a browser without scripts (``pages.person_lines``), in every service of the shipped
registry; the copied text is that text; the orientation results use the same module (the
same lines, the area where the orientation has no street address).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.registry.loader import for_audience, load_registry
from generator.site.context import SiteConfig, SiteContext
from generator.site.pages import person_lines
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

REGISTRY = for_audience(load_registry(ROOT), "public")


def _lines(service: str, lang: str = "fr") -> list[str]:
    ctx = SiteContext(registry=REGISTRY, config=SiteConfig(), lang=lang)
    return person_lines(ctx, REGISTRY.services[service])


@pytest.fixture
def clip(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-BE", permissions=["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def _read(sms: str, mail_href: str) -> tuple[str, str, str]:
    """The ``sms:`` body, the ``mailto:`` subject and body of a share block's addresses."""
    mail = urlsplit(mail_href)
    assert sms.startswith("sms:?body=") and mail.scheme == "mailto"
    query = parse_qs(mail.query)
    return unquote(sms.removeprefix("sms:?body=")), query["subject"][0], query["body"][0]


def _sent(block: Any) -> tuple[str, str, str]:
    """The ``sms:`` body, the ``mailto:`` subject and body of a share block."""
    return _read(
        str(block.locator("a[data-action=sms]").get_attribute("href")),
        str(block.locator("a[data-action=mail]").get_attribute("href")),
    )


def _shared(tab: Any) -> Any:
    """The service page's block, once share.js has rebuilt it (its copy button is there)."""
    block = tab.locator(".maillage-essentials .maillage-send")
    block.locator("button[data-action=copy-text]").wait_for()
    return block


def test_copy_sms_and_mail_on_a_service_page(clip: Any, site_server: str) -> None:
    clip.goto(site_server + "services/brusano-case-management/")
    block = _shared(clip)
    text = "\n".join(_lines("brusano-case-management"))
    assert text.splitlines()[:2] == ["Case managers « des zones grises »", "Téléphone : 02 880 29 80"]
    assert _sent(block) == (text, "Case managers « des zones grises »", text)
    block.locator("button[data-action=copy-text]").click()
    clip.wait_for_function("() => document.querySelector('[data-action=copy-text]').textContent === 'Texte copié'")
    assert clip.evaluate("navigator.clipboard.readText()") == text
    assert block.locator("a[data-action=note]").count() == 1  # the printable note stays


SHARE_DATA = re.compile(r'data-maillage-share="([^"]*)"')
SHARE_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="[^"]*assets/maillage/share\.js"')
# What share.js's enhance() makes of a block's facts: its sms: and mailto: addresses.
SHARED_BY_SCRIPT = """async (info) => {
    const words = await window.MaillageShare.words();
    const block = window.MaillageShare.block(info, words, "x");
    return [block.querySelector("a[data-action=sms]").getAttribute("href"),
            block.querySelector("a[data-action=mail]").getAttribute("href")];
}"""


def test_every_service_page_shares_the_text_it_was_built_with(page: Any, site_server: str, built_site: Path) -> None:
    """Every service of the shipped registry: its built page loads share.js with the facts
    share.js reads (``data-maillage-share``), and share.js makes of those facts the text
    ``pages.person_lines`` built. share.js runs in one open service page on each page's
    facts, as its enhance() does on load (the whole page, loaded, in the tests around)."""
    page.goto(site_server + "services/brusano-case-management/", wait_until="domcontentloaded")
    _shared(page)
    checked = 0
    for service in sorted(REGISTRY.services):
        built = (built_site / "services" / service / "index.html").read_text(encoding="utf-8")
        assert SHARE_SCRIPT.search(built), service
        found = SHARE_DATA.findall(built)
        assert len(found) == 1, service
        sms, mail = page.evaluate(SHARED_BY_SCRIPT, json.loads(html.unescape(found[0])))
        text = "\n".join(_lines(service))
        assert _read(sms, mail) == (text, REGISTRY.services[service].name.get("fr"), text), service
        checked += 1
    assert checked == len(REGISTRY.services) > 40


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_text_speaks_the_pages_language(page: Any, site_server: str, lang: str) -> None:
    page.goto(site_server + f"{lang}/services/em107-precarite/")
    text = "\n".join(_lines("em107-precarite", lang))
    assert text.splitlines()[1] == {"nl": "Telefoon: 0496 26 80 54", "en": "Phone: 0496 26 80 54"}[lang]
    assert _sent(_shared(page))[0] == text


def test_the_orientation_shares_through_the_same_module(page: Any, site_server: str) -> None:
    page.goto(site_server + "orient/?age=45&where=1060&housing=roofless")
    em107 = page.locator(".maillage-orient-match[data-service='em107-precarite']")
    em107.locator("a[data-action=sms]").wait_for()
    body, subject, mail_body = _sent(em107)
    assert body == mail_body and subject == "Équipe mobile 107 - Précarité"
    # The service page's lines (no street address for this service: both give the area).
    assert body.splitlines() == _lines("em107-precarite")
    # Built by share.js: the page loads it, and orient.js holds no other way to make them.
    assert page.evaluate("typeof window.MaillageShare.lines") == "function"
    script = (ROOT / "generator" / "site" / "assets" / "orient.js").read_text(encoding="utf-8")
    assert "sms:?body=" not in script and "mailto:?subject=" not in script
