"""A phone's extension (``Contact.extension``, « poste 123 »): on the service page with its
``tel:`` link (RFC 3966 ``;ext=``), in the orientation's contacts (Python and JavaScript
alike) and its text report, in the words of each language."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.analysis.orient import (
    build_data,
    data_from_json,
    data_to_json,
    details_to_json,
    places_to_json,
    text_report,
)
from generator.registry.loader import Registry, for_audience, load_registry
from generator.registry.models import Contact
from generator.site.context import SiteConfig, SiteContext
from generator.site.markup import contact_href, contact_item
from generator.site.pages import share_info
from tests.conftest import ROOT
from tests.test_orient import GOLDEN_PROFILES, JS_TEST, emitted, report_of, vectors, write_js_fixture

HELPDESK = "brusano-helpdesk"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The real registry, the Brusano helpdesk's phone with an extension."""
    project = tmp_path_factory.mktemp("extension")
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    file = project / "data" / "registry" / "brusano.yaml"
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[122] == "        value: 02 880 29 80\n"  # the helpdesk service's phone
    lines.insert(123, '        extension: "123"\n')
    file.write_text("".join(lines), encoding="utf-8")
    return for_audience(load_registry(project), "public")


def test_tel_link_and_words() -> None:
    phone = Contact(kind="phone", value="02 880 29 80", extension="123")
    assert contact_href(phone) == "tel:028802980;ext=123"
    assert contact_href(Contact(kind="phone", value="+32 2 880 29 80")) == "tel:+3228802980"


@pytest.mark.parametrize(("lang", "said"), [("fr", "poste 123"), ("nl", "toestel 123"), ("en", "ext. 123")])
def test_service_page(registry: Registry, lang: str, said: str) -> None:
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang=lang)
    phone = next(c for c in registry.services[HELPDESK].contacts if c.kind == "phone")
    item = contact_item(ctx, phone)
    assert '<a href="tel:028802980;ext=123">02 880 29 80</a>, ' + said in item
    assert share_info(ctx, registry.services[HELPDESK])["phone"] == f"02 880 29 80, {said}"


def test_orientation_contacts_and_text(registry: Registry) -> None:
    result = report_of(registry, GOLDEN_PROFILES["schaerbeek-30-housed-mental-health"])
    helpdesk = next(f for f in result.to_json()["fallbacks"] if f["service"] == HELPDESK)
    assert helpdesk["contacts"][0] == {
        "kind": "phone",
        "value": "02 880 29 80",
        "label": None,
        "visibility": "public",
        "extension": "123",
    }
    # Other contacts keep DESIGN.md's keys only.
    assert all("extension" not in c for c in helpdesk["contacts"][1:])
    assert "    ☎ 02 880 29 80, poste 123\n" in text_report(result)
    data = build_data(registry)
    main, details = json.loads(json.dumps(data_to_json(data))), json.loads(json.dumps(details_to_json(data)))
    places = json.loads(json.dumps(places_to_json(data)))
    assert data_from_json(main, details, places.values()) == data
    rows = [c for chunk in details for row in chunk for c in row[2]]
    assert ["phone", "02 880 29 80", None, "public", "123"] in rows


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_agrees(registry: Registry, tmp_path: Path) -> None:
    """The vectors over this registry: the page's matcher gives the same contacts."""
    raw: dict[str, Any] = emitted(registry)
    write_js_fixture(tmp_path, raw)
    expected = json.loads((tmp_path / "python-results.json").read_text(encoding="utf-8"))
    assert any(c.get("extension") == "123" for r in expected for e in r["fallbacks"] for c in e.get("contacts", []))
    env = {"ORIENT_FIXTURE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    run = subprocess.run(["node", "--test", str(JS_TEST)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"# pass {len(vectors()) + 4}" in run.stdout
