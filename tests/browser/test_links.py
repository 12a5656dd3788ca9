"""Every link of the real registry's site leads to a file of the site.

mkdocs checks the links of Markdown; the generated pages' links are raw HTML, which it
does not see. A page of the gap report in Dutch linking to a Dutch territory page that
only exists in French was a 404 for its readers: this walks the built site as a browser
would follow it (no browser needed).
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "href" or (name == "src" and tag in {"img", "script", "iframe"})):
                self.found.append(value)


def _target(site: Path, page: Path, link: str) -> Path | None:
    """The file ``link`` on ``page`` leads to; None for a link off the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # another site, mailto:, tel:, data:, or an anchor of the page itself
    base = "/" + page.relative_to(site).as_posix()
    path = unquote(urlsplit(urljoin(base, parts.path)).path)
    target = site / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def test_every_link_of_the_real_site_leads_to_one_of_its_files(built_site: Path) -> None:
    broken: Counter[str] = Counter()
    examples: dict[str, str] = {}
    pages = [p for p in built_site.rglob("*.html") if "pagefind" not in p.relative_to(built_site).parts]
    checked = 0
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            target = _target(built_site, page, link)
            if target is None:
                continue
            checked += 1
            if not target.exists():
                where = page.relative_to(built_site).parts[0]
                broken[where] += 1
                examples.setdefault(where, f"{page.relative_to(built_site)} -> {link}")
    assert len(pages) > 1000 and checked > 50_000  # the whole site was walked
    assert not broken, f"broken links by section: {dict(broken)}; e.g. {examples}"
