"""`maillage diff`: every field of every registry file compared, and Markdown that hides nothing.

Each case edits a copy of the small fixture project committed in a real git repository,
runs `maillage diff HEAD` in both formats and compares the output with golden files
(`tests/golden/diff/CASE.txt` and `CASE.md`; `--update-goldens` rewrites them). The
Markdown is then read by a CommonMark/GFM parser (markdown-it-py, GFM-like preset, HTML
and autolinks on, as GitHub renders comments) to check that nothing user-written became
HTML, a comment, a link, an image, emphasis or a mention.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel

from generator.analysis.review import (
    ABSENT,
    FIELD_KEYS,
    Detail,
    RecordChange,
    RegistryDiff,
    Step,
    code,
    reachable,
    render,
    walk,
)
from generator.cli import main
from generator.registry import models

from .conftest import MINI, compare_golden

GOLDEN = Path(__file__).parent / "golden" / "diff"


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small fixture project, committed as the base revision of a git repository."""
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "base")
    return project


def _edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


ALPHA = "data/registry/alpha.yaml"
BETA = "data/registry/beta.yaml"


def _organisation(project: Path) -> None:
    _edit(project, ALPHA, "name: Alpha asbl", "name: Alpha ASBL\nlegal_form: asbl")
    _edit(project, ALPHA, "website: https://alpha.example.org", "website: https://alpha.examp1e.org")
    _edit(project, ALPHA, "sites:\n", "contacts:\n  - {kind: phone, value: 02 999 99 99}\nsites:\n")


def _site(project: Path) -> None:
    _edit(project, ALPHA, "street: Rue Royale 1", "street: Rue Royale 10")
    _edit(
        project,
        ALPHA,
        "services:\n",
        "  - id: alpha-antenne\n    name: Antenne\n    address: {city: Evere}\n"
        "    coordinates: {lat: 50.87, lon: 4.40}\nservices:\n",
    )


def _service(project: Path) -> None:
    _edit(project, ALPHA, "Accompagner les adultes en situation complexe.", "Accompagner les adultes.")
    _edit(project, ALPHA, "area: [be-commune-21009, be-commune-21013]", "area: [be-commune-21013, be-commune-21015]")
    _edit(project, ALPHA, "age: {max: 23}", "age: {max: 25}")
    _edit(project, ALPHA, "needs: [mental-health, complex-situation]", "needs: [complex-situation, mental-health]")
    _edit(project, BETA, "capacity: {places: 100}", "capacity: {places: 120}\n    free: true")


def _service_added_removed(project: Path) -> None:
    text = (project / BETA).read_text(encoding="utf-8")
    (project / BETA).write_text(text.replace("beta-housing-first", "beta-housing-first-lyon"), encoding="utf-8")


def _contact_visibility(project: Path) -> None:
    _edit(project, ALPHA, "pro-only@alpha.example.org, visibility: professional", "pro-only@alpha.example.org")


def _contact_label_hours(project: Path) -> None:
    _edit(
        project,
        ALPHA,
        '{kind: phone, value: "+32 2 000 00 01", visibility: public}',
        '{kind: phone, value: "+32 2 000 00 01", visibility: public, label: Accueil,'
        " hours: {fr: 9 h-17 h, nl: 9-17 u}}",
    )


def _contact_value(project: Path) -> None:
    _edit(project, ALPHA, '"+32 2 000 00 01"', '"+32 2 000 00 07"')


def _source(project: Path) -> None:
    _edit(project, "data/sources.yaml", "title: Document de test", "title: Document de test (2e éd.)")
    _edit(project, "data/sources.yaml", "date: 2024-01-17", "date: 2024-01-18\n    url: https://example.org/doc.pdf")


def _programme(project: Path) -> None:
    _edit(
        project,
        "data/programmes.yaml",
        "name: Programme de test",
        "name: {fr: Programme de test, nl: Testprogramma}\n    scope: [fr]",
    )


def _vocabulary(project: Path) -> None:
    _edit(project, "data/vocabularies/needs.yaml", "fr: Mental health", "fr: Santé mentale")
    _edit(project, "data/vocabularies/age-bands.yaml", "fr: 0–17 ans", "fr: Mineurs")
    _edit(project, "data/vocabularies/synonyms.yaml", "- - incurie", "- - incurie\n  - syllogomanie")


def _nothing(project: Path) -> None:
    pass


CASES: dict[str, Callable[[Path], None]] = {
    "organisation": _organisation,
    "site": _site,
    "service": _service,
    "service-added-removed": _service_added_removed,
    "contact-visibility": _contact_visibility,
    "contact-label-hours": _contact_label_hours,
    "contact-value": _contact_value,
    "source": _source,
    "programme": _programme,
    "vocabulary": _vocabulary,
    "nothing": _nothing,
}


