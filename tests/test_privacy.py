"""A professional contact copied into public text makes ``maillage check`` fail (issue 20, item 7).

The small fixture has a professional e-mail (``pro-only@alpha.example.org``) on the service
``alpha-adults``; these tests add a professional phone next to it and copy one of them into
a text field, written another way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.registry.privacy import phone_key, phones_in

from .conftest import compare_golden

GOLDEN = Path(__file__).parent / "golden" / "privacy"
CONTACTS = """    contacts:
      - {kind: phone, value: "+32 2 000 00 01", visibility: public}
      - {kind: email, value: pro-only@alpha.example.org, visibility: professional}
"""
SITES = "    sites: [alpha-siege]\n"
WEBSITE = "website: https://alpha.example.org\n"
PRO_PHONE = '      - {kind: phone, value: "+32 2 555 12 34", visibility: professional}\n'


def _edit(mini: Path, old: str, new: str, file: str = "data/registry/alpha.yaml") -> None:
    path = mini / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _with_pro_phone(mini: Path) -> None:
    _edit(mini, CONTACTS, CONTACTS + PRO_PHONE)


def _attention(mini: Path, text: str) -> None:
    _edit(mini, SITES, f"    attention: {text}\n" + SITES)


def _check(mini: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(mini), "check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), "never a traceback"
    return result.exit_code, result.stderr if not args else result.stdout


@pytest.mark.parametrize(
    "written",
    ["+32 2 555 12 34", "02 555 12 34", "02/555.12.34", "0032 2 555 12 34", "+32 (0)2 555-12-34", "025551234"],
)
def test_professional_phone_in_attention_fails(mini: Path, written: str) -> None:
    _with_pro_phone(mini)
    _edit(
        mini,
        "    sites: [alpha-siege]\n",
        f"    attention: Appeler le {written} avant tout.\n    sites: [alpha-siege]\n",
    )
    code, stderr = _check(mini)
    assert code == 1
    first = stderr.splitlines()[0]
    assert first.startswith("data/registry/alpha.yaml:28:16: services[0].attention: reprend le numéro de téléphone du ")
    assert first.endswith("[professional-in-public-text]")
    assert "555" not in stderr, "the message does not print the value again"


def test_golden_message(mini: Path, update_goldens: bool) -> None:
    _with_pro_phone(mini)
    _attention(mini, "Appeler le 02 555 12 34.")
    _edit(mini, "name: Alpha asbl\n", "name: {fr: Alpha asbl, nl: 'Alpha vzw, PRO-ONLY@alpha.example.org'}\n")
    code, stderr = _check(mini)
    assert code == 1
    compare_golden(GOLDEN / "attention-and-name.expected", stderr, update_goldens)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        # another public contact's label and hours
        (
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public}\n',
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public, label: "ou 02 555 12 34"}\n',
            "services[0].contacts[0].label",
        ),
        (
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public}\n',
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public, hours: "Sinon: 025551234"}\n',
            "services[0].contacts[0].hours",
        ),
        # how to ask, a site's note, the organisation's description, a service name in Dutch
        (
            "      referrers: [professional]\n      answer_delay",
            "      form: 'Tél. 02.555.12.34'\n      referrers: [professional]\n      answer_delay",
            "services[0].access.form",
        ),
        ("    name: Siège d'Alpha\n", "    name: Siège d'Alpha\n    note: 'Accueil : 02 555 12 34'\n", "sites[0].note"),
        (
            "website: https://alpha.example.org\n",
            "website: https://alpha.example.org\ndescription: Écrire à Pro-Only@Alpha.Example.org\n",
            "description",
        ),
        ("nl: Begeleiding volwassenen}", "nl: Begeleiding volwassenen 025551234}", "services[0].name.nl"),
        # a public web contact's address carrying the e-mail
        (
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public}\n',
            '      - {kind: phone, value: "+32 2 000 00 01", visibility: public}\n'
            "      - {kind: web, value: 'https://alpha.example.org/?to=pro-only@alpha.example.org'}\n",
            "services[0].contacts[1].value",
        ),
    ],
)
def test_every_text_field_is_scanned(mini: Path, old: str, new: str, field: str) -> None:
    _with_pro_phone(mini)
    _edit(mini, old, new)
    code, stdout = _check(mini, "--format", "json")
    assert code == 1
    problems = [p for p in json.loads(stdout) if p["code"] == "professional-in-public-text"]
    assert [p["field"] for p in problems] == [field]
    assert problems[0]["line"] >= 1 and problems[0]["col"] >= 1


def test_programme_text_is_scanned(mini: Path) -> None:
    _with_pro_phone(mini)
    _edit(
        mini,
        "    name: Programme de test\n",
        "    name: Programme de test\n    description: Coordination au 02 555 12 34\n",
        "data/programmes.yaml",
    )
    code, stderr = _check(mini)
    assert code == 1
    assert stderr.startswith("data/programmes.yaml:")
    assert (
        "programmes[0].description: reprend le numéro de téléphone du service « alpha-adults » contacts[2] "
        "dans data/registry/alpha.yaml" in stderr
    )


def test_a_number_also_public_is_no_leak(mini: Path) -> None:
    """The same number listed as a public contact elsewhere is public: repeating it is fine."""
    _with_pro_phone(mini)
    _attention(mini, "Appeler le 02 555 12 34.")
    code, _ = _check(mini)
    assert code == 1
    _edit(
        mini,
        "website: https://alpha.example.org\n",
        "website: https://alpha.example.org\ncontacts:\n  - {kind: phone, value: '025551234'}\n",
    )
    code, stderr = _check(mini)
    assert code == 0, stderr


def test_professional_contact_alone_is_fine(mini: Path) -> None:
    _with_pro_phone(mini)
    code, stderr = _check(mini)
    assert code == 0, stderr
    _edit(
        mini,
        "    sites: [alpha-siege]\n",
        "    attention: Appeler le 02 555 12 35 ou le 02 555 12 345.\n    sites: [alpha-siege]\n",
    )
    code, stderr = _check(mini)
    assert code == 0, stderr


def test_phone_keys() -> None:
    same = ["+32 2 123 45 67", "02 123 45 67", "02/123.45.67", "0032 2 123 45 67", "+32 (0)2 123 45 67"]
    assert {phone_key(p) for p in same} == {"21234567"}
    assert phone_key("+33 1 23 45 67 89") == phone_key("01 23 45 67 89") == "123456789"
    assert phone_key("+352 12 34 56") == "+35212 3456".replace(" ", "")
    assert "21234567" in set(phones_in("02 123 45 67 - 02 765 43 21"))
    assert "27654321" in set(phones_in("02 123 45 67 / 02 765 43 21"))
