"""The interface's words live in the gettext catalogues of generator/locale/, complete and
without stale keys; a directory's own locale/ rewords a label after one build."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import string
from pathlib import Path

import pytest

from generator import locale
from generator.locale.__main__ import problems
from generator.locale.catalogues import extract, read
from generator.site.commands import build_site
from tests.conftest import ROOT
from tests.site.test_build import MKDOCS_YML


def test_every_key_the_code_asks_for_is_translated_and_none_is_stale() -> None:
    # Run `python3 -m generator.locale update` after adding a word, then fill the .po files.
    assert problems() == []


def test_the_extraction_sees_python_templates_javascript_and_the_navigation() -> None:
    found = extract()
    kinds = {where.rsplit(":", 1)[0].rsplit(".", 1)[-1] for places in found.values() for where in places}
    assert {"py", "html", "js", "yml"} <= kinds, kinds


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_translations_keep_the_french_placeholders() -> None:
    french = locale.catalogue("fr")
    for lang in ("nl", "en"):
        for key, text in locale.catalogue(lang).items():
            assert _fields(text) == _fields(french[key]), f"{lang}: {key!r} {text!r} vs {french[key]!r}"


def test_catalogues_have_no_fuzzy_or_duplicate_entry() -> None:
    for lang in locale.LANGUAGES:
        raw = locale.po_path(lang).read_text(encoding="utf-8")
        ids = re.findall(r'^msgid "(.+)"$', raw, re.M)
        assert len(ids) == len(set(ids)), lang
        assert not [m.id for m in read(lang) if m.id and m.fuzzy], lang


def test_the_browser_gets_only_its_words_in_each_language() -> None:
    for lang in locale.LANGUAGES:
        words = json.loads(locale.browser_json(lang))
        assert words and all(key.startswith("js.") for key in words)
        assert set(words) == {k for k in locale.catalogue("fr") if k.startswith("js.")}
    assert json.loads(locale.browser_json("nl"))["js.search.filters"] == "Filters"


def test_a_missing_key_falls_back_to_french_then_to_itself() -> None:
    assert locale.t("for_whom", "de") == locale.t("for_whom", "fr") == "Pour qui ?"
    assert locale.t("no.such.key", "nl") == "no.such.key"


@pytest.fixture
def project(mini: Path) -> Path:
    (mini / "mkdocs.yml").write_text(MKDOCS_YML.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", mini / "directory")
    return mini


@pytest.mark.slow
def test_a_dutch_label_changed_in_the_projects_nl_po_shows_after_one_build(project: Path, tmp_path: Path) -> None:
    # CONTRIBUTING.md, "Traduire": edit the .po, run `maillage build`.
    po = project / "locale" / "nl" / "LC_MESSAGES" / "maillage.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "for_whom"\nmsgstr "Voor wie is het?"\n\n'
        'msgid "js.search.filters"\nmsgstr "Zeef"\n\n'
        'msgid "js.orient.none"\nmsgstr "Niets gevonden"\n',
        encoding="utf-8",
    )
    site = tmp_path / "site"
    try:
        build_site(project / "mkdocs.yml", site, strict=True)
    finally:
        locale.use_project(None)
    service = next((site / "nl" / "services").glob("*/index.html")).read_text(encoding="utf-8")
    assert "Voor wie is het?" in service
    french = next((site / "services").glob("*/index.html")).read_text(encoding="utf-8")
    assert "Voor wie is het?" not in french and "Pour qui ?" in french
    words = json.loads((site / "assets" / "maillage" / "words" / "nl.json").read_text(encoding="utf-8"))
    assert words["js.search.filters"] == "Zeef" and words["js.orient.none"] == "Niets gevonden"
    assert (
        json.loads((site / "assets" / "maillage" / "words" / "fr.json").read_text(encoding="utf-8"))[
            "js.search.filters"
        ]
        == "Filtres"
    )


# --- the templates' words (Jinja's i18n extension over the catalogues) and the search panel's


def _render(source: str, **context: object) -> str:
    import jinja2

    from generator.site import template_words

    env = jinja2.Environment()
    template_words.install(env)
    return env.from_string(source).render(**context)


class _Page:
    def __init__(self, lang: str | None) -> None:
        self.meta = {"maillage_lang": lang} if lang else {}


class _Config:
    def __init__(self) -> None:
        self.theme = {"language": "fr"}


def test_a_templates_words_are_the_pages_language_then_the_themes() -> None:
    source = '{{ _("js.search.filters") }}|{{ _("js.search.resultsN", n=3) }}|{{ _("professional_version") }}'
    assert _render(source, page=_Page("nl"), config=_Config()) == "|".join(
        [
            locale.t("js.search.filters", "nl"),
            locale.t("js.search.resultsN", "nl", n=3),
            locale.t("professional_version", "nl"),
        ]
    )
    assert _render(source, page=_Page("en"), config=_Config()).startswith("Filters|3 results|Professional version")
    # A hand-written page (no maillage_lang) and the theme's own pages (no page): the theme's.
    french = _render(source, page=_Page(None), config=_Config())
    assert french == _render(source, config=_Config()) and french.startswith(
        "Filtres|3 résultats|Version professionnelle"
    )
    assert _render('{{ ngettext("js.search.results1", "js.search.resultsN", 4, n=4) }}', page=_Page("nl")) == (
        "4 resultaten"
    )


def test_a_templates_word_may_hold_a_percent_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    # New-style gettext %-formats what it returns: a catalogue's "%" must come out as it is.
    monkeypatch.setitem(locale.catalogue("fr"), "test.percent", "100 % des communes, {n} services")
    assert _render('{{ _("test.percent", n=2) }}', page=_Page("fr")) == "100 % des communes, 2 services"


@pytest.mark.slow
def test_the_built_dutch_pages_panel_and_words_file_carry_the_dutch_words(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(project / "mkdocs.yml", site, "professional", strict=True)
    words = {
        lang: json.loads((site / "assets" / "maillage" / "words" / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in locale.LANGUAGES
    }
    assert words["nl"]["js.search.results0"] == "Geen resultaten"
    assert words["fr"]["js.search.results0"] == "Aucun résultat"
    assert words["en"]["js.search.results0"] == "No results"
    # The mini project speaks French and Dutch (its service pages; its home is hand-written).
    service = next((site / "services").glob("*/index.html")).relative_to(site)
    for lang, page in (("fr", site / service), ("nl", site / "nl" / service)):
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html
        # The panel's server-written words (what search.js shows before its words file
        # arrives) are the file's, in the page's language; the banner too.
        for key in ("js.search.start", "js.search.loading", "js.search.error", "js.search.filters", "js.search.more"):
            shown = re.search(rf'data-maillage-word="{re.escape(key)}">([^<]*)<', html)
            assert shown is not None, (lang, key)
            assert html_module.unescape(shown.group(1)) == words[lang][key], (lang, key)
        assert locale.t("professional_version", lang) in html
        assert "js.search." not in re.sub(r'data-maillage-word="[^"]*"', "", html)  # no key shown as a word


# --- the command line's imports speak its language (French by default, English with --lang en)


SHEETS = ROOT / "tests" / "fixtures" / "spreadsheets"


def _import_csv(project: Path, file: Path, *options: str) -> str:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["-C", str(project), *options, "import", "csv", str(file)])
    assert result.exit_code == 1, result.output
    return result.output


def test_a_spreadsheets_problems_are_in_the_commands_language(mini: Path) -> None:
    french = _import_csv(mini, SHEETS / "errors.csv")
    assert (
        "errors.csv:2:F: Besoins: terme « homelesness » inconnu du vocabulaire needs "
        "(vouliez-vous dire « homelessness » ?) ; termes connus : mental-health, addiction," in french
    )
    assert "errors.csv:2:I: Âge minimum: un nombre entier d'années est attendu, pas « dix-huit »" in french
    assert (
        "errors.csv:5:B: Nom organisation: la première ligne de l'organisation « zeta » doit donner son nom" in french
    )
    english = _import_csv(mini, SHEETS / "errors.csv", "--lang", "en")
    assert "errors.csv:2:I: Âge minimum: expected a whole number of years, got 'dix-huit'" in english
    # A missing column is named by its header in the command's language (every one is read).
    assert "bad-header.csv:1:K: Vérifié le: colonne obligatoire absente (en-tête « Vérifié le »)" in _import_csv(
        mini, SHEETS / "bad-header.csv"
    )


def test_a_refused_input_is_in_the_commands_language(mini: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "services.csv"
    sheet.write_bytes(b"Identifiant organisation;Nom\n\x81\x8d\n")
    assert "services.csv:2:A: l'octet 0x81 n'est du texte ni en UTF-8 ni en Windows-1252" in _import_csv(mini, sheet)
    english = _import_csv(mini, sheet, "--lang", "en")
    assert (
        "services.csv:2:A: byte 0x81 is not UTF-8 nor Windows-1252 text; save the file as UTF-8 [encoding]" in english
    )
    other = tmp_path / "services.txt"
    other.write_text("x", encoding="utf-8")
    assert "services.txt:0:0: un fichier .csv ou .xlsx est attendu" in _import_csv(mini, other)


def test_a_sheet_headed_in_any_language_imports_and_no_header_names_two_columns() -> None:
    from generator.exchange.spreadsheet import COLUMNS, headers
    from generator.registry.text import fold

    found = headers()
    for column in COLUMNS:
        for lang in locale.LANGUAGES:
            label, help_text, _ = column.words(lang)
            assert found[fold(label)][0] == column, (lang, label)
            assert help_text and not help_text.startswith("sheet."), (lang, column.key)
    owners: dict[str, set[str]] = {}
    for column in COLUMNS:
        for lang in locale.LANGUAGES:
            owners.setdefault(fold(column.words(lang)[0]), set()).add(column.key)
    assert {name: keys for name, keys in owners.items() if len(keys) > 1} == {}
