"""The templates' words: ``{{ _("key") }}`` in ``overrides/`` reads the gettext catalogues.

Jinja's i18n extension (the one mkdocs already adds for its own themes) is given our own
``gettext`` and ``ngettext``: a key is looked up with ``generator.locale.t`` in the page's
language (``page.meta.maillage_lang``, else the theme's, as ``overrides/main.html`` chooses),
so one environment renders French, Dutch and English pages. Material's words stay its own
(``lang.t(...)``, from its ``partials/languages/``).

The callables are "new style" (``newstyle=True``): ``{{ _("js.search.resultsN", n=3) }}``
fills the catalogue's ``{n}``, and Babel's jinja2 extractor sees the key
(``generator/locale/catalogues.py``).
"""

from __future__ import annotations

import re
from typing import Any

import jinja2

from .. import locale

_FIELD = re.compile(r"\{(\w+)\}")


def page_lang(context: Any) -> str:
    """The language of the page being rendered (the theme's for pages without one)."""
    page = context.get("page")
    meta = getattr(page, "meta", None) or {}
    lang = meta.get("maillage_lang") if isinstance(meta, dict) else None
    if lang:
        return str(lang)
    config = context.get("config")
    theme = getattr(config, "theme", None)
    try:
        return str(theme["language"]) if theme is not None else locale.SOURCE
    except (KeyError, TypeError):
        return locale.SOURCE


def _percent(text: str) -> str:
    """A catalogue text (``str.format`` fields) as the %-format new-style gettext fills."""
    return _FIELD.sub(r"%(\1)s", text.replace("%", "%%"))


@jinja2.pass_context
def gettext(context: Any, key: str) -> str:
    """``_("key")``: the word in the page's language (French when missing, else the key)."""
    return _percent(locale.t(key, page_lang(context)))


@jinja2.pass_context
def ngettext(context: Any, singular: str, plural: str, number: int) -> str:
    """``ngettext("key.one", "key.many", n)``: the first key for one, the second otherwise."""
    return _percent(locale.t(singular if number == 1 else plural, page_lang(context)))


def install(env: jinja2.Environment) -> None:
    """Gives ``env``'s templates ``_``, ``gettext`` and ``ngettext`` over the catalogues."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)  # type: ignore[attr-defined]
