"""Every link of the real registry's site leads to a file of the site.

mkdocs checks the links of Markdown; the generated pages' links are raw HTML, which it
does not see. A page of the gap report in Dutch linking to a Dutch territory page that
only exists in French was a 404 for its readers: this walks the built site as a browser
would follow it (no browser needed).

The links are read the way ``html.parser`` reads them (tag and attribute names without
case, values quoted or bare, character references decoded, nothing inside comments,
``<script>`` or ``<style>``), by regular expressions: the site's 90 MB of HTML in seconds
instead of a minute. ``test_the_reader_finds_what_html_parser_finds`` keeps the two
readings equal.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# Comments, and the raw text of <script> and <style> (their opening tag is kept: a script's src).
_HIDDEN = re.compile(r"<(?:!--.*?-->|((script|style)\b[^>]*>).*?</\2\s*>)", re.S | re.I)
# A start tag: its name, then its attributes up to the first ">" outside quotes.
_TAG = re.compile(r"""<([a-zA-Z][^\t\n\r\f />\x00]*)((?:[^>"']+|"[^"]*"|'[^']*')*)>""")
# One attribute, as html.parser's attrfind_tolerant reads it.
_ATTR = re.compile(r"""([^\s/>=][^\s/=>]*)(?:\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")
SOURCES = {"img", "script", "iframe"}  # the tags whose src is a link to follow


def links(text: str) -> list[str]:
    """Every ``href``, and the ``src`` of images, scripts and frames, in document order."""
    found: list[str] = []
    for name, attrs in _TAG.findall(_HIDDEN.sub(lambda m: "<" + m.group(1) if m.group(1) else "", text)):
        lowered = attrs.lower()
        if "href" not in lowered and "src" not in lowered:
            continue
        name = name.lower()
        for key, value in _ATTR.findall(attrs):
            key = key.lower()
            if not value or not (key == "href" or (key == "src" and name in SOURCES)):
                continue
            if value[0] in "'\"":
                value = value[1:-1]
            if value:
                found.append(html.unescape(value))
    return found


class _Links(HTMLParser):
    """The same links read by ``html.parser`` (slow: the reference ``links`` is checked against)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "href" or (name == "src" and tag in SOURCES)):
                self.found.append(value)


def _paths(site: Path) -> set[str]:
    """Every file and folder of the site, relative to it ("" for the site itself)."""
    found = {""}
    for folder, folders, files in os.walk(site):
        relative = Path(folder).relative_to(site).as_posix()
        prefix = "" if relative == "." else relative + "/"
        found.update(prefix + name for name in (*folders, *files))
    return found


@functools.cache
def _path(link: str) -> str | None:
    """The path of ``link``; None for a link off the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # another site, mailto:, tel:, data:, or an anchor of the page itself
    return parts.path


def _target(base: str, link: str) -> str | None:
    """The site-relative path ``link`` on the page at ``base`` leads to; None off the site."""
    path = _path(link)
    if path is None:
        return None
    path = unquote(urlsplit(urljoin(base, path)).path).lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts]


def test_every_link_of_the_real_site_leads_to_one_of_its_files(built_site: Path) -> None:
    broken: Counter[str] = Counter()
    examples: dict[str, str] = {}
    pages = _pages(built_site)
    exists = _paths(built_site)
    checked = 0
    for page in pages:
        base = "/" + page.relative_to(built_site).as_posix()
        for link in links(page.read_text(encoding="utf-8")):
            target = _target(base, link)
            if target is None:
                continue
            checked += 1
            if target not in exists:
                where = page.relative_to(built_site).parts[0]
                broken[where] += 1
                examples.setdefault(where, f"{page.relative_to(built_site)} -> {link}")
    assert len(pages) > 1000 and checked > 50_000  # the whole site was walked
    assert not broken, f"broken links by section: {dict(broken)}; e.g. {examples}"


def test_the_reader_finds_what_html_parser_finds(built_site: Path) -> None:
    """``links`` reads what ``html.parser`` reads: on tricky markup, and on one page of each
    section and depth of the real site (a section's index and its pages: every template's
    markup, in each language)."""
    tricky = (
        '<!-- <a href="commented.html"> --><A HREF=bare.html title="a > b">x</A>'
        "<script src='s.js'>var a = '<a href=\"in-script.html\">';</script>"
        '<style>a[href="in-style.html"]{}</style><img alt=x src="i.png?a=1&amp;b=2">'
        '<iframe src="f.html"></iframe><link rel=stylesheet href="/c.css"><video src="v.mp4">'
        '<a href=\'\'>empty</a><area href="m.html"/><a\nhref="multi-line.html"\n>y</a>'
    )
    samples = {tricky: "tricky"}
    seen: set[str] = set()
    for page in sorted(_pages(built_site)):
        parts = page.relative_to(built_site).parts
        section = "/".join(parts[:2] if parts[0] in ("nl", "en") else parts[:1]) + f" ({len(parts)})"
        if section not in seen:
            seen.add(section)
            samples[page.read_text(encoding="utf-8")] = section
    assert len(samples) > 20
    for text, where in samples.items():
        parser = _Links()
        parser.feed(text)
        parser.close()
        assert links(text) == parser.found, where
    assert links(tricky) == ["bare.html", "s.js", "i.png?a=1&b=2", "f.html", "/c.css", "m.html", "multi-line.html"]
