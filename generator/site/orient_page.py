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

from ..analysis.describe import label as describe_label
from ..analysis.orient import build_data, data_to_json, details_to_json, places_to_json
from .context import Asset, GeneratedPage, SiteContext
from .markup import esc

ASSET_DIR = "assets/maillage"
DATA_URI = f"{ASSET_DIR}/orient.json"
DETAILS_DIR = f"{ASSET_DIR}/orient/"
SCRIPT_URI = f"{ASSET_DIR}/orient.js"
PAGE_URI = "orient/index.md"

# The page's words, as generator/site/i18n.py keeps the site's (a missing language falls
# back to French). The matcher's reasons stay French in every language: the Python and
# JavaScript matchers must give the very same phrases (tests/vectors/orient.json).
LABELS: dict[str, dict[str, str]] = {
    "title": {"fr": "Orienter une personne", "nl": "Een persoon doorverwijzen", "en": "Refer a person"},
    "intro": {
        "fr": "Saisissez le profil de la personne : l'outil indique les services qui correspondent, "
        "ceux qui n'échouent que sur un ou deux critères (à négocier), et quoi faire quand rien ne convient. "
        "Un critère que le répertoire ne connaît pas n'exclut jamais un service : il est signalé « à vérifier ». "
        "**Rien de ce que vous tapez ne quitte cette page.**",
        "nl": "Vul het profiel van de persoon in: de tool toont de diensten die passen, de diensten die op "
        "slechts één of twee criteria afvallen (bespreekbaar) en wat te doen als niets past. Een criterium dat "
        "de gids niet kent, sluit een dienst nooit uit: het wordt gemeld als « à vérifier » (na te gaan). "
        "**Niets van wat u typt verlaat deze pagina.**",
        "en": "Enter the person's profile: the tool lists the services that fit, those that fail on only one "
        "or two criteria (open to negotiation), and what to do when nothing fits. A criterion the directory "
        "does not know never excludes a service: it is flagged « à vérifier » (to be checked). "
        "**Nothing you type leaves this page.**",
    },
    "french_reasons": {
        "fr": "",
        "nl": "De redenen, voorwaarden en volgende stappen van de resultaten staan in het Frans, zoals in de "
        "gids zelf: de tool in de browser en de opdracht `maillage orient` geven exact dezelfde zinnen.",
        "en": "The reasons, criteria and next steps in the results are in French, as in the directory "
        "itself: the browser tool and the `maillage orient` command give exactly the same phrases.",
    },
    "age": {"fr": "Âge", "nl": "Leeftijd", "en": "Age"},
    "where": {
        "fr": "Commune ou code postal où vit la personne",
        "nl": "Gemeente of postcode waar de persoon woont",
        "en": "Municipality or postcode where the person lives",
    },
    "housing": {"fr": "Logement", "nl": "Huisvesting", "en": "Housing"},
    "unspecified": {"fr": "— non précisé —", "nl": "— niet opgegeven —", "en": "— not specified —"},
    "needs": {
        "fr": "Besoins (Ctrl/Maj pour plusieurs)",
        "nl": "Noden (Ctrl/Shift voor meerdere)",
        "en": "Needs (Ctrl/Shift for several)",
    },
    "referrer": {"fr": "Qui fait la demande", "nl": "Wie doet de aanvraag", "en": "Who is asking"},
    "professionals": {
        "fr": "Nombre de professionnels (institutions distinctes)",
        "nl": "Aantal professionals (verschillende instellingen)",
        "en": "Number of professionals (distinct institutions)",
    },
    "situation": {"fr": "Situation", "nl": "Situatie", "en": "Situation"},
    "no_insurance": {
        "fr": "sans couverture santé (mutuelle)",
        "nl": "zonder ziekteverzekering (ziekenfonds)",
        "en": "without health insurance",
    },
    "no_residence_permit": {
        "fr": "sans titre de séjour",
        "nl": "zonder verblijfsvergunning",
        "en": "without a residence permit",
    },
    "crisis": {"fr": "en situation de crise", "nl": "in crisis", "en": "in crisis"},
    "non_demand": {
        "fr": "en « non-demande »",
        "nl": "in « non-demande » (vraagt zelf geen hulp)",
        "en": "in « non-demande » (not asking for help)",
    },
    "submit": {"fr": "Trouver les services", "nl": "Diensten zoeken", "en": "Find services"},
    "liaison": {"fr": "Fiche de liaison", "nl": "Verwijsbrief", "en": "Referral note"},
    "liaison_hint": {
        "fr": "À copier dans un e-mail ou à imprimer pour le service",
        "nl": "Te kopiëren in een e-mail of af te drukken voor de dienst",
        "en": "To copy into an e-mail or print for the service",
    },
    "copy": {"fr": "Copier", "nl": "Kopiëren", "en": "Copy"},
    "print": {"fr": "Imprimer", "nl": "Afdrukken", "en": "Print"},
    "noscript": {
        "fr": "Cet outil a besoin de JavaScript ; la commande <code>maillage orient</code> donne le même résultat.",
        "nl": "Deze tool heeft JavaScript nodig; de opdracht <code>maillage orient</code> geeft hetzelfde resultaat.",
        "en": "This tool needs JavaScript; the <code>maillage orient</code> command gives the same result.",
    },
    # read by orient.js (data-labels): results, messages and the referral note
    "js.matches": {"fr": "{n} service(s) correspondent", "nl": "{n} dienst(en) passen", "en": "{n} service(s) fit"},
    "js.none": {"fr": "Aucun service ne correspond", "nl": "Geen enkele dienst past", "en": "No service fits"},
    "js.liaison": {"fr": "Fiche de liaison", "nl": "Verwijsbrief", "en": "Referral note"},
    "js.profile": {"fr": "Profil", "nl": "Profiel", "en": "Profile"},
    "js.near": {
        "fr": "Presque : critères à négocier",
        "nl": "Bijna: criteria om over te onderhandelen",
        "en": "Almost: criteria to negotiate",
    },
    "js.fallbacks": {
        "fr": "Pistes quand rien ne correspond",
        "nl": "Mogelijkheden als niets past",
        "en": "Leads when nothing fits",
    },
    "js.years": {"fr": "{n} ans", "nl": "{n} jaar", "en": "{n} years old"},
    "js.age_unknown": {"fr": "âge inconnu", "nl": "leeftijd onbekend", "en": "age unknown"},
    "js.lives": {"fr": "réside à {place}", "nl": "woont in {place}", "en": "lives in {place}"},
    "js.housing": {"fr": "logement", "nl": "huisvesting", "en": "housing"},
    "js.needs": {"fr": "besoins", "nl": "noden", "en": "needs"},
    "js.referrer": {"fr": "demande", "nl": "aanvraag", "en": "request"},
    "js.service": {"fr": "Service", "nl": "Dienst", "en": "Service"},
    "js.person": {"fr": "Personne", "nl": "Persoon", "en": "Person"},
    "js.criteria": {"fr": "Critères", "nl": "Criteria", "en": "Criteria"},
    "js.steps": {"fr": "Démarches", "nl": "Stappen", "en": "Next steps"},
    "js.contact": {"fr": "Contact", "nl": "Contact", "en": "Contact"},
    "js.ambiguous": {
        "fr": "Plusieurs lieux portent ce nom : {places}. Choisissez-en un dans la liste.",
        "nl": "Meerdere plaatsen dragen deze naam: {places}. Kies er één uit de lijst.",
        "en": "Several places have this name: {places}. Pick one from the list.",
    },
    "js.unknown_place": {
        "fr": "Lieu inconnu : tapez un nom de commune ou un code postal.",
        "nl": "Onbekende plaats: typ een gemeentenaam of een postcode.",
        "en": "Unknown place: type a municipality name or a postcode.",
    },
    "js.load_failed": {
        "fr": "Les données d'orientation n'ont pas pu être chargées.",
        "nl": "De doorverwijzingsgegevens konden niet worden geladen.",
        "en": "The referral data could not be loaded.",
    },
    "js.details_failed": {
        "fr": "Les démarches et contacts n'ont pas pu être chargés : voir la fiche de chaque service.",
        "nl": "De stappen en contacten konden niet worden geladen: zie de fiche van elke dienst.",
        "en": "The next steps and contacts could not be loaded: see each service's page.",
    },
}
CRITERIA = {
    "age": {"fr": "âge", "nl": "leeftijd", "en": "age"},
    "area": {"fr": "zone couverte", "nl": "werkgebied", "en": "area covered"},
    "housing": {"fr": "logement", "nl": "huisvesting", "en": "housing"},
    "needs": {"fr": "besoins", "nl": "noden", "en": "needs"},
    "referrer": {"fr": "qui fait la demande", "nl": "wie de aanvraag doet", "en": "who is asking"},
    "professional_requesters": {
        "fr": "nombre de professionnels demandeurs",
        "nl": "aantal aanvragende professionals",
        "en": "number of professionals asking",
    },
    "health_insurance": {"fr": "couverture santé", "nl": "ziekteverzekering", "en": "health insurance"},
    "residence_permit": {"fr": "titre de séjour", "nl": "verblijfsvergunning", "en": "residence permit"},
    "crisis": {"fr": "situation de crise", "nl": "crisissituatie", "en": "crisis"},
    "non_demand": {"fr": "non-demande", "nl": "non-demande", "en": "non-demande"},
}


