"""Extracting the interface's keys from the code, and keeping the ``.po`` files in step.

Babel extracts every key the code asks for: ``t("key", …)``, ``N_("key")`` and ``msg("key", …)``
(a problem's message) in Python, ``_("key")`` in the Jinja templates of ``overrides/``,
``t("js.key")`` in the JavaScript of ``generator/site/assets/``, and the navigation titles of ``mkdocs.yml``. ``update``
adds the new keys to every catalogue (empty: the test then names them), keeps what
translators wrote, and moves keys the code no longer asks for to the obsolete ``#~``
entries, so nothing written is lost. Run it as ``python3 -m generator.locale update``.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LANGUAGES, NAV_PREFIX, SOURCE, po_path, reload

ROOT = Path(__file__).resolve().parents[2]

METHODS = [
    ("generator/**.py", "generator.locale.catalogues:extract_python"),
    ("overrides/**.html", "jinja2"),
    ("generator/site/assets/**.js", "javascript"),
    ("mkdocs.yml", "generator.locale.catalogues:extract_nav"),
]
# ``msg("check.…", …)``: a problem's message (registry/problems.py), put into words when printed.
KEYWORDS: dict[str, Any] = {"t": None, "N_": None, "_": None, "msg": None}


def extract_python(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for Python: ``t("key", …)`` and ``N_("key")`` by the syntax tree.

    Babel's own ``python`` method reads tokens, and before Python 3.12 an f-string is one
    token: ``f"<h2>{t('for_whom', lang)}</h2>"`` would go unseen (and seen on 3.12), so the
    extraction would depend on the interpreter. The tree sees a call wherever it is.
    """
    calls = [node for node in ast.walk(ast.parse(fileobj.read())) if isinstance(node, ast.Call) and node.args]
    for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        first = node.args[0]
        if name in keywords and isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, name, first.value, []


def extract_nav(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for ``mkdocs.yml``: its navigation titles, as ``nav.<title>``."""
    data = yaml.safe_load(fileobj.read()) or {}

    def titles(nav: Any) -> Iterator[str]:
        for item in nav if isinstance(nav, list) else []:
            if isinstance(item, dict):
                for title, value in item.items():
                    yield str(title)
                    yield from titles(value)

    for title in titles(data.get("nav")):
        yield 0, "_", NAV_PREFIX + title, []


def extract(root: Path = ROOT) -> dict[str, list[str]]:
    """``{key: ["file:line", …]}`` of every key the code, templates and scripts ask for."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), METHODS, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        key = message if isinstance(message, str) else message[0] if message else None
        if key:
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def read(lang: str) -> Catalog:
    """The catalogue file of ``lang`` as Babel reads it (an empty one when absent)."""
    path = po_path(lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="Maillage")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def write(lang: str, catalog: Catalog) -> None:
    """Writes ``catalog`` sorted by key, without line references (no churn when code moves)."""
    catalog.project = "Maillage"
    catalog.fuzzy = False
    french = {str(m.id): str(m.string) for m in read(SOURCE) if m.id} if lang != SOURCE else {}
    for message in catalog:
        if message.id and lang != SOURCE:
            source = french.get(str(message.id), "")
            message.auto_comments = [f"fr: {source}"] if source else []
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, sort_output=True, omit_header=False)
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    reload()


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """One writer of the catalogues at a time."""
    lock = po_path(SOURCE).parents[2] / ".catalogues.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def add(key: str, texts: dict[str, str]) -> None:
    """Adds or rewords ``key`` in the catalogues of ``texts``' languages."""
    with locked():
        for lang in (SOURCE, *[lang for lang in LANGUAGES if lang != SOURCE]):
            if lang not in texts:
                continue
            catalog = read(lang)
            existing = catalog.get(key)
            if existing is not None:
                existing.string = texts[lang]
                existing.flags.discard("fuzzy")
            else:
                catalog.add(key, texts[lang])
            write(lang, catalog)


def update(keys: Iterable[str] | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """Brings every catalogue in step with the code: ``{lang: (added, made obsolete)}``."""
    wanted = set(extract() if keys is None else keys)
    report = {}
    with locked():
        for lang in LANGUAGES:
            catalog = read(lang)
            have = {str(m.id) for m in catalog if m.id}
            added = sorted(wanted - have)
            gone = sorted(have - wanted)
            for key in added:
                old = catalog.obsolete.pop(key, None)
                catalog.add(key, old.string if old is not None else "")
            for key in gone:
                message = catalog[key]
                if message is not None:
                    catalog.obsolete[key] = message
                    catalog.delete(key)
            write(lang, catalog)
            report[lang] = (added, gone)
    return report
