"""The correspondence between data·inclusion's v1 vocabularies and ours (docs/data-inclusion.md).

Read both ways: an import reads theirs into ours, an export writes ours as theirs. Where
theirs is finer than ours (the 85 ``thematiques`` against our dozen needs), a family of
theirs maps to one of our needs; where theirs covers what ours had no term for (work,
money, food, family, reading and writing, mobility, digital skills, social ties), our
vocabulary has the term (``data/vocabularies/needs.yaml``), so nothing is lost on import.
What still has no place (most ``publics``) is kept as text and listed in the docs.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...registry.territories import Gazetteer

# Their thematique (a family ``sante`` or one of its entries ``sante--sante-mentale``) -> our
# need. The most specific entry wins: an entry listed here, else its family.
NEED_OF_THEMATIQUE: dict[str, str] = {
    "sante": "physical-health",
    "sante--acces-aux-soins": "physical-health",
    "sante--sante-sexuelle": "physical-health",
    "sante--sante-mentale": "mental-health",
    "sante--addictions": "addiction",
    "sante--constituer-un-dossier-mdph-invalidite": "disability",
    "logement-hebergement": "housing",
    "logement-hebergement--rechercher-une-solution-dhebergement-temporaire": "homelessness",
    "difficultes-administratives-ou-juridiques": "social-rights",
    "famille": "family",
    "famille--soutien-aidants": "caregiver-support",
    "famille--prise-en-charge-personne-dependante": "caregiver-support",
    "difficultes-financieres": "finances",
    "equipement-et-alimentation": "food-and-equipment",
    "lecture-ecriture-calcul": "basic-skills",
    "mobilite": "mobility",
    "numerique": "digital",
    "remobilisation": "social-ties",
    "trouver-un-emploi": "employment",
    "preparer-sa-candidature": "employment",
    "choisir-un-metier": "employment",
    "se-former": "employment",
    "creer-une-entreprise": "employment",
    "souvrir-a-linternational": "employment",
}

# Our need -> their thematique, for the export. Their schema takes only the entries of a
# family, never the family itself: a need that matches a whole family says its most
# general entry (the choice is listed in docs/data-inclusion.md).
THEMATIQUE_OF_NEED: dict[str, str] = {
    "mental-health": "sante--sante-mentale",
    "addiction": "sante--addictions",
    "physical-health": "sante--acces-aux-soins",
    "homelessness": "logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
    "hoarding": "logement-hebergement--se-maintenir-dans-le-logement",
    "housing": "logement-hebergement--se-maintenir-dans-le-logement",
    "social-rights": "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
    "caregiver-support": "famille--soutien-aidants",
    "family": "famille--soutien-a-la-parentalite-et-a-leducation",
    "finances": "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere",
    "food-and-equipment": "equipement-et-alimentation--alimentation",
    "basic-skills": "lecture-ecriture-calcul--maitriser-le-francais",
    "mobility": "mobilite--etre-accompagne-dans-son-parcours-mobilite",
    "digital": "numerique--acceder-a-des-services-en-ligne",
    "social-ties": "remobilisation--lien-social",
    "employment": "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
}

# Their publics that are one of our needs (the others have no place: kept as text).
NEED_OF_PUBLIC = {"jeunes": "youth", "personnes-en-situation-de-handicap": "disability"}
PUBLIC_OF_NEED = {need: public for public, need in NEED_OF_PUBLIC.items()}

# modes_accueil <-> our modalities. "en-presentiel" is "at the address of the service": an
# office; "a-distance" is "by phone or internet", which our ``remote`` term says as vaguely.
MODALITY_OF_MODE = {"en-presentiel": "office", "a-distance": "remote"}
MODE_OF_MODALITY = {
    "office": "en-presentiel",
    "home": "en-presentiel",
    "outreach": "en-presentiel",
    "phone": "a-distance",
    "online": "a-distance",
    "remote": "a-distance",
}

# mobilisable_par <-> our referrers.
REFERRER_OF_PERSON = {"usagers": "self", "professionnels": "professional"}
PERSON_OF_REFERRER = {"self": "usagers", "relative": "usagers", "professional": "professionnels"}

# modes_mobilisation: each says which of the service's contacts to use.
MODE_OF_CONTACT = {"phone": "telephoner", "email": "envoyer-un-courriel", "web": "utiliser-lien-mobilisation"}

# The type of service <-> our functions, where one says the other.
FUNCTION_OF_TYPE = {"accompagnement": "case-management", "formation": "training"}
TYPE_OF_FUNCTION = {
    "case-management": "accompagnement",
    "clinical-case-management": "accompagnement",
    "assertive-community-treatment": "accompagnement",
    "housing-first": "accompagnement",
    "tenancy-support": "accompagnement",
    "mobile-team": "accompagnement",
    "peer-support": "accompagnement",
    "training": "formation",
    "helpline": "information",
    "directory": "information",
}

FRANCE = ("france", "99100")  # "the whole country", in their two spellings
COUNTRY_CODES = {"fr": "99100", "be": "99131"}  # INSEE's codes of countries


def need_of_thematique(thematique: str) -> str | None:
    return NEED_OF_THEMATIQUE.get(thematique) or NEED_OF_THEMATIQUE.get(thematique.split("--", 1)[0])


def needs_of(thematiques: Iterable[str], publics: Iterable[str]) -> list[str]:
    """Our needs for their thematiques and publics, in their order, each once."""
    found = [need_of_thematique(t) for t in thematiques] + [NEED_OF_PUBLIC.get(p) for p in publics]
    return list(dict.fromkeys(n for n in found if n))


def territory_of_code(code: str, gazetteer: Gazetteer) -> str | None:
    """Our territory for an INSEE code of ``zone_eligibilite`` (None: not in the gazetteer)."""
    code = code.strip()
    if code.lower() in FRANCE:
        return "fr" if "fr" in gazetteer else None
    if len(code) == 5 and code.startswith("99"):
        country = {v: k for k, v in COUNTRY_CODES.items()}.get(code)
        return country if country in gazetteer else None
    lowered = code.lower()
    if len(code) == 9 and code.isdigit():
        candidate = f"fr-epci-{code}"
    elif len(code) == 5:
        candidate = f"fr-commune-{lowered}"
    elif len(code) in (2, 3):
        candidate = f"fr-dep-{lowered}"
    else:
        return None
    return candidate if candidate in gazetteer else None


def codes_of_territory(code: str, gazetteer: Gazetteer) -> list[str]:
    """INSEE codes of ``zone_eligibilite`` for one of our territories; [] when it has none
    (a Belgian region, province or commune: INSEE codes only countries outside France)."""
    if code in COUNTRY_CODES:
        return ["france"] if code == "fr" else [COUNTRY_CODES[code]]
    kind, _, number = code.removeprefix("fr-").partition("-")
    if not code.startswith("fr-"):
        return []
    if kind == "region":  # their schema: "list the départements of the region"
        return [d.removeprefix("fr-dep-").upper() for d in gazetteer.descendants(code, "dep")]
    if kind in ("dep", "commune", "epci"):
        return [number.upper()]
    return []
