"""Small text helpers every layer uses: folding for comparison, the closest name, YAML paths.

One copy of each, here in the lowest layer, so that a name typed in a spreadsheet, a place
typed in the orientation page and a word of a service page fold the same way.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Iterable
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_OUTSIDE_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=1024)
def _outside_ascii(run: str) -> str:
    """A run of non-ASCII characters: nothing if all are accents, else a word break."""
    return "" if all(unicodedata.combining(c) for c in run) else " "


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation as spaces: 'Saint-Étienne' -> 'saint etienne'.

    Any other letter outside ASCII breaks the word ('Søren' -> 's ren'), as ``fold`` of
    ``assets/orient.js`` does, which the orientation page runs on what a person types.
    Only runs of non-ASCII characters reach Python code, so most of a French text is
    folded in C.
    """
    plain = unicodedata.normalize("NFKD", text.casefold()).replace("œ", "oe").replace("æ", "ae")
    plain = _OUTSIDE_ASCII.sub(lambda run: _outside_ascii(run.group()), plain)
    return _NOT_WORD.sub(" ", plain).strip()


def closest(value: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of ``known`` closest to ``value``, if any is close enough (difflib's ratio)."""
    found = difflib.get_close_matches(value, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def dotted(loc: Iterable[Hashable]) -> str:
    """A position in a YAML document as people read it: ``services[0].name``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