def _diff(project: Path, fmt: str) -> str:
    result = CliRunner().invoke(main, ["-C", str(project), "diff", "HEAD", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("case", list(CASES))
def test_diff_golden(case: str, repo: Path, update_goldens: bool) -> None:
    CASES[case](repo)
    check = CliRunner().invoke(main, ["-C", str(repo), "check"])
    assert check.exit_code == 0, check.output  # every case is a valid registry
    GOLDEN.mkdir(exist_ok=True)
    compare_golden(GOLDEN / f"{case}.txt", _diff(repo, "text"), update_goldens)
    markdown = _diff(repo, "markdown")
    compare_golden(GOLDEN / f"{case}.md", markdown, update_goldens)
    _assert_structure_is_ours(markdown)


def test_every_golden_change_is_reported() -> None:
    """The changes a reviewer must see are there, and flagged where they matter most."""
    text = {case: (GOLDEN / f"{case}.txt").read_text(encoding="utf-8") for case in CASES}
    assert (
        "(!) contacts › « pro-only@alpha.example.org » › visibilité : « professional » → « public »"
        in (text["contact-visibility"])
    )
    assert "(!) site web : « https://alpha.example.org » → « https://alpha.examp1e.org »" in text["organisation"]
    assert "(!) contacts : ajout : type : « phone », valeur : « 02 999 99 99 »" in text["organisation"]
    assert "nom : « Alpha asbl » → « Alpha ASBL »" in text["organisation"]
    assert "lieux › « alpha-siege » › adresse › rue : « Rue Royale 1 » → « Rue Royale 10 »" in text["site"]
    assert "libellé : ajout : « Accueil »" in text["contact-label-hours"]
    assert "horaires : ajout : français : « 9 h-17 h », néerlandais : « 9-17 u »" in text["contact-label-hours"]
    assert "(!) contacts : retrait :" in text["contact-value"] and "(!) contacts : ajout :" in text["contact-value"]
    assert "titre : « Document de test » → « Document de test (2e éd.) »" in text["source"]
    assert "(!) adresse web : ajout : « https://example.org/doc.pdf »" in text["source"]
    assert "nom › néerlandais" in text["programme"] or "néerlandais : « Testprogramma »" in text["programme"]
    assert "libellé › français : « Mental health » → « Santé mentale »" in text["vocabulary"]
    assert "synonymes" in text["vocabulary"] and "syllogomanie" in text["vocabulary"]
    assert "critère d'âge : « jusqu'à 23 ans » → « jusqu'à 25 ans »" in text["service"]
    assert "Aucun service ni aucune organisation ne change." in text["nothing"]
    for case in CASES:
        markdown = (GOLDEN / f"{case}.md").read_text(encoding="utf-8")
        flagged = [line for line in text[case].splitlines() if "(!)" in line]
        bold = [line for line in markdown.splitlines() if line.startswith("  - **")]
        assert len(flagged) == len(bold), case


# --- Markdown that hides nothing -----------------------------------------------------

HOSTILE = [
    "Adultes <!--",
    "Jeunes -->",
    "[x](javascript:alert(1))",
    "![img](https://evil.example/p.png)",
    "@someone",
    "#123",
    "<script>alert(1)</script>",
    "a `tick` and ``two``",
    "`",
    "col | col",
    "*em* _em_ **strong** ~~del~~",
    "https://evil.example/autolink",
    "<https://evil.example/angle>",
    "&lt;b&gt; &#64;x",
    "\\`escaped\\`",
]

_PARSER = MarkdownIt("gfm-like", {"html": True, "linkify": True})


def _inline(markdown: str) -> Iterator[Token]:
    for token in _PARSER.parse(markdown):
        if token.type == "inline":
            yield from token.children or []
        else:
            yield token


def _assert_structure_is_ours(markdown: str) -> None:
    tokens = list(_inline(markdown))
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "em_open", "s_open", "table_open"}, kinds
    for token in tokens:
        if token.type == "text":
            # Mentions and references are linked by GitHub in text, never in code.
            assert "@" not in token.content and "#" not in token.content, token.content


def _hostile_diff() -> RegistryDiff:
    change = RecordChange("service", "changed", "alpha-adults", HOSTILE[0], HOSTILE[1])
    for i, text in enumerate(HOSTILE):
        change.details.append(Detail((Step("contacts"), Step(text, quoted=True)), text, HOSTILE[-1 - i], True))
        change.details.append(Detail((Step("nom"),), ABSENT, {"fr": text, "nl": [text]}))
    return RegistryDiff([change, RecordChange("organisation", "removed", "x", "Nom\nsur deux lignes\u2028<!--")])


def test_markdown_keeps_every_user_text_literal() -> None:
    markdown = render(_hostile_diff(), "markdown")
    _assert_structure_is_ours(markdown)
    code_spans = [t.content for t in _inline(markdown) if t.type == "code_inline"]
    for text in HOSTILE:
        assert text in code_spans, text
    assert "Nom⏎sur deux lignes⟨U+2028⟩<!--" in code_spans
    lines = markdown.splitlines()
    assert all(line.startswith(("- ", "  - ", "## ")) for line in lines if line), lines


def test_text_keeps_one_line_per_change() -> None:
    text = render(_hostile_diff(), "text")
    assert "Nom⏎sur deux lignes⟨U+2028⟩<!--" in text
    assert all(line.startswith(("- ", "  - ")) for line in text.splitlines())


def test_hostile_names_cannot_hide_a_phone_change(repo: Path) -> None:
    """Two names that open and close an HTML comment around a phone change (issue 20, item 3)."""
    _edit(repo, ALPHA, "name: {fr: Accompagnement adultes, nl: Begeleiding volwassenen}", "name: Adultes <!--")
    _edit(repo, ALPHA, "name: Jeunes", "name: Jeunes -->")
    _edit(repo, ALPHA, '"+32 2 000 00 01"', '"+32 2 000 00 09"')
    objective = "[x](javascript:alert(1)) @someone #1 ![i](https://e.example/i.png) `a` | b <script>x</script>"
    _edit(repo, ALPHA, "objective: Concertation clinique pour les jeunes.", f"objective: '{objective}'")
    markdown = _diff(repo, "markdown")
    _assert_structure_is_ours(markdown)
    rendered = _PARSER.render(markdown)
    assert "+32 2 000 00 01" in rendered and "+32 2 000 00 09" in rendered
    assert "<!--" not in rendered and "<script>" not in rendered and "<a " not in rendered and "<img" not in rendered
    code_spans = [t.content for t in _inline(markdown) if t.type == "code_inline"]
    assert objective in code_spans


@pytest.mark.parametrize("text", ["`", "``", "a`", "`a", " a ", "a  b", "x``y`z", "", "\n", "\u200b", "<!--"])
def test_code_span_round_trip(text: str) -> None:
    tokens = [t for t in _inline(f"- {code(text)}") if t.type == "code_inline"]
    if text:
        assert [t.content for t in tokens] == [text.replace("\n", "⏎").replace("\u200b", "⟨U+200B⟩")]


# --- the comparison itself -----------------------------------------------------------


def test_a_field_added_later_is_compared() -> None:
    details = list(walk({"id": "x", "future_field": {"deep": 1}}, {"id": "x", "future_field": {"deep": 2}}))
    assert [(tuple(s.text for s in d.where), d.before, d.after) for d in details] == [(("future_field", "deep"), 1, 2)]


def test_lists_are_matched_by_identity() -> None:
    before = [{"kind": "phone", "value": "1", "visibility": "public"}, {"kind": "web", "value": "https://a.org"}]
    after = [{"kind": "web", "value": "https://a.org"}, {"kind": "phone", "value": "1", "visibility": "professional"}]
    details = list(walk(before, after))
    assert [(s.text, s.quoted) for s in details[0].where] == [("1", True), ("visibilité", False)]
    assert details[0].important
    assert details[1].reordered and not details[1].important


@pytest.mark.parametrize(
    ("before", "after", "important"),
    [
        ("Appeler le 02 123 45 67", "Appeler le 02 123 45 68", True),
        ("Écrire à a@example.org", "Écrire à b@example.org", True),
        ("Voir https://a.example.org", "Voir https://a.examp1e.org", True),
        ("Voir www.a.example.org", "Voir www.b.example.org", True),
        ("Appeler le 02 123 45 67.", "Appelez le 02 123 45 67 !", False),
        ("Vérifié le 2024-01-17", "Vérifié le 2024-01-18", False),
        ("fr-epci-200046977", "fr-epci-200046978", False),
    ],
)
def test_changes_to_a_way_to_reach_someone_are_flagged(before: str, after: str, important: bool) -> None:
    assert (reachable(before) != reachable(after)) is important
    assert [d.important for d in walk({"note": before}, {"note": after})] == [important]


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[str]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield name
        for inner in _models_in(info.annotation):
            yield from _fields(inner, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        yield from _models_in(argument)


def test_every_registry_field_has_a_french_name() -> None:
    roots: list[type[BaseModel]] = [
        models.Organisation,
        models.Source,
        models.Programme,
        models.VocabularyTerm,
        models.AgeBand,
    ]
    seen: set[type[BaseModel]] = set()
    names = {name for root in roots for name in _fields(root, seen)} - {"id"}
    assert models.Contact in seen and models.Address in seen and models.Delay in seen
    missing = sorted(names - set(FIELD_KEYS))
    assert not missing, f"give these fields a name in review.FIELD_KEYS (and the catalogues): {missing}"


def test_the_review_speaks_the_language_asked_for() -> None:
    # The words come from the catalogues (review.*); French stays the default.
    from generator.analysis.review import _field

    details = [
        Detail((_field("legal_form"),), "asbl", "vzw"),
        Detail((_field("contacts"),), ABSENT, {"kind": "phone", "value": "02"}, True),
    ]
    diff = RegistryDiff([RecordChange("organisation", "changed", "foo", "Foo", details=details)])
    assert render(diff) == (
        "- Organisation modifiée : Foo (`foo`)\n"
        "  - forme juridique : « asbl » → « vzw »\n"
        "  - (!) contacts : ajout : type : « phone », valeur : « 02 »\n"
    )
    assert render(diff, "text", "en") == (
        "- Organisation changed: Foo (`foo`)\n"
        "  - legal form: « asbl » → « vzw »\n"
        "  - (!) contacts: added: kind: « phone », value: « 02 »\n"
    )
    assert render(RegistryDiff([]), "markdown", "nl").startswith("## Wat dit voorstel in de gids verandert\n")
