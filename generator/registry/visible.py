"""Characters that do not show: refused in the registry's texts, escaped in its messages.

One rule for every text and every web address of the registry: no character that is
invisible or that reorders text, since a name carrying one can impersonate another and a
link carrying one can lead elsewhere than it reads. The characters are Unicode's controls
(Cc), format characters (Cf: bidi controls, zero-width characters, soft hyphen, tags…),
surrogates (Cs), line and paragraph separators (Zl, Zp), with the whole tag block and the
invisible operators block (some of their code points are unassigned), and the letters
drawn as nothing: the Hangul fillers and the combining grapheme joiner. Tab and newline
are allowed in multi-line texts only.

Written out rather than derived from ``unicodedata`` so that a file passes or fails alike
under every Python; tests/test_models.py checks that the list covers the running Python's
Unicode database.
"""

from __future__ import annotations

import re

_INVISIBLE = (
    "\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ud800-\udfff\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
INVISIBLE_IN_PARAGRAPH = re.compile(f"[{_INVISIBLE}]")
"""An invisible character in a multi-line text (where tab and newline are allowed)."""
INVISIBLE_IN_LINE = re.compile(f"[{_INVISIBLE}\t\n]")
"""An invisible character, or a tab or a newline, in a one-line text."""


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown(text: str) -> str:
    """``text`` with its invisible characters (newlines and tabs kept) written as escapes."""
    return INVISIBLE_IN_PARAGRAPH.sub(_escaped, text)