def label(key: str, lang: str) -> str:
    """The page's word ``key`` in ``lang`` (French when missing, as ``i18n.t``)."""
    labels = LABELS[key]
    return labels.get(lang) or labels["fr"]


def _dump(value: object) -> bytes:
    # No spaces: the data travels to every browser.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def orient_json(ctx: SiteContext) -> bytes:
    """The compact data the page downloads before the first search (criteria, places)."""
    return _dump(data_to_json(build_data(ctx.registry)))


def orient_files(ctx: SiteContext) -> dict[str, bytes]:
    """The main data, its details chunks (fetched when a result is shown) and its places
    files (the communes no service names, fetched as the place is typed), by URI."""
    data = build_data(ctx.registry)
    files = {DATA_URI: _dump(data_to_json(data))}
    for k, chunk in enumerate(details_to_json(data)):
        files[f"{DETAILS_DIR}details-{k}.json"] = _dump(chunk)
    for key, rows in places_to_json(data).items():
        files[f"{DETAILS_DIR}places-{key}.json"] = _dump(rows)
    return files


def page_labels(ctx: SiteContext) -> dict[str, Any]:
    """What orient.js shows in the page's language: results words, criteria, form options."""
    lang = ctx.lang
    words = {key[3:]: label(key, lang) for key in LABELS if key.startswith("js.")}
    vocabularies = ctx.registry.vocabularies
    options = {
        name: {term: describe_label(ctx.registry, name, term, lang) for term in vocabularies.vocabulary(name)}
        for name in ("housing", "needs", "referrers")
    }
    criteria = {key: value.get(lang) or value["fr"] for key, value in CRITERIA.items()}
    return {"words": words, "criteria": criteria, "options": options}


