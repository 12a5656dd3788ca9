"""The site's access to the interface's words, in French, Dutch and English.

Registry text comes with its own languages (``LocalizedText``); the words of the interface
are in the gettext catalogues of ``generator/locale/`` (a key missing in a language falls
back to French, so a new label never breaks a build). Dates are written by Babel from the
CLDR data.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

from .. import locale as words

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


def t(key: str, lang: str, **values: object) -> str:
    """The interface label ``key`` in ``lang`` (French when missing), with ``values`` filled in."""
    return words.t(key, lang, **values)


def tn(key: str, n: int, lang: str, **values: object) -> str:
    """A sentence about the count ``n``: its plural variant, ``n`` written as ``lang`` does
    (``generator.locale.tn``)."""
    return words.tn(key, n, lang, **values)


def nav_title(title: str, lang: str) -> str:
    """A navigation title of ``mkdocs.yml`` (French) in ``lang``; the catalogues hold them as
    ``nav.<French title>`` (``generator.locale.catalogues`` extracts them from ``mkdocs.yml``)."""
    key = words.NAV_PREFIX + title
    return words.t(key, lang) if words.has(key) else title


def date_text(day: dt.date, lang: str) -> str:
    """A date as people write it: « 1 janvier 2024 », « 1 januari 2024 », « 1 January 2024 »."""
    text = format_date(day, "d MMMM y", locale=lang if lang in words.LANGUAGES else words.SOURCE)
    return "1er" + text[1:] if lang == "fr" and day.day == 1 else text


def number(value: int, lang: str) -> str:
    """A count as people read it: « 27 610 », « 27.610 », « 27,610 » (Babel, CLDR)."""
    return format_decimal(value, locale=lang if lang in words.LANGUAGES else words.SOURCE)
