"""The orientation page (``orient/``), its compact data and its script.

The page is a form that helpdesk staff fill in on the phone; ``assets/maillage/orient.js``
matches the profile in the browser against ``assets/maillage/orient.json`` (built here
from the registry the build's audience may see); next steps and contacts are in
``assets/maillage/orient/details-<k>.json``, fetched from the site when a result is shown,
and communes no service names in ``places-<key>.json``, fetched as the place is typed.
Nothing typed leaves the page. The form and headings speak the page's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from ..analysis.describe import label as describe_label
from ..analysis.orient import CRITERIA, build_data, data_to_json, details_to_json, matcher_words, places_to_json
from ..locale import N_, SOURCE, t
from ..registry.text import fold
from .context import Asset, GeneratedPage, SiteConfig, SiteContext
from .markup import esc
from .record_languages import has_own_page
from .selection_page import SELECTION_SCRIPT, SHARE_SCRIPT, script_assets

ASSET_DIR = "assets/maillage"
DATA_URI = f"{ASSET_DIR}/orient.json"
DETAILS_DIR = f"{ASSET_DIR}/orient/"
SCRIPT_URI = f"{ASSET_DIR}/orient.js"
PAGE_URI = "orient/index.md"

# The page's words are the catalogue's ``orient.*`` keys (generator/locale); the browser's,
# ``js.orient.*`` and ``criterion.*``, travel in the page's data-labels JSON, built here at
# build time, so orient.js holds no words of its own. The matcher's reasons stay French in
# every language: the Python and JavaScript matchers must give the very same phrases
# (tests/vectors/orient.json).
BROWSER_WORDS = (
    N_("js.orient.age_invalid"),
    N_("js.orient.age_unknown"),
    N_("js.orient.ambiguous"),
    N_("js.orient.area"),
    N_("js.orient.band"),
    N_("js.orient.band_open"),
    N_("js.orient.band_unknown"),
    N_("js.orient.contact"),
    N_("js.orient.copied"),
    N_("js.orient.copy_text"),
    N_("js.orient.criteria"),
    N_("js.orient.delay"),
    N_("js.orient.details_failed"),
    N_("js.orient.email"),
    N_("js.orient.fallbacks"),
    N_("js.orient.file_protocol"),
    N_("js.orient.group_known"),
    N_("js.orient.group_unknown"),
    N_("js.orient.housing"),
    N_("js.orient.how"),
    N_("js.orient.liaison"),
    N_("js.orient.line"),
    N_("js.orient.lives"),
    N_("js.orient.load_failed"),
    N_("js.orient.mail"),
    N_("js.orient.matches.one"),  # « 1 service correspond » (orient.js: wn)
    N_("js.orient.matches.other"),
    N_("js.orient.near"),
    N_("js.orient.needs"),
    N_("js.orient.no_contact"),
    N_("js.orient.none"),
    N_("js.orient.note"),
    N_("js.orient.note_date"),
    N_("js.orient.note_title"),
    N_("js.orient.person"),
    N_("js.orient.phone"),
    N_("js.orient.professionals_invalid"),
    N_("js.orient.profile"),
    N_("js.orient.pro_contact"),
    N_("js.orient.referrer"),
    N_("js.orient.report_date"),
    N_("js.orient.report_gap"),
    N_("js.orient.report_hint"),
    N_("js.orient.report_intro"),
    N_("js.orient.report_profile"),
    N_("js.orient.report_title"),
    N_("js.orient.send"),
    N_("js.orient.service"),
    N_("js.orient.sms"),
    N_("js.orient.steps"),
    N_("js.orient.unknown_line"),
    N_("js.orient.unknown_place"),
    N_("js.orient.web"),
    N_("js.orient.who"),
    N_("js.orient.why_default"),
    N_("js.orient.why_first"),
    N_("js.orient.years"),
)
FLAGS = ("no_insurance", "no_residence_permit", "crisis", "non_demand")


def _dump(value: object) -> bytes:
    # No spaces: the data travels to every browser.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def orient_json(ctx: SiteContext) -> bytes:
    """The compact data the page downloads before the first search (criteria, places)."""
    return _dump(data_to_json(build_data(ctx.registry, fallback_km=ctx.config.orient_fallback_km)))


def orient_files(ctx: SiteContext) -> dict[str, bytes]:
    """The main data, its details chunks (fetched when a result is shown) and its places
    files (the communes no service names, fetched as the place is typed), by URI."""
    data = build_data(ctx.registry, fallback_km=ctx.config.orient_fallback_km)
    files = {DATA_URI: _dump(data_to_json(data))}
    for k, chunk in enumerate(details_to_json(data)):
        files[f"{DETAILS_DIR}details-{k}.json"] = _dump(chunk)
    for key, rows in places_to_json(data).items():
        files[f"{DETAILS_DIR}places-{key}.json"] = _dump(rows)
    return files


def page_labels(ctx: SiteContext) -> dict[str, Any]:
    """What orient.js shows in the page's language: results words, criteria, form options."""
    lang = ctx.lang
    words = {key.removeprefix("js.orient."): t(key, lang) for key in BROWSER_WORDS}
    criteria = {key.removeprefix("criterion."): t(key, lang) for key in CRITERIA}
    options = {name: dict(_options(ctx, name)) for name in ("housing", "needs", "referrers")}
    # The matcher's phrases (js.orient.m.*, criterion.*) in the page's language.
    matcher = matcher_words(lang)
    labels: dict[str, Any] = {"words": words, "criteria": criteria, "options": options, "matcher": matcher}
    if not all(has_own_page(ctx, s) for s in ctx.registry.services):
        # A national directory's Dutch or English page: which services have a page in this
        # language; the others' results link to their French page (docs/national-scale.md).
        default = ctx.config.languages[0]
        labels["french"] = {"lang": default, "hint": t("js.page.french_only", lang)}
        labels["pages"] = sorted(s for s in ctx.registry.services if has_own_page(ctx, s))
    return labels


