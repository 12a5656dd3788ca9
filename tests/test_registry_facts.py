"""The shipped registry says what the seeds say, and only that (issue 19, item 6).

An outside audit of ``data/registry/`` against ``../shared/seeds/`` found facts the seeds do
not support. Each correction is pinned here: the field's value, and the note that says
where it comes from (or that it is an inference, and from what). Where a note quotes a
seed, the quote is checked against the seed's text when the seeds are present.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.exchange.hsds import export_hsds
from generator.registry.loader import Registry, load_registry
from generator.registry.models import Service

from .conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
FORUM = "003_4eab053d08a49d38.txt"  # Brusano forum, January 2024
UCSD_JUNE = "000_3f814dbe66aa8963.txt"  # Un chez-soi d'abord, 7 June 2022
UCSD_SEPTEMBER = "001_b7db0e006aab95ec.txt"  # rencontres inter-sites, 29 September 2022
CISM = "004_b3f599e951e0c2e6.txt"  # CISM CACL / SEMSAMAR, February 2021


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(ROOT)


def flat(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def note(service: Service) -> str:
    return flat(service.note)


def in_seed(seed: str, quote: str) -> None:
    """``quote`` is in the seed's text (whitespace and apostrophes folded)."""
    path = SEEDS / seed
    if not path.exists():
        pytest.skip("the seeds (../shared/seeds/) are not here")

    def fold(text: str) -> str:
        return flat(text.replace("’", "'").replace("**", ""))

    assert fold(quote) in fold(path.read_text(encoding="utf-8")), quote


# --- Brussels (Brusano forum) -----------------------------------------------------------------


def test_reforme_107_dutch_name_has_no_article(registry: Registry) -> None:
    programme = registry.programmes["reforme-107"]
    assert programme.name.nl == "Hervorming van de geestelijke gezondheidszorg « 107 » (België)"
    assert "artikel" not in str(programme.model_dump()).lower()
    assert "aucune source ne donne le texte légal" in flat(programme.note)
    in_seed(FORUM, "réforme en santé mentale portée par le Fédéral, dans la Fonction 2B")


def test_brusano_case_management_request_not_through_the_helpdesk(registry: Registry) -> None:
    service = registry.services["brusano-case-management"]
    assert service.access.form is not None
    assert "helpdesk" not in str(service.access.form).lower()
    assert "la source ne dit pas par où passe une demande de case manager" in note(service)
    in_seed(
        FORUM,
        "La demande peut être adressée par la personne elle-même, un·e aidant·e ou un·e professionnel·le social-santé.",
    )
    in_seed(FORUM, "helpdesk@brusano.brussels | 02 880 29 80")


def test_brusano_helpdesk_public_and_generalist(registry: Registry) -> None:
    service = registry.services["brusano-helpdesk"]
    assert service.public.summary is None  # the seed gives no public (its note says so)
    assert "case manager" not in str(service.objective)
    assert service.generalist is False
    assert "public admis et délai de réponse : non précisés" in note(service)
    assert "Non marqué « généraliste »" in note(service)
    in_seed(FORUM, "Le Helpdesk de Brusano et le numéro gratuit Allo ? Aide sociale ont été évoqués.")


def test_allo_aide_sociale_not_generalist(registry: Registry) -> None:
    service = registry.services["allo-aide-sociale-ligne"]
    assert service.generalist is False
    assert "Non marqué « généraliste »" in note(service)


def test_bru_stars_team_and_website(registry: Registry) -> None:
    service = registry.services["bru-stars-case-management"]
    assert service.team is None
    assert registry.organisations["bru-stars"].website is None
    assert "sans dire combien de case managers compte l'équipe" in note(service)
    assert "pas de site web de l'organisation" in note(service)
    web = [c.value for c in service.contacts if c.kind == "web"]
    assert web == ["https://www.bru-stars.be/programmes-et-offres-de-soins/case-management/"]
    in_seed(FORUM, "www.bru-stars.be/programmes-et-offres-de-soins/case-management/")


def test_dune_modality_and_separate_statements(registry: Registry) -> None:
    service = registry.services["dune-liaison"]
    assert service.modality == ["outreach"]
    assert service.access.process is not None
    process = flat(service.access.process)
    assert "permanences" not in process and "maraudes" not in process
    assert "maraudes" not in flat(registry.organisations["dune"].description)
    assert "ne dit pas que le service de liaison reçoit sur place" in note(service)
    assert "comme stratégies pour l'accroche" in note(service)
    in_seed(FORUM, "Elles sont rencontrées en rue et orientées vers le dispensaire médical et le service social.")
    in_seed(FORUM, "tenter différentes stratégies basées sur les permanences et les maraudes")


def test_em107_consent_is_a_structured_condition(registry: Registry) -> None:
    service = registry.services["em107-precarite"]
    assert service.public.conditions.consent_required is True
    assert service.public.conditions.non_demand_accepted is True  # non-demand is not refusal
    assert "Accord de la personne requis (consent_required)" in note(service)
    in_seed(FORUM, "si les critères sont remplis et que la personne le souhaite, un suivi est mis en place")
    in_seed(FORUM, "la prise en charge est clôturée en accord avec elle")


# --- Un chez-soi d'abord ----------------------------------------------------------------------

# The sites the page of 29 September 2022 names (Dijon hosts the meeting; Reims and La
# Martinique are being set up; "Lille et Toulouse" are named for the young people's sites).
NAMED_IN_SEPTEMBER = {
    "ucsd-dijon": "Dijon",
    "ucsd-reims": "Reims",
    "ucsd-la-martinique": "La Martinique",
    "ucsd-lille-jeunes": "jeunes de 18 à 22 ans sur Lille et Toulouse",
    "ucsd-toulouse-jeunes": "jeunes de 18 à 22 ans sur Lille et Toulouse",
}


