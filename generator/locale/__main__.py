"""``python3 -m generator.locale update|check|add``: the catalogues' maintenance commands.

- ``update``: adds the keys the code now asks for to every ``.po`` (empty), moves the keys
  it no longer asks for to the obsolete entries; run it after adding a word to the code.
- ``check``: lists the missing, empty and stale keys (what ``tests/test_catalogues.py``
  checks); exit 1 when there is one.
- ``add KEY fr=… nl=… en=…``: writes one key's texts.
"""

from __future__ import annotations

import sys

from . import CLI_PREFIXES, LANGUAGES, catalogue
from .catalogues import add, extract, update


def problems() -> list[str]:
    """What is wrong with the catalogues, one line each."""
    wanted = extract()
    out = []
    for lang in LANGUAGES:
        have = catalogue(lang)
        for key in sorted(wanted):
            needed = lang != "nl" or not key.startswith(CLI_PREFIXES)
            if needed and key not in have:
                out.append(f"{lang}: missing {key!r} (asked for at {wanted[key][0]})")
        for key in sorted(set(have) - set(wanted)):
            out.append(f"{lang}: stale {key!r} (no code asks for it)")
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        for lang, (added, gone) in update().items():
            print(f"{lang}: {len(added)} added, {len(gone)} made obsolete")
            for key in added:
                print(f"  + {key}")
            for key in gone:
                print(f"  - {key}")
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        print("\n".join(found) or "The catalogues are complete.")
        return 1 if found else 0
    if argv[:1] == ["add"] and len(argv) >= 3:
        texts = dict(arg.split("=", 1) for arg in argv[2:])
        add(argv[1], texts)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
