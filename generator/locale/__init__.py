"""The interface's words, from one gettext catalogue per language.

``generator/locale/<lang>/LC_MESSAGES/maillage.po`` holds every word of the interface: the
site's pages and templates, the JavaScript's labels (given to the browser as a compiled
``assets/maillage/words/<lang>.json``), the command line's messages and help.

Message ids are **stable keys** (``"for_whom"``, ``"js.search.results0"``), not French
sentences: the same key is shared by Python, the Jinja templates and the JavaScript, and a
coordinator can reword the French (``fr/…/maillage.po``) without touching code or making
every Dutch and English translation fuzzy. Translators see the French next to the key in
Poedit or Weblate (``fr.po`` is the monolingual base file).

A catalogue is compiled (read and checked by Babel) the first time a process asks for
it: ``maillage build`` and ``maillage serve`` show an edited ``.po`` at once. A key
missing in a language falls back to French, then to the key itself, so a new word never
breaks a build; ``tests/test_catalogues.py`` fails when one is missing or stale.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("fr", "nl", "en")
SOURCE = "fr"
DOMAIN = "maillage"
HERE = Path(__file__).resolve().parent

# Keys whose translations the browser needs: written as assets/maillage/words/<lang>.json.
JS_PREFIX = "js."
# Keys the site needs in every language; the others (the command line's) need French and
# English at least (Dutch falls back to French).
CLI_PREFIXES = ("cli.", "check.")
# The navigation titles of mkdocs.yml, by their French title.
NAV_PREFIX = "nav."


# A directory's own words: ``locale/<lang>/LC_MESSAGES/maillage.po`` beside its
# ``mkdocs.yml`` overrides the shipped keys it gives (a team rewords a label without forking).
_project: list[Path] = []


def po_path(lang: str, root: Path = HERE) -> Path:
    """The catalogue file of ``lang`` (the shipped one, or under a project's ``root/locale``)."""
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def use_project(root: Path | None) -> None:
    """Reads the words of the project at ``root`` (``root/locale/``) over the shipped ones."""
    _project[:] = [root / "locale"] if root is not None and (root / "locale").is_dir() else []
    reload()


def _read(path: Path, lang: str) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=lang, domain=DOMAIN)
    return {
        str(message.id): str(message.string)
        for message in parsed
        if message.id and isinstance(message.string, str) and message.string and not message.fuzzy
    }


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """``{key: text}`` of ``lang``: translated, non-fuzzy entries, the project's over ours."""
    words = _read(po_path(lang), lang)
    for root in _project:
        words.update(_read(po_path(lang, root), lang))
    return words


def lookup(key: str, lang: str) -> str | None:
    """The text of ``key`` in ``lang``, else in French, else ``None``."""
    found = catalogue(lang).get(key) if lang in LANGUAGES else None
    return found if found is not None else catalogue(SOURCE).get(key)


def t(key: str, lang: str = SOURCE, **values: object) -> str:
    """The interface word ``key`` in ``lang`` (French when missing), ``values`` filled in."""
    text = lookup(key, lang)
    if text is None:
        return key
    return text.format(**values) if values else text


def plural_key(key: str, n: int, lang: str = SOURCE) -> str:
    """``key``'s variant for the count ``n`` in ``lang``: ``key.one`` or ``key.other`` (the
    CLDR plural category, by Babel: French says « 0 service, 1 service, 2 services », Dutch
    and English « 0 diensten, 1 dienst »); ``key.other`` when the category has no entry
    (French « many », for millions), and ``key`` itself when it has no variants."""
    from babel.core import Locale

    form = Locale.parse(lang if lang in LANGUAGES else SOURCE).plural_form(n)
    for variant in (f"{key}.{form}", f"{key}.other"):
        if lookup(variant, lang) is not None:
            return variant
    return key


def tn(key: str, n: int, lang: str = SOURCE, **values: object) -> str:
    """``t`` for a sentence about a count: ``n``'s plural variant (``plural_key``), with
    ``{n}`` written as ``lang`` writes numbers (« 27 610 », « 27.610 », « 27,610 »)."""
    from babel.numbers import format_decimal

    shown = format_decimal(n, locale=lang if lang in LANGUAGES else SOURCE)
    return t(plural_key(key, n, lang), lang, n=shown, **values)


def has(key: str) -> bool:
    """Whether the French catalogue knows ``key``."""
    return key in catalogue(SOURCE)


def N_(key: str) -> str:
    """Marks ``key`` for extraction where it is only built at run time (``t(prefix + x)``)."""
    return key


def browser_words(lang: str) -> dict[str, str]:
    """The ``js.`` keys in ``lang`` (French when missing), for the browser."""
    french = catalogue(SOURCE)
    own = catalogue(lang)
    return {key: own.get(key, text) for key, text in sorted(french.items()) if key.startswith(JS_PREFIX)}


def browser_json(lang: str) -> bytes:
    """``browser_words`` as the compact JSON the site serves."""
    return json.dumps(browser_words(lang), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


_speaking: list[str] = []


def speaking() -> str:
    """The language of the command under way (``maillage --lang``, the locale), else French:
    what the mkdocs plugin's messages are written in when the command line runs it."""
    return _speaking[-1] if _speaking else SOURCE


@contextlib.contextmanager
def speak(lang: str) -> Iterator[None]:
    """Within this block, ``speaking()`` is ``lang``."""
    _speaking.append(lang)
    try:
        yield
    finally:
        _speaking.pop()


def reload() -> None:
    """Forgets the compiled catalogues (``maillage serve`` after a ``.po`` edit)."""
    catalogue.cache_clear()
