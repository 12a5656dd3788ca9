"""The accessibility statement (« déclaration d'accessibilité »): ``accessibilite/`` per language.

It follows the form the French administration publishes (the RGAA model): the conformity
state, the test results, the non-conform criteria with their reasons, how and when the
statement was made, how to report a barrier, and the remedies. Its facts come from
``accessibility.yaml`` beside this module (the tests keep it true); the contact is the
plugin's ``accessibility_email``, else the forge (``repo_url``'s issues).

Also the site-wide pieces the theme needs from it: the footer's link (its words state the
conformity) and the accessible name of the headings' permanent links.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..locale import N_
from .context import Asset, GeneratedPage, SiteContext
from .i18n import date_text, t
from .markup import esc, front_matter

DATA = Path(__file__).with_name("accessibility.yaml")
PAGE_DIR = "accessibilite/"

# The three states the RGAA model allows, by the share of criteria met.
STATES = (N_("a11y.state.full"), N_("a11y.state.partial"), N_("a11y.state.none"))


@dataclass(frozen=True)
class Criterion:
    """One RGAA criterion of the statement."""

    id: str
    title: str  # the RGAA's own wording, in French
    status: str  # "conform" (kept so by `check`), "non-conform" (with its `reason`) or "n/a"
    reason: dict[str, str]  # why it is not met (non-conform) or does not apply (n/a), per language
    check: str | None  # the test that keeps a conform criterion so


@dataclass(frozen=True)
class Statement:
    """``accessibility.yaml``, read."""

    date: dt.date
    standard: str
    pages: int
    widths: tuple[int, ...]
    tools: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    @property
    def applicable(self) -> int:
        """The criteria that apply to the site (every criterion listed but the n/a ones)."""
        return sum(1 for c in self.criteria if c.status != "n/a")

    @property
    def failing(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.status == "non-conform")

    @property
    def conform(self) -> int:
        return self.applicable - len(self.failing)

    @property
    def rate(self) -> int:
        """Percentage of applicable criteria met (rounded down: never better than true)."""
        return self.conform * 100 // self.applicable if self.applicable else 0

    @property
    def state(self) -> str:
        """The catalogue key of the conformity state (RGAA: 100 %, 50 % or more, less)."""
        if not self.failing:
            return "a11y.state.full"
        return "a11y.state.partial" if self.rate >= 50 else "a11y.state.none"


@functools.cache
def statement(path: Path = DATA) -> Statement:
    """The statement's data (read once per process)."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    audit = raw["audit"]
    criteria = tuple(
        Criterion(
            id=str(item["id"]),
            title=str(item["title"]),
            status=str(item["status"]),
            reason={str(k): str(v) for k, v in (item.get("reason") or {}).items()},
            check=item.get("check"),
        )
        for item in raw["criteria"]
    )
    for criterion in criteria:
        if criterion.status not in ("conform", "non-conform", "n/a"):
            raise ValueError(f"{path}: criterion {criterion.id}: status must be conform, non-conform or n/a")
    day = audit["date"]
    return Statement(
        date=day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)),
        standard=str(audit["standard"]),
        pages=int(audit["pages"]),
        widths=tuple(int(w) for w in audit["widths"]),
        tools=tuple(str(x) for x in audit["tools"]),
        criteria=criteria,
    )


