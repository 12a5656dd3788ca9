"""No interface word outside the catalogues in the browser's scripts and the templates.

Issue 23, item 1: every word a person reads comes from ``generator/locale/<lang>/…/maillage.po``.
The scripts of ``generator/site/assets/`` and ``generator/site/map_assets/`` take theirs from
``assets/maillage/words/<lang>.json`` (``t("js.key")``); the templates of ``overrides/``
from Jinja's i18n extension (``{{ _("key") }}``). This test reads them and fails on a
literal that looks like words:

- a JavaScript string literal (or a Jinja one) with a non-ASCII letter ("Fermé"), with two
  words or more ("Zoom in"), or given to something a person reads (``.title = "Trier"``,
  ``setAttribute("aria-label", …)``, ``{text: …}``);
- a template's text between tags, or its ``title``, ``aria-label``, ``placeholder`` or
  ``alt`` attribute, holding a word.

The first argument of ``t(…)``, ``N_(…)`` and ``_(…)`` is a key, not a word. Comments and
regular expressions are skipped. What remains and is not a word for a person (an id, a CSS
selector, a data format) goes in ``ALLOWED`` with its reason.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

SCRIPTS = (ROOT / "generator" / "site" / "assets", ROOT / "generator" / "site" / "map_assets")
TEMPLATES = ROOT / "overrides"

# (file relative to the repository, or "*" for every file; literal): why it is not an
# interface word.
ORIENT_JS = "generator/site/assets/orient.js"
ALLOWED: dict[tuple[str, str], str] = {
    ("*", "use strict"): "JavaScript's strict-mode directive",
    (ORIENT_JS, "unknown place '"): "the message of an Error for the console; the page shows js.orient.unknown_place",
    # The next three are not shown: orient.js finds the "who may ask" and "delay" lines among a
    # service's French steps by their start. Structured fields from the matcher would spare
    # it (and find them on Dutch and English pages too); until then they stay listed here.
    (ORIENT_JS, "Qui peut demander : "): "the start of a French step line, matched, not shown",
    (ORIENT_JS, "Délai de réponse : "): "the start of a French step line, matched, not shown",
    (ORIENT_JS, "à vérifier"): "the French value of a step line, compared, not shown",
    ("*", "tr, li"): "a CSS selector (the row that holds a list's star), not shown",
}

# Calls whose first argument is a key of the catalogues.
KEY_CALLS = {"t", "N_", "_", "gettext", "ngettext"}
# Where a script's literal is text a person reads, whatever it looks like.
SHOWN_PROPERTIES = {"title", "textContent", "innerText", "placeholder", "alt", "text", "label"}
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# After these a "/" starts a regular expression, not a division.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of", "new", "void"}
_NAME = re.compile(r"[\w$]+")
_WORD = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)*$")
_PUNCTUATION = ".,;:!?…\"'«»“”()[]"


def _words(text: str, separators: str = r"\s+") -> list[str]:
    """The tokens of ``text`` made of letters only (an inner apostrophe allowed), two or more."""
    tokens = (token.strip(_PUNCTUATION) for token in re.split(separators, text))
    return [token for token in tokens if len(token) >= 2 and _WORD.match(token)]


@dataclass(frozen=True)
class Literal:
    line: int
    text: str
    shown: bool  # in a place a person reads (.title = …, {text: …}, setAttribute("title", …))


@dataclass(frozen=True)
class Stray:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def allowed(path: str, text: str) -> bool:
    return (path, text) in ALLOWED or ("*", text) in ALLOWED


def looks_like_words(text: str, shown: bool = False) -> bool:
    """Whether ``text`` reads as interface words (see the module's docstring)."""
    if any(ord(ch) > 127 and unicodedata.category(ch).startswith("L") for ch in text):
        return True
    if len(_words(text)) >= 2:
        return True
    return shown and bool(_words(text, r"[\s\-_/]+"))


def _read_quoted(source: str, start: int) -> tuple[str, int]:
    """The string literal opening at ``start`` (its quote), and the index after it."""
    quote = source[start]
    out: list[str] = []
    i = start + 1
    while i < len(source) and source[i] != quote:
        if source[i] == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        out.append(source[i])
        i += 1
    return "".join(out), i + 1


def _skip_regex(source: str, start: int) -> int:
    i, in_class = start + 1, False
    while i < len(source) and source[i] != "\n":
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            i += 1
            while i < len(source) and (source[i].isalnum() or source[i] == "_"):
                i += 1
            return i
        i += 1
    return i


def js_literals(source: str) -> Iterator[Literal]:
    """The string literals of a script that are not keys (``t("key")``), with their line."""
    tokens: list[str] = []  # the significant tokens so far
    lines = [0] + [m.end() for m in re.finditer("\n", source)]  # where each line starts
    i = 0
    while i < len(source):
        ch = source[i]
        if ch.isspace():
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = len(source) if end < 0 else end + 2
        elif ch in "\"'`":
            line = bisect.bisect_right(lines, i)
            text, i = _read_quoted(source, i)
            is_key = len(tokens) >= 2 and tokens[-1] == "(" and tokens[-2] in KEY_CALLS
            shown = (len(tokens) >= 2 and tokens[-1] in ("=", ":") and tokens[-2] in SHOWN_PROPERTIES) or (
                len(tokens) >= 4
                and tokens[-1] == ","
                and tokens[-2][1:] in SHOWN_ATTRIBUTES
                and tokens[-4] == "setAttribute"
            )
            if not is_key:
                yield Literal(line, text, shown)
            tokens.append('"' + text)  # a literal's token: its text after a quote
        elif ch == "/" and (not tokens or tokens[-1] in _REGEX_AFTER):
            i = _skip_regex(source, i)
            tokens.append("/regex/")
        elif ch.isalpha() or ch in "_$":
            match = _NAME.match(source, i)
            assert match is not None
            tokens.append(match.group())
            i = match.end()
        else:
            tokens.append(ch)
            i += 1


def stray_js(path: str, source: str) -> list[Stray]:
    """The words a script holds outside ``t()``, less the allowed ones."""
    return [
        Stray(path, literal.line, literal.text)
        for literal in js_literals(source)
        if looks_like_words(literal.text, literal.shown) and not allowed(path, literal.text)
    ]


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_JINJA_STRING = re.compile(r"""(\b(?:_|gettext|ngettext)\(\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_ATTRIBUTE = re.compile(r"""\b([\w-]+)\s*=\s*("[^"]*"|'[^']*')""")
_TAG = re.compile(r"<[^>]*>", re.S)


def stray_template(path: str, source: str) -> list[Stray]:
    """The words a Jinja template holds outside ``_()``, less the allowed ones."""
    found: list[tuple[int, str]] = []

    def line_of(start: int) -> int:
        return source.count("\n", 0, start) + 1

    # The same length of blanks in place of what is cut, so lines keep their numbers.
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    def hide(match: re.Match[str]) -> str:
        for literal in _JINJA_STRING.finditer(match.group()):
            if not literal.group(1) and looks_like_words(literal.group(2)[1:-1]):
                found.append((line_of(match.start() + literal.start()), literal.group(2)[1:-1]))
        return re.sub(r"[^\n]", "\0", match.group())

    html = _HTML_COMMENT.sub(blank, _JINJA_COMMENT.sub(blank, source))
    html = _JINJA.sub(hide, html)
    for tag in _TAG.finditer(html):
        for attribute in _ATTRIBUTE.finditer(tag.group()):
            value = attribute.group(2)[1:-1].replace("\0", " ")
            if attribute.group(1) in SHOWN_ATTRIBUTES and looks_like_words(value, shown=True):
                found.append((line_of(tag.start() + attribute.start()), value))
    for text in re.finditer(r">([^<]+)<", html):
        value = text.group(1).replace("\0", " ")
        if looks_like_words(value, shown=True):
            found.append((line_of(text.start(1)), value.strip()))
    return [Stray(path, line, text) for line, text in sorted(found) if not allowed(path, text)]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- the checker, on snippets -------------------------------------------------------------


def test_the_checker_finds_words_in_a_script_and_lets_keys_ids_and_regexes_be() -> None:
    snippet = """
    // A comment with "Des mots" is not code.
    var FACETS = ["need", "self_referral"];  /* ids */
    var NAMES = { need: N_("js.search.need") };
    status.textContent = t("js.search.results0", n);
    node.setAttribute("class", "md-button maillage-search__clear");
    var re = /« ([^»]+) »/g, half = total / 2, quote = 'It\\'s "fine"';
    button.title = "Trier";
    el("p", { text: "Chargement" });
    node.setAttribute("aria-label", "Fermer");
    var shown = "Aucun résultat";
    var more = 'More results';
    var tpl = `Zoom ${where}`;
    """
    found = stray_js("snippet.js", snippet)
    assert [(s.line, s.text) for s in found] == [
        (7, 'It\'s "fine"'),
        (8, "Trier"),
        (9, "Chargement"),
        (10, "Fermer"),
        (11, "Aucun résultat"),
        (12, "More results"),
    ]


def test_the_checker_finds_words_in_a_template_and_lets_keys_and_comments_be() -> None:
    snippet = """{#- A comment: "Des mots" -#}
<!-- Pas ici non plus -->
<div data-status aria-live="polite">{{ _("js.search.start") }}</div>
<button aria-label="{{ lang.t('search.reset') }}" class="md-icon">Filtres</button>
<p title="Version pro">{{ "Bonjour à tous" if pro else "" }}</p>
<a href="{{ 'assets/x.css' | url }}">{{ page.title }}</a>
"""
    found = stray_template("snippet.html", snippet)
    assert [(s.line, s.text) for s in found] == [(4, "Filtres"), (5, "Bonjour à tous"), (5, "Version pro")]


def test_an_allowed_literal_is_not_reported() -> None:
    ALLOWED[("snippet.js", "Zoom in")] = "a test of the allow list"
    try:
        assert stray_js("snippet.js", 'var a = "Zoom in", b = "Zoom out";') == [Stray("snippet.js", 1, "Zoom out")]
    finally:
        del ALLOWED[("snippet.js", "Zoom in")]


# --- the shipped scripts and templates ----------------------------------------------------


def test_the_scripts_hold_no_interface_word() -> None:
    scripts = [path for folder in SCRIPTS for path in sorted(folder.glob("**/*.js"))]
    assert scripts
    found = [s for path in scripts for s in stray_js(_relative(path), path.read_text(encoding="utf-8"))]
    assert not found, "words outside t(): give them a js.* key (python3 -m generator.locale add)\n" + "\n".join(
        map(str, found)
    )


def test_the_templates_hold_no_interface_word() -> None:
    templates = sorted(TEMPLATES.glob("**/*.html"))
    assert templates
    found = [s for path in templates for s in stray_template(_relative(path), path.read_text(encoding="utf-8"))]
    assert not found, 'words outside _(): use {{ _("key") }} (python3 -m generator.locale add)\n' + "\n".join(
        map(str, found)
    )
