"""Safe HTML for generated pages: every registry text goes through here.

Registry text is written by maintainers through pull requests; it is never trusted as
Markdown or HTML. Pages are Markdown files made mostly of raw HTML blocks (Markdown does
not touch the inside of a block-level HTML element), so ``html.escape`` is enough there;
the few registry strings that sit in Markdown itself (front matter) go through
``front_matter``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping

from ..locale import N_
from ..registry.hours import describe as describe_hours
from ..registry.models import Contact, LocalizedText
from .context import SiteContext
from .i18n import t


def esc(value: object) -> str:
    """``value`` as HTML text (quotes included, so it is safe in attributes too)."""
    return html.escape(str(value), quote=True)


def page_url(ctx: SiteContext, path: str) -> str:
    """The site URL of a page, language prefix included: ``services/x/`` -> ``nl/services/x/``."""
    return ctx.prefix + path


def href(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs (``a/b/`` style, '' for the home)."""
    # What posixpath.relpath gives, without its two abspath calls (a fifth of the
    # generation time of territory pages, which hold hundreds of links each).
    start = [part for part in from_url.split("/") if part]
    target = [part for part in to_url.split("/") if part]
    common = 0
    for mine, theirs in zip(start, target, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(start) - common) + target[common:]
    return "/".join(parts) + "/" if parts else "./"


def link(from_url: str, to_url: str, text: str) -> str:
    """An ``<a>`` to another generated page; ``text`` is escaped."""
    return f'<a href="{esc(href(from_url, to_url))}">{esc(text)}</a>'


def paragraphs(value: str) -> str:
    """Plain text to HTML paragraphs: blank lines separate paragraphs, newlines become ``<br>``."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", value.strip()) if b.strip()]
    return "".join("<p>" + "<br>\n".join(esc(line) for line in b.splitlines()) + "</p>" for b in blocks)


def localized(ctx: SiteContext, value: LocalizedText | None, *, block: bool = True) -> str:
    """Registry text in the page's language, else French marked ``lang="fr"`` with a visible note.

    ``block``: paragraphs (``<div>``); else inline (``<span>``). Empty when ``value`` is None.
    """
    if value is None:
        return ""
    text = value.get(ctx.lang)
    if value.has(ctx.lang):
        return paragraphs(text) if block else esc(text)
    source_lang = next((code for code in ("fr", "nl", "en") if value.has(code)), "fr")
    note = f'<small class="maillage-fallback">({esc(t("fallback", ctx.lang))})</small>'
    if source_lang != "fr":
        note = ""  # the text is not French either: nothing to say about French
    if block:
        return f'<div lang="{source_lang}">{paragraphs(text)}</div>{note}'
    return f'<span lang="{source_lang}">{esc(text)}</span> {note}'.rstrip()


def plain(ctx: SiteContext, value: LocalizedText | None) -> str:
    """Registry text in the page's language (or French), unescaped, for titles and JSON."""
    return value.get(ctx.lang) if value else ""


def front_matter(values: Mapping[str, object]) -> str:
    """YAML front matter. Strings are JSON (a subset of YAML), so nothing in them is interpreted.

    mkdocs' templates print ``title`` and ``description`` without escaping: callers pass
    them through ``esc`` first.
    """
    lines = ["---"]
    for key, value in values.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def contact_href(contact: Contact) -> str:
    """The link that acts on a contact: click-to-call, e-mail, web."""
    if contact.kind == "phone":
        digits = re.sub(r"[^0-9+]", "", contact.value)
        return "tel:" + digits + (f";ext={contact.extension}" if contact.extension else "")  # RFC 3966
    if contact.kind == "email":
        return "mailto:" + contact.value
    return contact.value


# What a contact is (``Contact.kind``), as catalogue keys.
CONTACT_KINDS = {"phone": N_("phone"), "email": N_("email"), "web": N_("web")}


def contact_item(ctx: SiteContext, contact: Contact) -> str:
    """One contact as a list item with its acting link, label, hours and visibility."""
    kind = t(CONTACT_KINDS[contact.kind], ctx.lang)
    label = localized(ctx, contact.label, block=False) if contact.label else ""
    head = f"{label} ({esc(kind)})" if label else esc(kind)
    target = contact_href(contact)
    rel = ' rel="noopener"' if contact.kind == "web" else ""
    item = f'{head} : <a href="{esc(target)}"{rel}>{esc(contact.value)}</a>'
    if contact.extension:
        item += ", " + esc(t("js.orient.extension", ctx.lang, extension=contact.extension))
    if contact.hours:
        item += " — " + localized(ctx, contact.hours, block=False)
    if contact.opening_hours:
        item += " — " + esc(describe_hours(contact.opening_hours, ctx.lang) or contact.opening_hours)
    if contact.visibility == "professional":
        item += f' <strong class="maillage-pro">{esc(t("professional_only", ctx.lang))}</strong>'
    return f'<li class="maillage-contact maillage-contact--{contact.kind}">{item}</li>'


def bullet_list(items: Iterable[str], css: str = "") -> str:
    """A ``<ul>`` of already-escaped HTML items (empty string when there are none)."""
    rendered = "".join(f"<li>{item}</li>" for item in items)
    if not rendered:
        return ""
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>{rendered}</ul>"


def json_ld(data: object) -> str:
    """A schema.org JSON-LD ``<script>``; ``<``, ``>`` and ``&`` escaped so text cannot end it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'
