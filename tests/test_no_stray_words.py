"""No interface word outside the catalogues: the Python modules of the site, the analyses,
the registry, the exchanges and the command line hold keys (``t("for_whom", lang)``,
``msg("check.…", …)``), never the words themselves (issue #23, item 1).

``stray_words(path)`` reads a module's syntax tree and names every string literal that
looks like words a person reads. A literal is a stray when, once its markup is set aside
(HTML tags, the content of ``<style>`` and ``<script>``, ``{placeholders}``), it

- holds a run of two or more words separated by spaces (``"Tous les services"``), or
- holds a letter outside ASCII (``"Âge"``, ``"Télécharger"``), or
- held HTML tags and holds a word between them (``"<th>Services</th>"``).

These literals are not strays: docstrings; the key given to ``t``/``N_``/``_``; the
message of an exception (a ``raise``, or a call of a ``…Error``/``…Exception`` class: for
whoever reads the traceback, developers and maintainers) and of a ``log.*``/``warnings.warn``
call; Jinja's ``{% … %}`` and ``{{ … }}``; the ``description=`` of a field in the modules of
``DESCRIBED``; and the entries of ``ALLOWED`` (path, literal), each with its reason. An
f-string is read whole, its ``{…}`` fields as placeholders.

A single plain-ASCII word outside markup (``"services"``) is not caught: it cannot be told
from an id or a JSON key. Nor is a message raised as an exception: the command line must
put such a message into words itself (``InputError`` and ``PlaceError`` carry a catalogue
``Message``), which the tests of each command check.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from generator.cli import _CLICK_PLURALS, _CLICK_WORDS
from generator.locale.catalogues import KEYWORDS, extract_python
from generator.registry.yamlsource import _SYNTAX_CAUSES
from tests.conftest import ROOT

KEY_FUNCTIONS = frozenset(KEYWORDS)  # t, N_, _: what the extraction reads as keys
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical"})
LOGGERS = frozenset({"log", "logger", "logging", "LOG", "LOGGER"})

# (path under the repository, literal; an f-string with its fields as {}) -> why it is no
# interface word to translate.
_SERVE_LOG = "a line of mkdocs' serve log, for whoever maintains the site (mkdocs logs in English)"
_WORKER_FAILURE = "why a build's worker process failed: raised to the developer as the build's error"
_PYYAML = "PyYAML's own words, recognised in its error (never shown from here)"
_EXPORT_DATA = "data of the HSDS export, written in French like the registry it describes; no interface word"
ALLOWED: dict[tuple[str, str], str] = {
    ("generator/site/i18n.py", "Français"): "a language's own name (autonym): the same in every language",
    ("generator/site/build.py", "maillage site"): "the content of the marker file that tells a built site's folder",
    ("generator/site/parallel.py", "the process rendering pages stopped unexpectedly ({})"): _WORKER_FAILURE,
    ("generator/site/parallel.py", "the process building the pages stopped unexpectedly"): _WORKER_FAILURE,
    ("generator/site/search.py", "exit status {}"): "the end of a SearchIndexError's message, built before the raise",
    ("generator/site/plugin.py", "full rebuild"): _SERVE_LOG,
    (
        "generator/site/plugin.py",
        "maillage: the site still shows the last good build; fix the error above and save again",
    ): _SERVE_LOG,
    ("generator/site/serve_patch.py", "two providers make the same file"): _SERVE_LOG,
    (
        "generator/site/serve_patch.py",
        "a menu's page, a download or a page of the gap report comes or goes",
    ): _SERVE_LOG,
    ("generator/analysis/review.py", "\u115f\u1160\u3164\uffa0"): "Hangul fillers: invisible characters shown as marks",
    # --- the registry, the exchanges and the command line --------------------------------
    ("generator/registry/territories.py", "[\u115f\u1160\u3164\uffa0]"): "Hangul fillers: a regular expression",
    ("generator/registry/text.py", "œ"): "a ligature folded to 'oe' (a character, no word)",
    ("generator/registry/text.py", "æ"): "a ligature folded to 'ae' (a character, no word)",
    (
        "generator/registry/visible.py",
        "\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f"
        "\u0890\u0891\u08e2\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
        "\ud800-\udfff\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f",
    ): "the invisible characters, as a regular expression's class",
    ("generator/registry/yamlsource.py", "nesting depth"): _PYYAML,
    ("generator/registry/yamlsource.py", "but found another document"): _PYYAML,
    # The common syntax problems, as PyYAML words them, matched to our explanations.
    **{("generator/registry/yamlsource.py", words): _PYYAML for cause in _SYNTAX_CAUSES for words in cause[:2]},
    ("generator/registry/loader.py", "Value error, "): (
        "pydantic's prefix of a ValueError's message, taken off it (loader.py: another helper's file)"
    ),
    ("generator/exchange/geocode.py", "maillage/0.1 (open-source directory of social and mental-health services)"): (
        "the HTTP User-Agent the geocoding services ask for (Nominatim's usage policy), not shown to anyone"
    ),
    # Click's own messages (its gettext msgids), which cli.py maps to our cli.click.* keys.
    **{("generator/cli.py", msgid): "click's message id, looked up as a cli.click.* key" for msgid in _CLICK_WORDS},
    **{("generator/cli.py", msgid): "click's message id, looked up as cli.click.* keys" for msgid in _CLICK_PLURALS},
    ("generator/exchange/hsds/reader.py", "temporarily closed"): "an HSDS status value (data, not words)",
    # The French export's own data (its taxonomies' descriptions, the dataset's title), the
    # same whatever language the command speaks: no interface words.
    **{
        ("generator/exchange/hsds/writer.py", literal): _EXPORT_DATA
        for literal in (
            "Champs du registre Maillage sans équivalent HSDS ; le code du terme est le chemin du champ.",
            "Besoins couverts (vocabulaire « needs » de Maillage).",
            "Fonctions exercées (vocabulaire « functions » de Maillage).",
            "Situations de logement admises, d'après la typologie européenne ETHOS.",
            "Qui peut faire la demande (vocabulaire « referrers » de Maillage).",
            "Modalités d'intervention (vocabulaire « modalities » de Maillage).",
            "Documents dont proviennent les informations.",
            "Maillage — registre au format Open Referral HSDS 3.0",
        )
    },
}

# Modules whose fields' ``description=`` are not read, and why.
DESCRIBED: dict[str, str] = {
    # Another helper adds fields there (issue #23); tell the coordinator before moving them.
    "generator/registry/models.py": (
        "the JSON Schema's descriptions (schema/registry.schema.json), French for the maintainers "
        "who write the registry's French YAML in their editor; not yet in the catalogues"
    ),
}

# Modules this test does not read yet, and why.
SKIPPED: dict[str, str] = {}

_TAG = re.compile(r"(?<!\?P)<[A-Za-z/!][^<>]*>")  # not a regular expression's (?P<name>
_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_RAW_ELEMENT = re.compile(r"<(style|script)\b[^>]*>.*?(</\1>|$)", re.S | re.I)
_PLACEHOLDER = re.compile(r"\{[\w.!:,\[\]]*\}")
_WORD_RUN = re.compile(r"(?<![\w'./:#@=&%-])[^\W\d_]{2,}(?: +[^\W\d_]{2,})+(?![\w/:=-])")
_WORD = re.compile(r"[^\W\d_]{2,}")
_NOT_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def looks_like_words(text: str) -> bool:
    """Whether a literal's text reads as interface words (the module docstring's rules)."""
    text = _JINJA.sub(" ", _RAW_ELEMENT.sub(" ", text))
    had_tags = bool(_TAG.search(text))
    text = _PLACEHOLDER.sub(" ", _TAG.sub(" \x00 ", text))
    if _NOT_ASCII_LETTER.search(text) or _WORD_RUN.search(text):
        return True
    return had_tags and bool(_WORD.search(text))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        # An attribute's docstring: a bare string right after an assignment.
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            if not isinstance(statements, list):
                continue
            for before, after in itertools.pairwise(statements):
                if (
                    isinstance(before, ast.Assign | ast.AnnAssign)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                ):
                    found.add(id(after.value))
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _exempt(tree: ast.AST, descriptions: bool = False) -> set[int]:
    """Nodes whose strings are no interface words: keys, raised and logged messages (and
    the ``description=`` of fields, when ``descriptions``)."""
    exempt: set[int] = set()

    def everything_in(node: ast.AST) -> None:
        exempt.update(id(inner) for inner in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            everything_in(node.exc)
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            if name.endswith(("Error", "Exception")):  # an exception made before it is raised
                everything_in(node)
            if name in KEY_FUNCTIONS and node.args:
                exempt.add(id(node.args[0]))
            func = node.func
            logged = (
                isinstance(func, ast.Attribute)
                and func.attr in LOG_METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id in LOGGERS
            )
            if logged or name == "warn":
                for arg in node.args:
                    everything_in(arg)
            if descriptions:
                exempt.update(id(k.value) for k in node.keywords if k.arg == "description")
    return exempt


def _literals(tree: ast.AST) -> Iterator[tuple[ast.expr, str]]:
    """Every string literal with its text; an f-string whole, its fields as ``{}``."""
    parts_of_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts_of_fstrings.update(id(value) for value in node.values)
            for value in node.values:
                if isinstance(value, ast.FormattedValue) and value.format_spec is not None:
                    parts_of_fstrings.update(id(inner) for inner in ast.walk(value.format_spec))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in parts_of_fstrings:
            yield node, "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts_of_fstrings:
            yield node, node.value


def stray_words(
    path: Path,
    allowed: Mapping[tuple[str, str], str] = ALLOWED,
    root: Path = ROOT,
    source: str | None = None,
    described: Mapping[str, str] = DESCRIBED,
) -> list[str]:
    """``"path:line: 'literal'"`` for every literal of the module at ``path`` that looks like
    interface words and is not exempt (keys, docstrings, raised or logged messages, ``allowed``)."""
    name = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    skip = _docstrings(tree) | _exempt(tree, name in described)
    found = []
    for node, text in _literals(tree):
        if id(node) in skip or (name, text) in allowed or not looks_like_words(text):
            continue
        found.append(f"{name}:{node.lineno}: {text!r}")
    return sorted(found, key=lambda line: int(line.split(":")[1]))


def modules() -> list[Path]:
    """The modules this test reads: the site's, the analyses', the registry's, the exchanges'
    (HSDS, data·inclusion, spreadsheet, geocoding) and the command line."""
    package = ROOT / "generator"
    found = [
        *sorted((package / "site").glob("*.py")),
        *sorted((package / "analysis").glob("*.py")),
        *sorted((package / "registry").glob("*.py")),
        *sorted((package / "exchange").rglob("*.py")),
        package / "cli.py",
    ]
    return [path for path in found if path.relative_to(ROOT).as_posix() not in SKIPPED]


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_interface_word_outside_the_catalogues(path: Path) -> None:
    # Move the words to a key: python3 -m generator.locale add KEY fr='…' nl='…' en='…'
    assert stray_words(path) == []


def test_every_allowed_literal_is_still_there() -> None:
    # An entry whose literal is gone would quietly allow it again later.
    for module, literal in ALLOWED:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        assert any(text == literal for _, text in _literals(tree)), (module, literal)


SYNTHETIC = '''
"""A module docstring: « Pour qui ? » is fine here."""
from generator.locale import t, N_

SECTIONS = (N_("for_whom"), N_("how_to_ask"))
CSS = "<style>.x { text-align: center; font: inherit }</style>"


def page(lang):
    """A docstring with words is fine."""
    if lang is None:
        raise ValueError("no language given for this page")
    heading = "<h2>Pour qui ?</h2>"
    title = "Tous les services"
    age = "Âge"
    cell = "<th>Services</th>"
    built = f"<p>{t('downloads.intro', lang)}</p><p>Voir la carte {lang}</p>"
    fine = f'<div class="maillage-section maillage-gaps" id="zones-grises">{heading}</div>'
    return heading, title, age, cell, built, fine, t("for_whom", lang), CSS
'''


def test_the_checker_flags_interface_words_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "generator" / "site" / "page.py"
    path.parent.mkdir(parents=True)
    path.write_text(SYNTHETIC, encoding="utf-8")
    found = stray_words(path, root=tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == [
        "'<h2>Pour qui ?</h2>'",
        "'Tous les services'",
        "'Âge'",
        "'<th>Services</th>'",
        "'<p>{}</p><p>Voir la carte {}</p>'",
    ]
    assert found[0].startswith("generator/site/page.py:13: ")
    allowed = {("generator/site/page.py", "Tous les services"): "a test's reason"}
    assert len(stray_words(path, allowed, root=tmp_path)) == 4


def test_the_extraction_sees_keys_inside_f_strings() -> None:
    # The checker lets a key through; the catalogue test must then see it asked for.
    source = b'x = f"<h2>{t(\'for_whom\', lang)}</h2>"\ny = N_("status.active")\nz = words.t("since", lang)\n'
    found = [key for _, _, key, _ in extract_python(io.BytesIO(source), {"t": None, "N_": None}, [], {})]
    assert found == ["for_whom", "status.active", "since"]


def test_a_described_modules_field_descriptions_are_let_through_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "generator" / "registry" / "models.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        'from pydantic import Field\nname: str = Field(description="Nom du service.")\nother = "Nom du service"\n',
        encoding="utf-8",
    )
    described = {"generator/registry/models.py": "a test's reason"}
    assert [line.split(": ", 1)[1] for line in stray_words(path, root=tmp_path, described=described)] == [
        "'Nom du service'"
    ]
    assert len(stray_words(path, root=tmp_path, described={})) == 2
    assert all((ROOT / module).is_file() for module in DESCRIBED)