def test_ucsd_verified_dates_follow_the_last_source_naming_the_site(registry: Registry) -> None:
    sites = {s.id: s for s in registry.services.values() if s.programme == "un-chez-soi-d-abord"}
    assert len(sites) == 34
    for service_id, service in sites.items():
        if service_id in NAMED_IN_SEPTEMBER:
            assert service.verified == dt.date(2022, 9, 29), service_id
            assert "Date de vérification : 29 septembre 2022 (la page de cette date nomme" in note(service)
            in_seed(UCSD_SEPTEMBER, NAMED_IN_SEPTEMBER[service_id])
        else:
            assert service.verified == dt.date(2022, 6, 7), service_id
            assert "Date de vérification : 7 juin 2022" in note(service), service_id
            assert "la page du 29 septembre 2022 ne le nomme pas" in note(service), service_id


@pytest.mark.parametrize("service_id", ["ucsd-reims", "ucsd-la-martinique"])
def test_reims_and_la_martinique_are_planned(registry: Registry, service_id: str) -> None:
    service = registry.services[service_id]
    assert service.status.state == "planned"
    assert service.status.expected is None  # no source announces an opening date
    assert "état « en préparation » (planned) selon la page la plus récente" in note(service)
    assert "aucune date d'ouverture n'est annoncée" in note(service)
    in_seed(UCSD_SEPTEMBER, "dont trois en cours d'installation à Reims, La Martinique et le département du Val d'Oise")


def test_ucsd_idf_narrower_reading(registry: Registry) -> None:
    service = registry.services["ucsd-idf"]
    # The region-wide guess (fr-region-11, 12 million people) is gone: the reading the
    # notes support is the Val-d'Oise, marked approximate and as an inference.
    assert service.public.area == ["fr-dep-95"]
    assert service.public.area_approximate is True
    assert flat(service.public.area_note).startswith("Déduction, à vérifier")
    assert service.status.state == "planned"
    assert "Zone (Val-d'Oise) et état « en préparation » (planned) sont déduits de cette lecture" in note(service)
    assert "Une zone régionale (toute l'Île-de-France, dont Paris et les Hauts-de-Seine) n'est pas retenue" in note(
        service
    )
    assert service.verified == dt.date(2022, 6, 7)
    in_seed(UCSD_JUNE, "Brest / Caen / Clermont-Ferrand / IDF / La Martinique / Paris 2")


# --- Guyane (CISM CACL) -----------------------------------------------------------------------


def test_empp_cayenne_has_only_what_the_seed_says(registry: Registry) -> None:
    service = registry.services["empp-cayenne"]
    assert registry.service_organisation["empp-cayenne"] == "centre-hospitalier-cayenne"
    assert service.sources == ["cism-cacl-semsamar-2021-02"]
    assert service.verified == dt.date(2021, 2, 1)
    assert service.needs == ["mental-health"] and service.functions == ["mobile-team"]
    public = service.public
    assert (public.age, public.housing, public.summary, public.description) == (None, None, None, None)
    assert public.area == ["fr-commune-97302"] and public.area_approximate is True
    assert service.contacts == [] and service.access.referrers is None
    assert "tirés du nom de l'équipe" in note(service)
    assert "l'état « active » est celui par défaut (à vérifier)" in note(service)
    organisation = registry.organisations["centre-hospitalier-cayenne"]
    assert "est une déduction (seul hôpital que la fiche nomme)" in flat(organisation.note)
    in_seed(CISM, "Partenariat formalisé avec l'EMPP de l'hôpital")
    in_seed(CISM, "Pôle psychiatrie du Centre Hospitalier de Cayenne")
    in_seed(CISM, "(et partenariat resserré une fois l'EMPP opérationnelle)")


def test_design_fixed_ids_are_kept(registry: Registry) -> None:
    fixed = {
        "brusano-case-management",
        "bru-stars-case-management",
        "dune-liaison",
        "em107-precarite",
        "ucsd-lyon",
        "ucsd-lille",
        "ucsd-lille-jeunes",
        "ucsd-toulouse",
        "ucsd-toulouse-jeunes",
        "ucsd-marseille-1",
        "ucsd-marseille-2",
        "ucsd-paris-1",
        "ucsd-paris-2",
        "ucsd-idf-92",
        "ucsd-idf-93",
        "ucsd-saint-etienne",
        "ucsd-la-reunion",
        "ucsd-la-martinique",
        "ucsd-la-corse",
        "ucsd-idf",
        "clsm-saint-etienne-incurie",
        "cism-cacl-semsamar",
        "brusano-helpdesk",
    }
    assert fixed <= set(registry.services)


def test_seed_folder_is_the_one_the_sources_name(registry: Registry) -> None:
    documents = {s.document for s in registry.sources.values()}
    assert {FORUM, UCSD_JUNE, UCSD_SEPTEMBER, CISM} <= documents
    assert isinstance(ROOT, Path)


def test_planned_services_are_inactive_in_hsds(registry: Registry) -> None:
    # HSDS 3.0 has no "planned": such a service is "inactive", and our state stays an attribute.
    export = export_hsds(registry)
    by_name = {s["name"]: s for s in export.services}
    reims = by_name["Un chez-soi d'abord – Reims"]
    assert reims["status"] == "inactive"
    codes = {a["taxonomy_term"]["code"]: a.get("value") for a in reims["attributes"]}
    assert codes["maillage:status.state"] == "planned"
    assert by_name["Un chez-soi d'abord – Lyon"]["status"] == "active"