# Raw HTML with no blank line inside: Markdown leaves a block-level element alone.
FORM = """<div id="maillage-orient" class="maillage-orient" data-src="{data}" data-details="{details}"
 data-labels="{labels}" lang="{lang}">
<form class="maillage-orient-form" autocomplete="off" novalidate>
<p><label for="mo-age">{age}</label> <input id="mo-age" name="age"
 type="number" min="0" max="120" inputmode="numeric" required autofocus></p>
<p><label for="mo-where">{where}</label>
 <input id="mo-where" name="where" list="mo-places" required></p>
<datalist id="mo-places"></datalist>
<p><label for="mo-housing">{housing}</label>
 <select id="mo-housing" name="housing"><option value="">{unspecified}</option></select></p>
<p><label for="mo-needs">{needs}</label>
 <select id="mo-needs" name="needs" multiple size="5"></select></p>
<p><label for="mo-referrer">{referrer}</label>
 <select id="mo-referrer" name="referrer"><option value="">{unspecified}</option></select>
<label for="mo-professionals">{professionals}</label>
 <input id="mo-professionals" name="professionals" type="number" min="1" max="10"></p>
<fieldset><legend>{situation}</legend>
<label><input type="checkbox" name="no_insurance"> {no_insurance}</label>
<label><input type="checkbox" name="no_residence_permit"> {no_residence_permit}</label>
<label><input type="checkbox" name="crisis"> {crisis}</label>
<label><input type="checkbox" name="non_demand"> {non_demand}</label>
</fieldset>
<p><button type="submit">{submit}</button></p>
</form>
<p class="maillage-orient-message" role="alert"></p>
<div class="maillage-orient-results" aria-live="polite" lang="fr"></div>
<section id="maillage-orient-liaison" hidden>
<h2>{liaison}</h2>
<p><label for="mo-liaison">{liaison_hint}</label></p>
<textarea id="mo-liaison" rows="16" cols="80"></textarea>
<p><button type="button" data-action="copy">{copy}</button>
 <button type="button" data-action="print">{print}</button></p>
</section>
<noscript><p>{noscript}</p></noscript>
</div>
<script src="{script}"></script>
"""

PRINT_CSS = """<style>
.maillage-orient-form fieldset label { display: block; }
.maillage-orient-match { margin-bottom: 1em; }
@media print {
  body * { visibility: hidden; }
  #maillage-orient-liaison, #maillage-orient-liaison * { visibility: visible; }
  #maillage-orient-liaison { position: absolute; top: 0; left: 0; }
  #maillage-orient-liaison button { display: none; }
}
</style>
"""


def orient_page(ctx: SiteContext) -> Iterator[GeneratedPage | Asset]:
    """The page in every language, the data, its details chunks and the script once."""
    yield from orient_form(ctx)
    yield from orient_data(ctx)


def orient_form(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The page, in each language (its data and script are ``orient_data``'s)."""
    lang = ctx.lang
    depth = (ctx.prefix + "orient/").count("/")
    up = "../" * depth
    words = {key: esc(label(key, lang)) for key in LABELS if not key.startswith("js.") and key != "intro"}
    words["noscript"] = label("noscript", lang)  # holds markup, written by us
    title = label("title", lang)
    body = ["---", f"title: {title}", "---", "", f"# {title}", "", label("intro", lang), ""]
    if label("french_reasons", lang):
        body += [label("french_reasons", lang), ""]
    labels = json.dumps(page_labels(ctx), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    form = FORM.format(
        data=esc(up + DATA_URI),
        details=esc(up + DETAILS_DIR),
        script=esc(up + SCRIPT_URI),
        labels=esc(labels),
        lang=esc(lang),
        **words,
    )
    body += [PRINT_CSS, form]
    yield GeneratedPage(uri=ctx.prefix + PAGE_URI, content="\n".join(body))


def orient_data(ctx: SiteContext) -> Iterator[Asset]:
    """The page's data, its details chunks and places files, and the script, once."""
    if ctx.prefix:
        return
    for uri, content in orient_files(ctx).items():
        yield Asset(uri=uri, content=content)
    script = resources.files("generator.site") / "assets" / "orient.js"
    yield Asset(uri=SCRIPT_URI, content=script.read_bytes())