def _options(ctx: SiteContext, name: str) -> list[tuple[str, str]]:
    """``(id, label)`` of a vocabulary in the page's language, in the vocabulary's order."""
    terms = ctx.registry.vocabularies.vocabulary(name)
    return [(term, describe_label(ctx.registry, name, term, ctx.lang)) for term in terms]


def _select(ctx: SiteContext, name: str, vocabulary: str) -> str:
    options = "".join(f'<option value="{esc(term)}">{esc(text)}</option>' for term, text in _options(ctx, vocabulary))
    unspecified = esc(t("orient.unspecified", ctx.lang))
    return f'<select id="mo-{name}" name="{name}"><option value="">{unspecified}</option>{options}</select>'


def _needs(ctx: SiteContext) -> str:
    """The needs as checkboxes in the order of their label (a list box needs Ctrl on a
    computer and is unusable by touch; an order by id hides "Santé mentale" at the bottom)."""
    needs = sorted(_options(ctx, "needs"), key=lambda option: (fold(option[1]), option[0]))
    return "\n".join(
        f'<label><input type="checkbox" name="need" value="{esc(term)}" id="mo-need-{esc(term)}"> {esc(text)}</label>'
        for term, text in needs
    )


def gap_report_target(config: SiteConfig) -> dict[str, str]:
    """Where "Signaler cette zone grise" sends: the maintainers' address when set, else a
    new issue on the forge of ``repo_url`` (GitLab's form differs from GitHub's, which
    Gitea and Forgejo copy); nothing when neither is set."""
    if config.gap_report_email:
        return {"kind": "email", "target": config.gap_report_email}
    if config.repo_url:
        base = config.repo_url.rstrip("/")
        if "gitlab" in (urlsplit(base).hostname or ""):
            return {"kind": "gitlab", "target": base + "/-/issues/new"}
        return {"kind": "github", "target": base + "/issues/new"}
    return {}


