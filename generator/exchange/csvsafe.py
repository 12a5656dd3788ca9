"""CSV cells a spreadsheet shows as text and never evaluates as a formula."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Numbers and phone numbers ("+32 2 880 29 80", "-20.88") start with + or - but hold no
# function a spreadsheet could call: they stay as they are, so the data stays usable.
_PLAIN_DATA = re.compile(r"[+-]?[0-9][0-9 .()/-]*")


def neutralise(cell: str) -> str:
    """``cell``, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_DATA.fullmatch(cell):
        return "'" + cell
    return cell
