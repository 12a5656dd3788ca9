"""A built site's bytes by part: HTML pages by language and section, redirect pages apart,
downloads, the Pagefind index, other files (bench/README.md, "National scale").

Usage: ``python3 bench/site_parts.py SITE``
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

REDIRECT_MARK = b'http-equiv="refresh"'


def part(site: Path, path: Path) -> str:
    """The part of ``site`` that ``path`` belongs to, e.g. ``nl territories redirects``."""
    rel = path.relative_to(site).parts
    if rel[0] in ("pagefind", "downloads"):
        return rel[0]
    if path.suffix != ".html":
        return "other files"
    lang = rel[0] if rel[0] in ("nl", "en") else "fr"
    section = rel[1] if lang != "fr" and len(rel) > 2 else (rel[0] if len(rel) > 1 else "root")
    size = path.stat().st_size
    # Redirects: the old territory URLs (under 1 KB), and a national directory's Dutch and
    # English URLs of French-only services (a few KB: their search words, see
    # docs/national-scale.md).
    redirect = size < 16000 and REDIRECT_MARK in path.read_bytes()[:1500]
    return f"{lang} {section}{' redirects' if redirect else ''}"


def main() -> None:
    site = Path(sys.argv[1])
    files: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for path in site.rglob("*"):
        try:
            if path.is_file() and not path.relative_to(site).parts[0].startswith("."):
                name = part(site, path)
                files[name] += 1
                sizes[name] += path.stat().st_size
        except FileNotFoundError:  # a build under way (its work folders come and go)
            continue
    for name in sorted(files, key=lambda n: -sizes[n]):
        print(f"| {name} | {files[name]:,} | {sizes[name] / 1e6:,.1f} MB |")
    pages = sum(n for name, n in files.items() if name[:2] in ("fr", "nl", "en") and "redirect" not in name)
    print(f"whole: {sum(files.values()):,} files, {sum(sizes.values()) / 1e6:,.1f} MB; pages {pages:,}")


if __name__ == "__main__":
    main()