def footer_link(lang: str, languages: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The footer's link to the statement: its site URL and its words (they state the conformity)."""
    prefix = "" if lang == languages[0] else f"{lang}/"
    state = t(statement().state, lang)
    return {"url": prefix + PAGE_DIR, "text": t("a11y.statement.link", lang, state=state)}


_PERMALINK = re.compile(r'<a class="headerlink" href="(#[^"]*)" title="[^"]*">')


def name_permalinks(html: str, lang: str) -> str:
    """The headings' permanent links (markdown's ``toc``) named in the page's language.

    Their text is a pilcrow, which is no name: the label says what the link is.
    """
    label = esc(t("a11y.permalink", lang))
    named = f'title="{label}" aria-label="{label}"'
    return _PERMALINK.sub(lambda m: f'<a class="headerlink" href="{m.group(1)}" {named}>', html)


def _contact(ctx: SiteContext) -> str:
    email = ctx.config.accessibility_email
    lang = ctx.lang
    if email:
        return f'<a href="mailto:{esc(email)}">{esc(email)}</a>'
    if ctx.config.repo_url:
        url = ctx.config.repo_url.rstrip("/") + "/issues"
        return f'<a href="{esc(url)}">{esc(t("a11y.statement.forge", lang))}</a>'
    return esc(t("a11y.statement.no_contact", lang))


def statement_page(ctx: SiteContext) -> str:
    """The statement's Markdown (raw HTML blocks) in ``ctx.lang``."""
    lang = ctx.lang
    data = statement()
    state = t(data.state, lang)
    failing = [
        f'<li><strong>{esc(c.id)}</strong> <span lang="fr">{esc(c.title)}</span><br>'
        f"{esc(c.reason.get(lang) or c.reason.get('fr', ''))}</li>"
        for c in data.failing
    ]
    fixed = [
        f'<li><strong>{esc(c.id)}</strong> <span lang="fr">{esc(c.title)}</span></li>'
        for c in data.criteria
        if c.status == "conform"
    ]
    widths = ", ".join(f"{w} px" for w in data.widths)
    parts = [
        front_matter(
            {"title": esc(t("a11y.statement.title", lang)), "maillage_lang": lang, "maillage_kind": "accessibility"}
        ),
        f"<p>{esc(t('a11y.statement.intro', lang))}</p>",
        f'<h2 id="state">{esc(t("a11y.statement.state", lang))}</h2>',
        f"<p>{esc(t('a11y.statement.state_text', lang, state=state, standard=data.standard))}</p>",
        f'<h2 id="results">{esc(t("a11y.statement.results", lang))}</h2>',
        "<p>"
        + esc(
            t(
                "a11y.statement.results_text",
                lang,
                rate=data.rate,
                conform=data.conform,
                applicable=data.applicable,
            )
        )
        + "</p>",
        f'<h2 id="non-conform">{esc(t("a11y.statement.failing", lang))}</h2>',
        f'<ul class="maillage-a11y-failing">{"".join(failing)}</ul>'
        if failing
        else f"<p>{esc(t('a11y.statement.none_failing', lang))}</p>",
    ]
    if fixed:
        parts += [
            f'<h2 id="fixed">{esc(t("a11y.statement.conform", lang))}</h2>',
            f'<ul class="maillage-a11y-fixed">{"".join(fixed)}</ul>',
        ]
    not_applicable = [
        f'<li><strong>{esc(c.id)}</strong> <span lang="fr">{esc(c.title)}</span><br>'
        f"{esc(c.reason.get(lang) or c.reason.get('fr', ''))}</li>"
        for c in data.criteria
        if c.status == "n/a"
    ]
    if not_applicable:
        parts += [
            f'<h2 id="not-applicable">{esc(t("a11y.statement.not_applicable", lang))}</h2>',
            f'<ul class="maillage-a11y-na">{"".join(not_applicable)}</ul>',
        ]
    parts += [
        f'<h2 id="method">{esc(t("a11y.statement.method", lang))}</h2>',
        "<ul>"
        + f"<li>{esc(t('a11y.statement.date', lang, date=date_text(data.date, lang)))}</li>"
        + f"<li>{esc(t('a11y.statement.technologies', lang))}</li>"
        + f"<li>{esc(t('a11y.statement.tools', lang, tools=', '.join(data.tools), widths=widths))}</li>"
        + f"<li>{esc(t('a11y.statement.sample', lang, n=data.pages))}</li>"
        + "</ul>",
        f'<h2 id="contact">{esc(t("a11y.statement.contact", lang))}</h2>',
        f"<p>{esc(t('a11y.statement.contact_text', lang))} {_contact(ctx)}</p>",
        f'<h2 id="remedies">{esc(t("a11y.statement.remedies", lang))}</h2>',
        f"<p>{esc(t('a11y.statement.remedies_text', lang))}</p>",
        '<ul><li><a href="https://formulaire.defenseurdesdroits.fr/" lang="fr">'
        + f"{esc(t('a11y.statement.defender', lang))}</a></li>"
        + f'<li><a href="https://www.unia.be/">{esc(t("a11y.statement.unia", lang))}</a></li></ul>',
    ]
    return "\n".join(parts) + "\n"


def accessibility_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The statement in ``ctx.lang``: ``accessibilite/`` (``nl/accessibilite/``, …)."""
    yield GeneratedPage(uri=ctx.prefix + PAGE_DIR + "index.md", content=statement_page(ctx))