# Raw HTML with no blank line inside: Markdown leaves a block-level element alone.
FORM = """<div id="maillage-orient" class="maillage-orient" data-src="{data}" data-details="{details}"
 data-labels="{labels}" data-gap-kind="{gap_kind}" data-gap-target="{gap_target}" lang="{lang}">
<form class="maillage-orient-form" autocomplete="off" novalidate>
<p><label for="mo-age">{age}</label> <input id="mo-age" name="age"
 type="number" min="0" max="120" step="1" inputmode="numeric" autofocus></p>
<p><label for="mo-where">{where}</label>
 <input id="mo-where" name="where" list="mo-places" required></p>
<datalist id="mo-places"></datalist>
<p><label for="mo-housing">{housing}</label>
 {housing_select}</p>
<fieldset class="maillage-orient-needs"><legend>{needs}</legend>
{needs_boxes}
</fieldset>
<details class="maillage-orient-more"><summary id="mo-more">{more}</summary>
<p><label for="mo-referrer">{referrer}</label>
 {referrer_select}
<label for="mo-professionals">{professionals}</label>
 <input id="mo-professionals" name="professionals" type="number" min="1" max="10" step="1"></p>
<fieldset><legend>{situation}</legend>
<label><input type="checkbox" name="no_insurance"> {no_insurance}</label>
<label><input type="checkbox" name="no_residence_permit"> {no_residence_permit}</label>
<label><input type="checkbox" name="crisis"> {crisis}</label>
<label><input type="checkbox" name="non_demand"> {non_demand}</label>
</fieldset>
</details>
<p><button type="submit">{submit}</button></p>
</form>
<p class="maillage-orient-message" id="mo-message" role="alert"></p>
<div class="maillage-orient-results" aria-live="polite" lang="{lang}"></div>
<section id="maillage-orient-liaison" hidden>
<h2>{liaison}</h2>
<p><label for="mo-liaison">{liaison_hint}</label></p>
<textarea id="mo-liaison" rows="16" cols="80"></textarea>
<p><button type="button" data-action="copy">{copy}</button>
 <button type="button" data-action="print">{print}</button></p>
</section>
<section id="maillage-orient-note" class="maillage-orient-note" hidden>
<h2>{note}</h2>
<div class="maillage-orient-note-text"></div>
<p><button type="button" data-action="print-note">{print}</button></p>
</section>
<noscript><p>{noscript}</p></noscript>
</div>
<script src="{share}"></script>
<script src="{selection}"></script>
<script src="{script}"></script>
"""


def orient_form(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The page, in each language (its data and script are ``orient_data``'s)."""
    lang = ctx.lang
    depth = (ctx.prefix + "orient/").count("/")
    up = "../" * depth
    title = t("orient.title", lang)
    body = ["---", f"title: {title}", "---", "", f"# {title}", "", t("orient.intro", lang), ""]
    if lang != SOURCE:  # the registry's own texts (how to ask, next steps) are French
        body += [t("orient.french_reasons", lang), ""]
    labels = json.dumps(page_labels(ctx), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    gap = gap_report_target(ctx.config)
    form = FORM.format(
        data=esc(up + DATA_URI),
        details=esc(up + DETAILS_DIR),
        script=esc(up + SCRIPT_URI),
        share=esc(up + SHARE_SCRIPT),  # the results' send controls
        selection=esc(up + SELECTION_SCRIPT),  # and their stars
        labels=esc(labels),
        gap_kind=esc(gap.get("kind", "")),
        gap_target=esc(gap.get("target", "")),
        lang=esc(lang),
        age=esc(t("orient.age", lang)),
        where=esc(t("orient.where", lang)),
        housing=esc(t("orient.housing", lang)),
        housing_select=_select(ctx, "housing", "housing"),
        needs=esc(t("orient.needs", lang)),
        needs_boxes=_needs(ctx),
        referrer=esc(t("orient.referrer", lang)),
        referrer_select=_select(ctx, "referrer", "referrers"),
        more=esc(t("orient.more", lang)),
        professionals=esc(t("orient.professionals", lang)),
        situation=esc(t("orient.situation", lang)),
        no_insurance=esc(t("orient.no_insurance", lang)),
        no_residence_permit=esc(t("orient.no_residence_permit", lang)),
        crisis=esc(t("orient.crisis", lang)),
        non_demand=esc(t("orient.non_demand", lang)),
        submit=esc(t("orient.submit", lang)),
        liaison=esc(t("orient.liaison", lang)),
        liaison_hint=esc(t("orient.liaison_hint", lang)),
        copy=esc(t("orient.copy", lang)),
        print=esc(t("orient.print", lang)),
        note=esc(t("orient.note", lang)),
        noscript=t("orient.noscript", lang),  # holds markup, written by us
    )
    body.append(form)  # its styles are in overrides/assets/maillage/site.css
    yield GeneratedPage(uri=ctx.prefix + PAGE_URI, content="\n".join(body))


def orient_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The page in every language, the data, its details chunks and the script once."""
    yield from orient_form(ctx)
    yield from orient_data(ctx)


def orient_data(ctx: SiteContext) -> Iterator[Asset]:
    """The page's data, its details chunks and places files, and the script, once."""
    if ctx.prefix:
        return
    for uri, content in orient_files(ctx).items():
        yield Asset(uri=uri, content=content)
    script = resources.files("generator.site") / "assets" / "orient.js"
    yield Asset(uri=SCRIPT_URI, content=script.read_bytes())
    yield from script_assets(ctx)
