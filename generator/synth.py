"""A synthetic registry of N services over the real gazetteer, for benchmarks.

``synthesize(n, out, project=..., seed=...)`` writes a whole project into ``out``: one
YAML file per organisation under ``data/registry/<département or province>/``, the
project's own ``data/territories`` and ``data/vocabularies`` (copied), synthetic
``sources.yaml`` and ``programmes.yaml``, and the project's ``mkdocs.yml`` and
``directory/`` and ``overrides/`` when they exist, so that ``maillage -C out check`` and ``build`` work.

The data looks like a real national directory: organisations placed where people live
(communes drawn by population), service areas at every territory level (a commune, a few
neighbouring communes, an EPCI, a département or province, a region, a country), criteria
drawn from archetypes of real services (mobile psychiatry teams, addiction centres,
housing first, helplines…), French text of realistic length, phones in the ranges
ARCEP reserves for fiction, e-mails and web sites under ``example.org``, some contacts
for professionals only, sites with the postcode of their commune, and Brussels entries in
French and Dutch.

The output depends only on ``n`` and ``seed`` (and the gazetteer): every random draw
comes from one ``random.Random(seed)`` and every iteration is in a fixed order, so two
runs give byte-identical files. YAML is written by hand, not through a YAML emitter: it
is an order of magnitude faster, and the layout is the one maintainers write.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from .registry.loader import locate_address
from .registry.territories import Gazetteer, Territory
from .registry.text import fold

BRUSSELS = "be-region-04000"
FLANDERS = "be-region-02000"
WRAP = 100
TODAY_LIMIT = dt.date(2025, 6, 30)  # newest "verified" date: fixed, so output never depends on the clock

# --- small helpers ---------------------------------------------------------------------

_PLAIN_START = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9«(]")
_NOT_PLAIN = re.compile(r"^(?:y|n|yes|no|true|false|on|off|null|~|[-+.0-9][-+.0-9:eE_ ]*)$", re.IGNORECASE)


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when unambiguous, else double-quoted."""
    if (
        _PLAIN_START.match(value)
        and ": " not in value
        and " #" not in value
        and not value.endswith((":", " "))
        and not _NOT_PLAIN.match(value)
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def slug(text: str, limit: int = 40) -> str:
    """A fragment of an id: 'Saint-Étienne' -> 'saint-etienne', at most ``limit`` characters."""
    return fold(text).replace(" ", "-")[:limit].strip("-")


def wrap(text: str, indent: str) -> list[str]:
    """``text`` cut into lines of about ``WRAP`` characters, for a folded block scalar."""
    lines: list[str] = []
    current: list[str] = []
    width = 0
    for word in text.split(" "):
        if current and width + len(word) + 1 > WRAP:
            lines.append(indent + " ".join(current))
            current, width = [], 0
        current.append(word)
        width += len(word) + 1
    if current:
        lines.append(indent + " ".join(current))
    return lines


@dataclass
class Writer:
    """The lines of one YAML file."""

    lines: list[str] = field(default_factory=list)

    def key(self, indent: int, key: str, value: str | None = None) -> None:
        pad = " " * indent
        self.lines.append(f"{pad}{key}:" if value is None else f"{pad}{key}: {value}")

    def text(self, indent: int, key: str, texts: dict[str, str]) -> None:
        """A localized text: a plain scalar when short and French only, else per language."""
        pad = " " * indent
        if list(texts) == ["fr"] and len(texts["fr"]) <= 90:
            self.lines.append(f"{pad}{key}: {scalar(texts['fr'])}")
            return
        self.lines.append(f"{pad}{key}:")
        for lang, value in texts.items():
            if len(value) <= 90:
                self.lines.append(f"{pad}  {lang}: {scalar(value)}")
            else:
                self.lines.append(f"{pad}  {lang}: >-")
                self.lines.extend(wrap(value, pad + "    "))

    def __str__(self) -> str:
        return "\n".join(self.lines) + "\n"


# --- phrase pools ----------------------------------------------------------------------

STREETS = (
    "rue Victor Hugo",
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Pasteur",
    "boulevard Gambetta",
    "rue du Général de Gaulle",
    "place de la Mairie",
    "rue de l'Église",
    "chemin des Écoles",
    "rue des Tilleuls",
    "allée des Acacias",
    "rue Émile Zola",
    "rue Jules Ferry",
    "avenue de la Gare",
    "rue du Moulin",
    "quai des Bateliers",
    "rue Louise Michel",
    "impasse des Lilas",
    "rue Paul Bert",
    "rue de la Solidarité",
)
STREETS_BE = (
    ("rue Royale", "Koningsstraat"),
    ("chaussée de Haecht", "Haachtsesteenweg"),
    ("rue de la Loi", "Wetstraat"),
    ("avenue Louise", "Louizalaan"),
    ("rue Haute", "Hoogstraat"),
    ("boulevard Anspach", "Anspachlaan"),
    ("rue du Midi", "Zuidstraat"),
    ("chaussée de Gand", "Gentsesteenweg"),
    ("place Communale", "Gemeenteplein"),
    ("rue des Palais", "Paleizenstraat"),
    ("avenue de la Couronne", "Kroonlaan"),
    ("rue Neuve", "Nieuwstraat"),
)
STREETS_NL = ("Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat", "Markt")

ASSOCIATION_NAMES = (
    "Le Relais",
    "L'Escale",
    "Diogène",
    "La Boussole",
    "Le Phare",
    "Passerelle",
    "L'Étape",
    "Le Fil d'Ariane",
    "Horizons",
    "La Traversée",
    "Point d'appui",
    "Le Tremplin",
    "L'Abri",
    "Trait d'union",
    "La Clé",
    "Interlude",
    "Les Amarres",
    "Ancrage",
    "Le Pont",
    "Entr'aide",
    "L'Oasis",
    "Cap Santé",
    "Parenthèse",
    "La Main tendue",
    "Le Lien",
    "Archipel",
    "Étincelle",
    "Sésame",
    "La Halte",
    "Le Sillon",
)
NL_NAMES = (
    "De Brug",
    "Het Anker",
    "De Sleutel",
    "Vzw Onderdak",
    "De Overstap",
    "Het Kompas",
    "De Schakel",
    "Huis Zonder Naam",
)

FIRST_NAMES = ("camille", "sacha", "lea", "hugo", "ines", "nadia", "karim", "julie", "thomas", "sofia", "yanis", "eva")

SOURCES = (
    ("synth-annuaire-ars-2024", "Annuaire régional de l'offre en santé mentale (données synthétiques)", "2024-03-01"),
    (
        "synth-enquete-clsm-2023",
        "Enquête nationale sur les conseils locaux de santé mentale (synthétique)",
        "2023-11-15",
    ),
    (
        "synth-rapport-empp-2022",
        "Rapport d'activité des équipes mobiles psychiatrie précarité (synthétique)",
        "2022-06-30",
    ),
    ("synth-cartographie-addictions-2024", "Cartographie des dispositifs en addictologie (synthétique)", "2024-01-20"),
    ("synth-bruxelles-social-2024", "Inventaire de l'offre sociale-santé bruxelloise (synthétique)", "2024-05-02"),
    ("synth-sociale-kaart-2023", "Sociale kaart van het aanbod geestelijke gezondheid (synthetisch)", "2023-09-12"),
    (
        "synth-siao-2023",
        "Recensement des dispositifs d'hébergement et de logement accompagné (synthétique)",
        "2023-04-18",
    ),
    (
        "synth-forum-zones-grises-2024",
        "Actes d'un forum sur les zones grises de l'accompagnement (synthétique)",
        "2024-02-08",
    ),
    (
        "synth-annuaire-handicap-2022",
        "Annuaire des services d'accompagnement du handicap psychique (synthétique)",
        "2022-10-03",
    ),
    ("synth-visite-terrain-2025", "Visites de terrain et échanges avec les équipes (synthétique)", "2025-01-15"),
)

PROGRAMMES = (
    ("synth-logement-d-abord", "Logement d'abord (programme synthétique)", "fr"),
    ("synth-reseau-107", "Réseaux de la réforme « psy 107 » (synthétique)", "be"),
    ("synth-clsm", "Réseau des conseils locaux de santé mentale (synthétique)", "fr"),
    ("synth-pair-aidance", "Pair-aidance en santé mentale (programme synthétique)", "fr"),
)

OTHER_LANGUAGES = ("en", "ar", "es", "pt", "ro", "tr", "ru", "uk", "it", "de", "pl")

GENERIC_OBJECTIVE = (
    "Éviter les ruptures de parcours en construisant avec la personne un accompagnement adapté à sa situation.",
    "Faciliter l'accès aux droits et aux soins des personnes les plus éloignées des dispositifs de droit commun.",
    "Soutenir les professionnel·les de première ligne confrontés à des situations qui les mettent en difficulté.",
    "Redonner à la personne une place d'actrice de son parcours, en partant de ses priorités et de ses ressources.",
    "Coordonner les intervenant·es autour de la personne pour que chacun sache ce que fait l'autre.",
    "Prévenir l'aggravation des situations par une intervention précoce, avant que la crise ne s'installe.",
)
GENERIC_METHOD = (
    "Un premier entretien permet d'évaluer la situation, les besoins exprimés et les ressources mobilisables.",
    "Un plan d'accompagnement individualisé est élaboré avec la personne et réévalué à intervalles réguliers.",
    "Les rencontres ont lieu là où la personne se sent le plus à l'aise : à domicile, dans la rue, dans un lieu "
    "partenaire.",
    "L'équipe travaille en binôme et s'appuie sur des réunions cliniques hebdomadaires.",
    "Des concertations réunissent les professionnel·les concerné·es, la personne et, si elle le souhaite, ses proches.",
    "L'accompagnement s'appuie sur l'approche orientée rétablissement et sur la réduction des risques.",
    "Le service fait le lien avec le médecin traitant, le service de santé mentale et les services sociaux du secteur.",
    "Un relais est organisé vers les dispositifs de droit commun dès que la situation le permet.",
    "Les professionnel·les peuvent solliciter un avis ou une analyse de situation sans orienter immédiatement la "
    "personne.",
)
GENERIC_TIMING = (
    "L'accompagnement dure le temps nécessaire, avec une réévaluation tous les trois mois.",
    "Le suivi est limité dans le temps : « aussi court que possible, aussi long que nécessaire ».",
    "Les premières semaines sont consacrées à la création du lien ; les rencontres s'espacent ensuite.",
    "Intervention ponctuelle, éventuellement renouvelée si la situation l'exige.",
    "Le rythme des rencontres est adapté à chaque situation, de plusieurs fois par semaine à une fois par mois.",
)
GENERIC_ATTENTION = (
    "Le service ne se substitue pas aux soins psychiatriques ni à l'urgence : en cas de danger immédiat, appeler le 15 "
    "ou le 112.",
    "Les délais d'attente peuvent être longs en période de forte demande ; une liste d'attente est tenue.",
    "L'accord de la personne est recherché ; une intervention sans son consentement n'est possible que dans un cadre "
    "précis.",
    "Le service ne dispose pas de solution d'hébergement en propre.",
    "Les demandes incomplètes retardent l'instruction : joindre les éléments de contexte disponibles.",
    "La zone d'intervention est strictement limitée au territoire indiqué.",
    "Le secret professionnel partagé s'applique dans le respect de la volonté de la personne.",
)
TEAMS = (
    "Une équipe pluridisciplinaire : infirmier·es, travailleur·euses sociaux, psychologue et psychiatre à temps "
    "partiel.",
    "Deux éducateur·rices spécialisé·es, une assistante sociale et une coordinatrice.",
    "Des travailleur·euses pair·es, un·e infirmier·e en psychiatrie et un·e médecin référent·e.",
    "Une coordinatrice à mi-temps, appuyée par les membres du réseau partenaire.",
    "Des bénévoles formé·es, encadré·es par deux salarié·es.",
)
PARTNERS = (
    "Centre hospitalier du secteur, centres médico-psychologiques, CCAS, bailleurs sociaux, SIAO.",
    "Maisons médicales, services de santé mentale, CPAS, associations d'aide aux personnes sans abri.",
    "Médecins généralistes, pharmacies, services d'aide à domicile, mandataires judiciaires.",
    "Missions locales, établissements scolaires, services de protection de l'enfance, maisons des adolescents.",
)
HOURS = (
    "Du lundi au vendredi, de 9 h à 17 h.",
    "Du lundi au vendredi de 9 h à 12 h 30 et de 13 h 30 à 17 h ; fermé le mercredi après-midi.",
    "Permanence téléphonique du lundi au jeudi de 10 h à 16 h.",
    "Accueil sans rendez-vous le mardi et le jeudi matin, sur rendez-vous les autres jours.",
    "Tous les jours de 8 h à 20 h, week-ends compris.",
)
NL = {
    "objective": "Personen in een complexe situatie begeleiden en de hulpverleners rond hen op elkaar afstemmen.",
    "summary": "Volwassenen in een kwetsbare situatie.",
    "description": "Organisatie actief in de welzijns- en gezondheidssector.",
    "form": "Aanvraag per telefoon of e-mail, door de persoon zelf of door een hulpverlener.",
}


@dataclass(frozen=True)
class Archetype:
    """A kind of service seen in real directories, with its usual criteria and words."""

    key: str
    names: tuple[str, ...]
    needs: tuple[str, ...]
    functions: tuple[str, ...]
    ages: tuple[tuple[int | None, int | None], ...]
    housing: tuple[str, ...] | None
    referrers: tuple[str, ...]
    modality: tuple[str, ...]
    levels: tuple[str, ...]  # usual area levels, drawn uniformly
    objective: tuple[str, ...]
    method: tuple[str, ...]
    public: tuple[str, ...]
    weight: int
    places: tuple[int, ...] = ()
    always: bool = False
    nl_names: tuple[str, ...] = ()


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "empp",
        ("Équipe mobile psychiatrie précarité", "Équipe mobile santé mentale et précarité"),
        ("mental-health", "homelessness"),
        ("mobile-team", "liaison"),
        ((18, None), (16, None)),
        ("roofless", "houseless", "insecure"),
        ("professional", "self"),
        ("outreach",),
        ("dep", "epci", "epci"),
        (
            "Aller à la rencontre des personnes en situation de précarité présentant des troubles psychiques, là où "
            "elles vivent.",
            "Faciliter l'accès aux soins psychiatriques des personnes sans chez-soi et soutenir les équipes sociales "
            "qui les accompagnent.",
        ),
        (
            "Maraudes conjointes avec les équipes sociales, permanences dans les accueils de jour et les centres "
            "d'hébergement.",
            "Évaluation psychiatrique sur le lieu de vie, orientation accompagnée vers le secteur de psychiatrie.",
        ),
        (
            "Personnes majeures sans domicile ou en hébergement précaire, présentant une souffrance psychique, "
            "qu'elles soient ou non demandeuses de soins.",
        ),
        10,
        nl_names=("Mobiel team psychiatrie en precariteit",),
    ),
    Archetype(
        "case-management",
        ("Case management des situations complexes", "Accompagnement des situations complexes"),
        ("complex-situation",),
        ("case-management",),
        ((18, None), (16, None), (None, None)),
        ("housed", "insecure", "inadequate"),
        ("self", "relative", "professional"),
        ("home", "office"),
        ("commune", "communes", "epci", "dep"),
        (
            "Accompagner les situations complexes qui ne trouvent pas de réponse dans les dispositifs existants, en "
            "redonnant de la cohérence à l'intervention du réseau.",
            "Soutenir un réseau à bout de souffle autour d'une personne en situation complexe, puis se retirer quand "
            "chacun connaît son rôle.",
        ),
        (
            "Le ou la case manager n'intervient pas directement dans l'aide ou les soins : il ou elle identifie les "
            "besoins, construit le plan de soutien et trouve pour chaque objectif le ou la professionnel·le adéquat·e.",
        ),
        (
            "Adultes vivant à domicile, dont la situation mêle difficultés de santé, sociales et relationnelles, sans "
            "réponse dans les dispositifs existants.",
        ),
        9,
        nl_names=("Casemanagement voor complexe situaties",),
    ),
    Archetype(
        "housing-first",
        ("Un logement d'abord", "Logement accompagné « chez-soi d'abord »"),
        ("mental-health", "homelessness", "housing"),
        ("housing-first", "assertive-community-treatment"),
        ((18, None), (18, 22)),
        ("roofless", "houseless"),
        ("professional",),
        ("home", "outreach"),
        ("epci", "dep"),
        (
            "Proposer un logement ordinaire directement depuis la rue, sans condition de traitement ni d'arrêt des "
            "consommations, avec un accompagnement soutenu.",
        ),
        (
            "Accompagnement pluridisciplinaire intensif au domicile, au moins une visite par semaine, fondé sur le "
            "rétablissement et la réduction des risques.",
            "Le logement est loué par l'association et sous-loué à la personne, qui dispose d'un bail et paie un loyer "
            "résiduel.",
        ),
        ("Personnes sans abri présentant des troubles psychiques sévères et des besoins élevés d'accompagnement.",),
        5,
        places=(50, 55, 100),
        nl_names=("Housing First",),
    ),
    Archetype(
        "helpline",
        ("Ligne d'écoute", "Numéro d'écoute et d'orientation", "Helpdesk d'orientation"),
        ("mental-health", "social-rights"),
        ("helpline",),
        ((None, None), (18, None), (12, 25)),
        None,
        ("self", "relative", "professional"),
        ("phone", "online"),
        ("region", "country", "dep"),
        (
            "Écouter, informer et orienter toute personne qui s'interroge sur sa santé mentale ou celle d'un proche.",
            "Aider les personnes et les professionnel·les à trouver le bon interlocuteur dans l'offre sociale et de "
            "santé.",
        ),
        (
            "Écoute anonyme par des écoutant·es formé·es ; orientation vers les ressources du territoire ; rappel "
            "possible à la demande.",
        ),
        ("Toute personne, ses proches et les professionnel·les, sans condition.",),
        6,
        always=True,
        nl_names=("Luisterlijn", "Helpdesk voor doorverwijzing"),
    ),
    Archetype(
        "csapa",
        ("Centre de soins en addictologie (CSAPA)", "Consultation jeunes consommateurs"),
        ("addiction",),
        ("harm-reduction", "case-management"),
        ((None, None), (12, 25), (18, None)),
        None,
        ("self", "relative", "professional"),
        ("office", "phone"),
        ("commune", "epci", "dep"),
        (
            "Accueillir, évaluer et accompagner les personnes en difficulté avec l'alcool, le tabac, les drogues ou "
            "les jeux.",
        ),
        (
            "Consultations médicales, psychologiques et sociales ; traitements de substitution ; groupes de parole ; "
            "soutien de l'entourage.",
        ),
        (
            "Personnes ayant une consommation problématique de produits ou une addiction comportementale, et leur "
            "entourage.",
        ),
        7,
        nl_names=("Centrum voor verslavingszorg",),
    ),
    Archetype(
        "caarud",
        ("Accueil et réduction des risques (CAARUD)", "Équipe de réduction des risques"),
        ("addiction", "homelessness"),
        ("harm-reduction",),
        ((18, None),),
        ("roofless", "houseless", "insecure"),
        ("self", "professional"),
        ("outreach", "office"),
        ("commune", "epci"),
        ("Réduire les risques liés à l'usage de drogues et créer un lien avec des personnes éloignées du soin.",),
        (
            "Accueil inconditionnel et anonyme, distribution de matériel stérile, maraudes, accompagnement vers le "
            "dépistage et les soins.",
        ),
        ("Usagers et usagères de drogues, en particulier en situation de grande précarité.",),
        4,
    ),
    Archetype(
        "incurie",
        ("Cellule incurie", "Cellule de coordination des situations d'incurie"),
        ("hoarding", "complex-situation"),
        ("coordination-cell",),
        ((18, None), (None, None)),
        ("housed", "inadequate"),
        ("professional", "relative"),
        ("home",),
        ("commune", "communes", "epci"),
        (
            "Coordonner l'intervention des services autour des situations d'incurie dans le logement, en respectant la "
            "personne.",
        ),
        (
            "Réunions pluridisciplinaires mensuelles (santé, social, hygiène, bailleurs) ; visite à domicile conjointe "
            "; plan d'action partagé.",
        ),
        (
            "Personnes vivant dans un logement dont l'état met en danger leur santé ou celle du voisinage (syndrome de "
            "Diogène, accumulation).",
        ),
        3,
    ),
    Archetype(
        "clsm",
        ("Conseil local de santé mentale", "Coordination santé mentale de territoire"),
        ("mental-health",),
        ("local-mental-health-council", "coordination-cell"),
        ((None, None),),
        None,
        ("professional",),
        ("office",),
        ("commune", "epci", "communes"),
        (
            "Réunir élus, psychiatrie publique, usagers, aidants et acteurs locaux pour définir et mettre en œuvre une "
            "politique locale de santé mentale.",
        ),
        (
            "Assemblée plénière annuelle, comité de pilotage, groupes de travail thématiques (logement, jeunesse, "
            "accès aux soins), cellule de cas complexes.",
        ),
        (
            "Professionnel·les et habitant·es du territoire ; la cellule de situations complexes est saisie par les "
            "professionnel·les.",
        ),
        4,
    ),
    Archetype(
        "gem",
        ("Groupe d'entraide mutuelle (GEM)", "Lieu d'accueil et d'entraide entre pairs"),
        ("mental-health",),
        ("peer-support",),
        ((18, None),),
        None,
        ("self",),
        ("office",),
        ("commune", "communes"),
        ("Offrir un lieu convivial, géré par et pour ses membres, pour rompre l'isolement et reprendre confiance.",),
        ("Activités choisies par les adhérent·es, accueil par des pair·es, soutien d'un·e animateur·rice salarié·e.",),
        ("Adultes concernés par des troubles psychiques, en situation d'isolement.",),
        5,
        nl_names=("Lotgenotengroep",),
    ),
    Archetype(
        "tenancy",
        ("Accompagnement vers et dans le logement", "Maintien dans le logement"),
        ("housing", "homelessness"),
        ("tenancy-support",),
        ((18, None),),
        ("houseless", "insecure", "housed"),
        ("professional", "self"),
        ("home", "office"),
        ("epci", "dep", "commune"),
        ("Permettre l'accès à un logement et s'y maintenir durablement, en prévenant les expulsions.",),
        (
            "Aide aux démarches, médiation avec le bailleur, gestion budgétaire, appropriation du logement et du "
            "quartier.",
        ),
        ("Ménages en difficulté pour accéder à un logement ou s'y maintenir, notamment sous menace d'expulsion.",),
        7,
    ),
    Archetype(
        "caregivers",
        ("Soutien aux aidant·es", "Accueil des familles et des proches"),
        ("caregiver-support",),
        ("peer-support", "training"),
        ((None, None),),
        None,
        ("relative", "self"),
        ("office", "phone", "online"),
        ("dep", "region", "epci"),
        (
            "Soutenir les proches d'une personne vivant avec des troubles psychiques, les informer et rompre leur "
            "isolement.",
        ),
        (
            "Groupes de parole, entretiens individuels, formations pour les familles (psychoéducation), information "
            "sur les droits.",
        ),
        ("Parents, conjoint·es, enfants et ami·es d'une personne vivant avec des troubles psychiques.",),
        4,
    ),
    Archetype(
        "mda",
        ("Maison des adolescents", "Point accueil écoute jeunes"),
        ("youth", "mental-health"),
        ("liaison", "case-management"),
        ((11, 25), (12, 21), (16, 25)),
        None,
        ("self", "relative", "professional"),
        ("office", "phone"),
        ("dep", "epci"),
        (
            "Accueillir les adolescent·es et leurs familles, sans rendez-vous, pour toute question de santé, de "
            "scolarité ou de relations.",
        ),
        (
            "Accueil généraliste, entretiens avec des psychologues, consultations spécialisées, travail en réseau avec "
            "l'Éducation nationale.",
        ),
        ("Jeunes de 11 à 25 ans, leurs parents et les professionnel·les qui les accompagnent.",),
        4,
        nl_names=("Jongerenpunt",),
    ),
    Archetype(
        "rights",
        ("Accès aux droits", "Permanence sociale", "Service social polyvalent"),
        ("social-rights",),
        ("case-management",),
        ((18, None), (None, None)),
        None,
        ("self", "relative", "professional"),
        ("office", "phone"),
        ("commune", "communes"),
        (
            "Informer sur les droits sociaux et accompagner leur ouverture : revenus, couverture santé, domiciliation, "
            "aides au logement.",
        ),
        (
            "Entretiens individuels, aide à la constitution des dossiers, domiciliation administrative, suivi des "
            "demandes.",
        ),
        ("Toute personne domiciliée ou présente sur la commune rencontrant des difficultés sociales.",),
        10,
        nl_names=("Sociale dienst",),
    ),
    Archetype(
        "samsah",
        ("Accompagnement médico-social du handicap psychique (SAMSAH)", "Service d'accompagnement à la vie sociale"),
        ("disability", "mental-health"),
        ("case-management",),
        ((18, 60), (20, None)),
        ("housed",),
        ("professional",),
        ("home",),
        ("dep", "epci"),
        (
            "Accompagner à domicile des adultes en situation de handicap psychique pour favoriser leur autonomie et "
            "leur vie sociale.",
        ),
        (
            "Visites à domicile, coordination des soins, soutien aux actes de la vie quotidienne, accompagnement vers "
            "les activités.",
        ),
        ("Adultes dont le handicap psychique est reconnu par la maison départementale des personnes handicapées.",),
        4,
        places=(20, 30, 40, 45),
    ),
    Archetype(
        "pass",
        ("Permanence d'accès aux soins de santé (PASS)", "Consultation santé précarité"),
        ("physical-health", "homelessness", "social-rights"),
        ("liaison",),
        ((None, None), (16, None)),
        None,
        ("self", "professional"),
        ("office",),
        ("commune", "epci"),
        ("Permettre aux personnes sans couverture santé d'accéder aux soins et de retrouver leurs droits.",),
        (
            "Consultation médicale et sociale sans rendez-vous, délivrance de traitements, ouverture des droits à "
            "l'assurance maladie.",
        ),
        ("Personnes en situation de précarité, sans couverture santé ou avec une couverture incomplète.",),
        4,
    ),
    Archetype(
        "training",
        ("Formation premiers secours en santé mentale", "Appui et formation des professionnel·les"),
        ("professional-support", "mental-health"),
        ("training",),
        ((None, None),),
        None,
        ("professional",),
        ("office", "online"),
        ("region", "dep", "country"),
        ("Former les professionnel·les et les citoyen·nes à repérer la souffrance psychique et à orienter.",),
        ("Sessions de deux jours, analyse de pratiques, appui à distance pour les situations difficiles.",),
        ("Professionnel·les de première ligne, bailleurs, élus, bénévoles.",),
        3,
    ),
)

ORG_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (name template, archetypes the organisation runs)
    ("Centre communal d'action sociale de {commune}", ("rights", "tenancy", "incurie", "caregivers")),
    ("Association {assoc}", ("case-management", "tenancy", "gem", "caregivers", "rights", "caarud")),
    ("Centre hospitalier de {commune}", ("empp", "pass", "csapa", "mda", "case-management")),
    ("Association {assoc} — {dep}", ("housing-first", "tenancy", "samsah", "empp", "training")),
    ("Ville de {commune}", ("clsm", "incurie", "rights")),
    ("{assoc} Addictions", ("csapa", "caarud", "helpline")),
    ("Union départementale des familles ({dep})", ("caregivers", "helpline", "training", "gem")),
    ("Fondation {assoc}", ("housing-first", "samsah", "case-management", "helpline", "mda")),
)
ORG_KINDS_BE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("CPAS de {commune}", "OCMW {commune_nl}", ("rights", "tenancy", "incurie")),
    (
        "Service de santé mentale {assoc}",
        "Dienst geestelijke gezondheid {assoc}",
        ("case-management", "mda", "caregivers", "empp"),
    ),
    ("Maison médicale {assoc}", "Wijkgezondheidscentrum {assoc}", ("pass", "rights", "csapa")),
    ("{assoc} asbl", "{assoc} vzw", ("case-management", "tenancy", "caarud", "gem", "helpline", "housing-first")),
    (
        "Réseau santé mentale {province}",
        "Netwerk geestelijke gezondheid {province}",
        ("empp", "case-management", "training", "helpline"),
    ),
)


# --- the gazetteer, prepared for drawing -------------------------------------------------


@dataclass
class Places:
    """The gazetteer's communes with cumulative population weights, and their surroundings."""

    gazetteer: Gazetteer
    communes: list[Territory]
    cumulative: list[float]
    by_parent: dict[str, list[Territory]]

    @classmethod
    def prepare(cls, gazetteer: Gazetteer) -> Places:
        communes = [t for t in gazetteer if t.level == "commune"]
        by_parent: dict[str, list[Territory]] = defaultdict(list)
        for commune in communes:
            for parent in commune.parents:
                by_parent[parent].append(commune)
        # Belgium has no population column: about 11.8 M people over 565 communes, with
        # Brussels (1.2 M over 19) denser; the weights keep France about 85 % of the draw.
        weights: list[float] = []
        for commune in communes:
            if commune.population is not None:
                weights.append(float(commune.population))
            elif BRUSSELS in commune.parents:
                weights.append(64_000.0)
            else:
                weights.append(18_000.0)
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += max(weight, 1.0)
            cumulative.append(total)
        return cls(gazetteer, communes, cumulative, by_parent)

    def draw(self, rng: Random) -> Territory:
        index = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.communes[min(index, len(self.communes) - 1)]

    def main_parent(self, commune: Territory) -> str:
        """The département, province or (Brussels) region of a commune."""
        return next(p for p in commune.parents if not p.startswith("fr-epci-"))

    def epci(self, commune: Territory) -> str | None:
        return next((p for p in commune.parents if p.startswith("fr-epci-")), None)

    def region(self, commune: Territory) -> str:
        """The region of a commune, through its département (an EPCI may straddle two)."""
        main = self.gazetteer[self.main_parent(commune)]
        return main.code if main.level == "region" else main.parents[0]

    def country(self, commune: Territory) -> str:
        return commune.code.split("-", 1)[0]


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFile:
    """One organisation's YAML text and where it goes."""

    id: str
    folder: str
    text: str
    services: int


class Synthesizer:
    """Draws organisations, their sites and services, and writes them as YAML."""

    def __init__(self, places: Places, seed: int) -> None:
        self.places = places
        self.rng = Random(seed)
        self.used: set[str] = set()
        self.weights = [a.weight for a in ARCHETYPES]
        self.archetypes = {a.key: a for a in ARCHETYPES}

    def unique(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``… whichever is still free."""
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate

    def organisation(self, services: int) -> OrganisationFile:
        rng = self.rng
        home = self.places.draw(rng)
        brussels = BRUSSELS in home.parents
        belgian = home.code.startswith("be-")
        flemish = belgian and FLANDERS in self.places.gazetteer.ancestors(home.code)
        parent = self.places.gazetteer[self.places.main_parent(home)]
        assoc = rng.choice(NL_NAMES if flemish else ASSOCIATION_NAMES)
        names: dict[str, str]
        if belgian:
            template_fr, template_nl, kinds = rng.choice(ORG_KINDS_BE)
            fill = {
                "commune": home.name,
                "commune_nl": home.name_nl or home.name,
                "assoc": assoc,
                "province": parent.label("nl" if flemish else "fr")
                .removeprefix("Province du ")
                .removeprefix("Province de ")
                .removeprefix("Provincie "),
            }
            if flemish:
                names = {"nl": template_nl.format(**fill)}
            elif brussels:
                names = {"fr": template_fr.format(**fill), "nl": template_nl.format(**fill)}
            else:
                names = {"fr": template_fr.format(**fill)}
        else:
            template, kinds = rng.choice(ORG_KINDS)
            names = {"fr": template.format(commune=home.name, assoc=assoc, dep=parent.name)}
        main_name = names.get("fr") or names["nl"]
        named = main_name if home.name in main_name else f"{main_name} {home.name}"
        org_id = self.unique(slug(named, 50))
        domain = f"{slug(assoc if assoc in main_name else main_name, 24)}-{slug(home.name, 16)}.example.org"

        w = Writer()
        w.key(0, "id", org_id)
        w.text(0, "name", names)
        if rng.random() < 0.3:
            w.key(0, "short_name", scalar(assoc))
        if rng.random() < 0.5:
            w.key(
                0,
                "legal_form",
                "asbl" if belgian else rng.choice(("association loi 1901", "établissement public", "GCSMS")),
            )
        description = (
            self.sentences(GENERIC_OBJECTIVE, 1, 2) + f" Implantée à {home.name} depuis {rng.randint(1975, 2022)}."
        )
        w.text(0, "description", self.localize(description, brussels, flemish, NL["description"]))
        w.key(0, "website", f"https://www.{domain}")
        w.key(0, "contacts")
        self.contacts(w, 2, domain, home, "accueil", professional=False)
        sites = self.sites(w, org_id, home, parent.code, belgian, brussels)
        w.key(0, "sources", f"[{self.rng.choice(self.source_ids(belgian, brussels, flemish))}]")
        w.key(0, "services")
        # An organisation runs each of its usual kinds of service once before repeating
        # one (a second antenna, a second team), plus now and then something unusual.
        usual = rng.sample(kinds, len(kinds))
        for i in range(services):
            if i < len(usual) and rng.random() < 0.85:
                kind = self.archetypes[usual[i]]
            else:
                kind = rng.choices(ARCHETYPES, self.weights)[0]
            self.service(w, org_id, kind, home, sites, domain, belgian, brussels, flemish)
        folder = parent.code
        return OrganisationFile(org_id, folder, str(w), services)

    def source_ids(self, belgian: bool, brussels: bool, flemish: bool) -> list[str]:
        if brussels:
            return ["synth-bruxelles-social-2024", "synth-forum-zones-grises-2024", "synth-visite-terrain-2025"]
        if flemish:
            return ["synth-sociale-kaart-2023", "synth-visite-terrain-2025"]
        if belgian:
            return ["synth-forum-zones-grises-2024", "synth-visite-terrain-2025"]
        return [s[0] for s in SOURCES if s[0] not in ("synth-bruxelles-social-2024", "synth-sociale-kaart-2023")]

    def sentences(self, pool: Sequence[str], low: int, high: int, first: Sequence[str] = ()) -> str:
        """A paragraph: sentences of ``first`` then of ``pool``, in random order, no repeat."""
        chosen = [self.rng.choice(first)] if first else []
        chosen += self.rng.sample(pool, min(self.rng.randint(low, high), len(pool)))
        return " ".join(chosen)

    def localize(self, french: str, brussels: bool, flemish: bool, dutch: str) -> dict[str, str]:
        """French text, with a Dutch version beside it in Brussels and Flanders."""
        if flemish or brussels:
            return {"fr": french, "nl": dutch}
        return {"fr": french}

    def phone(self, commune: Territory, mobile: bool = False) -> str:
        rng = self.rng
        if commune.code.startswith("be-"):
            if mobile:
                return f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            zone = "02" if BRUSSELS in commune.parents else f"0{rng.randint(10, 89)}"
            return f"{zone} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        if mobile:
            return f"06 39 98 {rng.randint(10, 99)} {rng.randint(10, 99)}"
        # The numbers ARCEP reserves for fiction, by the region's prefix.
        dep = self.places.main_parent(commune).removeprefix("fr-dep-")
        prefix = _french_prefix(dep)
        return f"{prefix} {rng.randint(10, 99)} {rng.randint(10, 99)}"

    def contacts(self, w: Writer, indent: int, domain: str, home: Territory, box: str, *, professional: bool) -> None:
        rng = self.rng
        pad = " " * indent
        w.lines.append(f"{pad}- kind: phone")
        w.lines.append(f"{pad}  value: {self.phone(home)}")
        if rng.random() < 0.4:
            w.lines.append(f"{pad}  hours: {scalar(rng.choice(HOURS))}")
        w.lines.append(f"{pad}- kind: email")
        w.lines.append(f"{pad}  value: {box}@{domain}")
        if professional:
            # A direct line or a worker's address, given to professionals only.
            if rng.random() < 0.5:
                w.lines.append(f"{pad}- kind: phone")
                w.lines.append(f"{pad}  value: {self.phone(home, mobile=True)}")
                w.lines.append(f"{pad}  label: Ligne directe des professionnel·les")
            else:
                w.lines.append(f"{pad}- kind: email")
                w.lines.append(f"{pad}  value: {rng.choice(FIRST_NAMES)}.{rng.choice(FIRST_NAMES)}@{domain}")
                w.lines.append(f"{pad}  label: Référent·e")
            w.lines.append(f"{pad}  visibility: professional")

    def sites(self, w: Writer, org_id: str, home: Territory, parent: str, belgian: bool, brussels: bool) -> list[str]:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]
        neighbours = self.places.by_parent.get(parent) or [home]
        w.key(0, "sites")
        ids: list[str] = []
        for i in range(count):
            commune = home if i == 0 or rng.random() < 0.4 else rng.choice(neighbours)
            site_id = self.unique(f"{org_id[:60]}-site-{slug(commune.name, 16)}")
            ids.append(site_id)
            w.lines.append(f"  - id: {site_id}")
            if brussels and i == 0:
                w.lines.append("    name:")
                w.lines.append(f"      fr: {scalar('Siège — ' + commune.name)}")
                w.lines.append(f"      nl: {scalar('Zetel — ' + (commune.name_nl or commune.name))}")
            else:
                label = "Siège" if i == 0 else rng.choice(("Antenne", "Permanence", "Accueil de jour", "Local"))
                w.lines.append(f"    name: {scalar(label + ' de ' + commune.name)}")
            w.lines.append("    address:")
            number = rng.randint(1, 180)
            if belgian:
                street_fr, street_nl = rng.choice(STREETS_BE)
                flemish = FLANDERS in self.places.gazetteer.ancestors(commune.code)
                street = f"{rng.choice(STREETS_NL)} {number}" if flemish else f"{street_fr.capitalize()} {number}"
                if brussels and not flemish and rng.random() < 0.3:
                    street = f"{street_nl} {number}"
            else:
                street = f"{number} {rng.choice(STREETS)}"
            w.lines.append(f"      street: {scalar(street)}")
            postcode = rng.choice(commune.postcodes) if commune.postcodes else None
            if postcode:
                w.lines.append(f'      postcode: "{postcode}"')
            w.lines.append(f"      city: {scalar(commune.name)}")
            # Half the sites give their commune's code; the others are found by postcode
            # and city, which is what check does for maintainers who write only those.
            if (
                not postcode
                or rng.random() < 0.5
                or locate_address(self.places.gazetteer, postcode, commune.name) != commune.code
            ):
                w.lines.append(f"      territory: {commune.code}")
            if commune.lat is not None and commune.lon is not None and rng.random() < 0.6:
                lat = commune.lat + rng.uniform(-0.01, 0.01)
                lon = commune.lon + rng.uniform(-0.01, 0.01)
                w.lines.append(f"    coordinates: {{lat: {lat:.5f}, lon: {lon:.5f}}}")
        return ids

    def area(self, kind: Archetype, home: Territory, belgian: bool) -> tuple[list[str], str]:
        """A service area around ``home``, at a level usual for its kind; and that level."""
        rng = self.rng
        places = self.places
        level = (
            rng.choice(kind.levels)
            if rng.random() < 0.85
            else rng.choice(("commune", "communes", "epci", "dep", "region", "country"))
        )
        if level == "epci":
            epci = places.epci(home)
            if epci is None:
                level = "communes"
            else:
                return [epci], level
        if level == "communes":
            pool = places.by_parent.get(places.epci(home) or places.main_parent(home)) or [home]
            others = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
            codes = sorted({home.code, *(c.code for c in others)})
            return codes, level
        if level == "commune":
            return [home.code], level
        if level == "dep":
            main = places.main_parent(home)
            if rng.random() < 0.08 and not main.startswith("be-region"):
                # A service shared by two neighbouring départements (or provinces).
                region = places.region(home)
                siblings = [c for c in places.gazetteer.children.get(region, ()) if c != main]
                if siblings:
                    return sorted([main, rng.choice(siblings)]), level
            return [main], level
        if level == "region":
            return [places.region(home)], level
        return [places.country(home)], level

    def service(
        self,
        w: Writer,
        org_id: str,
        kind: Archetype,
        home: Territory,
        sites: list[str],
        domain: str,
        belgian: bool,
        brussels: bool,
        flemish: bool,
    ) -> None:
        rng = self.rng
        base = rng.choice(kind.names)
        service_id = self.unique(f"{org_id[:56]}-{kind.key}")
        area, level = self.area(kind, home, belgian)
        w.lines.append(f"  - id: {service_id}")
        name = base if rng.random() < 0.6 else f"{base} — {home.name}"
        if (brussels or flemish) and kind.nl_names:
            w.text(4, "name", {"fr": name, "nl": rng.choice(kind.nl_names)})
        else:
            w.text(4, "name", {"fr": name})
        if kind.key == "housing-first" and not belgian:
            w.key(4, "programme", "synth-logement-d-abord")
        elif kind.key == "clsm" and not belgian:
            w.key(4, "programme", "synth-clsm")
        elif kind.key == "empp" and belgian and rng.random() < 0.5:
            w.key(4, "programme", "synth-reseau-107")
        state = rng.choices(("active", "pilot", "closed"), (90, 8, 2))[0]
        if state != "active" or rng.random() < 0.3:
            w.key(4, "status")
            w.key(6, "state", state)
            since = dt.date(rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28))
            w.key(6, "since", since.isoformat())
            if state == "closed":
                w.key(6, "until", dt.date(since.year + rng.randint(1, 2), rng.randint(1, 12), 1).isoformat())
        w.key(4, "needs", "[" + ", ".join(kind.needs) + "]")
        w.key(4, "functions", "[" + ", ".join(kind.functions) + "]")
        if kind.key in ("helpline", "rights") and rng.random() < 0.3:
            w.key(4, "generalist", "true")
        objective = self.sentences(GENERIC_OBJECTIVE, 1, 2, kind.objective)
        w.text(4, "objective", self.localize(objective, brussels, flemish, NL["objective"]))
        # --- public
        w.key(4, "public")
        summary = kind.public[0].split(",")[0].rstrip(".")
        w.text(6, "summary", self.localize(summary + ".", brussels, flemish, NL["summary"]))
        if rng.random() < 0.8:
            description = self.sentences(
                (
                    "Aucune condition de ressources n'est demandée.",
                    "La personne n'a pas besoin d'être en ordre de couverture santé.",
                    "Les personnes en « non-demande » peuvent être rencontrées à la demande d'un·e professionnel·le.",
                    "Les situations de crise aiguë relèvent des urgences psychiatriques.",
                    "Les proches peuvent être associés si la personne le souhaite.",
                    f"Le service intervient auprès des personnes qui vivent sur le territoire de {home.name} et "
                    "alentours.",
                ),
                1,
                3,
                kind.public,
            )
            w.text(6, "description", {"fr": description})
        low, high = rng.choice(kind.ages)
        if rng.random() < 0.9 and (low is not None or high is not None):
            parts = [f"min: {low}"] if low is not None else []
            parts += [f"max: {high}"] if high is not None else []
            w.key(6, "age", "{" + ", ".join(parts) + "}")
        w.key(6, "area", "[" + ", ".join(area) + "]")
        if level == "commune" and rng.random() < 0.15:
            w.key(6, "area_approximate", "true")
            w.key(6, "area_note", scalar("Zone déduite de la seule commune citée par la source."))
        elif level == "communes" and rng.random() < 0.3:
            w.key(6, "area_note", scalar("Les communes du secteur de psychiatrie."))
        if kind.housing and rng.random() < 0.85:
            housing = [h for h in kind.housing if rng.random() < 0.85] or [kind.housing[0]]
            w.key(6, "housing", "[" + ", ".join(housing) + "]")
        conditions = [
            (name, rng.random() < share)
            for name, known, share in (
                ("health_insurance_required", 0.5, 0.2),
                ("residence_permit_required", 0.4, 0.1),
                ("non_demand_accepted", 0.4, 0.5),
                ("crisis_accepted", 0.4, 0.3),
                ("diagnosis_required", 0.3, 0.3),
                ("consent_required", 0.4, 0.7),
            )
            if rng.random() < known
        ]
        if conditions:
            w.key(6, "conditions")
            for name, value in conditions:
                w.key(8, name, "true" if value else "false")
        if rng.random() < 0.25:
            w.text(
                6,
                "exclusions",
                {
                    "fr": rng.choice(
                        (
                            "Les personnes relevant d'une hospitalisation sous contrainte.",
                            "Les mineur·es, orienté·es vers les services de protection de l'enfance.",
                            "Les situations déjà suivies par une équipe de même nature.",
                        )
                    )
                },
            )
        # --- access
        w.key(4, "access")
        referrers = [r for r in kind.referrers if rng.random() < 0.9] or [kind.referrers[0]]
        if rng.random() < 0.9:
            w.key(6, "referrers", "[" + ", ".join(referrers) + "]")
        if referrers == ["professional"] and rng.random() < 0.2:
            w.key(6, "professional_requesters", str(rng.choice((2, 2, 3))))
        form = rng.choice(
            (
                "Par téléphone ou par e-mail, en précisant la situation et les intervenant·es déjà présent·es.",
                "Formulaire de demande à remplir par le ou la professionnel·le qui oriente, puis entretien de "
                "clarification.",
                "Accueil sans rendez-vous aux heures de permanence, ou prise de rendez-vous par téléphone.",
                "Fiche de liaison transmise par le service orienteur ; la demande est examinée en commission "
                "hebdomadaire.",
            )
        )
        w.text(6, "form", self.localize(form, brussels, flemish, NL["form"]))
        if rng.random() < 0.6:
            delay = rng.choice(((0, 24), (24, 48), (48, 168), (168, 720), (None, 72)))
            w.key(6, "answer_delay")
            if delay[0] is not None:
                w.key(8, "min_hours", str(delay[0]))
            w.key(8, "max_hours", str(delay[1]))
            if rng.random() < 0.5:
                w.key(8, "text", scalar(f"Réponse sous {delay[1] // 24 or 1} jour(s) ouvré(s) en moyenne."))
        if rng.random() < 0.4:
            w.text(
                6,
                "process",
                {
                    "fr": rng.choice(
                        (
                            "Un entretien de clarification avec le ou la demandeur·euse précède toute intervention.",
                            "La demande est discutée en réunion d'équipe ; une réponse écrite est adressée à "
                            "l'orienteur.",
                            "Une première rencontre est proposée dans la semaine, en présence du ou de la "
                            "professionnel·le qui oriente si possible.",
                        )
                    )
                },
            )
        w.text(4, "method", {"fr": self.sentences(GENERIC_METHOD, 2, 5, kind.method)})
        if rng.random() < 0.8:
            w.text(4, "timing", {"fr": self.sentences(GENERIC_TIMING, 1, 2)})
        if rng.random() < 0.6:
            w.text(4, "attention", {"fr": self.sentences(GENERIC_ATTENTION, 1, 3)})
        modality = [m for m in kind.modality if rng.random() < 0.9] or [kind.modality[0]]
        w.key(4, "modality", "[" + ", ".join(modality) + "]")
        if rng.random() < 0.5:
            w.key(4, "duration")
            if rng.random() < 0.3:
                w.key(6, "unlimited", "true")
            else:
                low_m = rng.choice((1, 3, 6))
                w.key(6, "min_months", str(low_m))
                w.key(6, "max_months", str(low_m * rng.choice((2, 3, 4))))
        if kind.places or rng.random() < 0.2:
            places = rng.choice(kind.places) if kind.places else rng.choice((8, 12, 15, 25, 40, 60))
            w.key(4, "capacity", f"{{places: {places}}}")
        w.key(4, "availability")
        if kind.always and rng.random() < 0.6:
            w.key(6, "always", "true")
        else:
            w.key(6, "hours", scalar(rng.choice(HOURS)))
        languages = ["fr", "nl"] if brussels else (["nl"] if flemish else ["fr"])
        if rng.random() < 0.35:
            languages += rng.sample(OTHER_LANGUAGES, rng.randint(1, 3))
        if rng.random() < 0.7:
            w.key(4, "languages", "[" + ", ".join(dict.fromkeys(languages)) + "]")
        if rng.random() < 0.7:
            w.key(4, "free", "true")
        elif rng.random() < 0.5:
            w.key(4, "cost", scalar("Participation selon les revenus, jamais un obstacle à l'accompagnement."))
        if rng.random() < 0.6:
            w.text(4, "team", {"fr": rng.choice(TEAMS)})
        if rng.random() < 0.4:
            w.text(4, "partners", {"fr": rng.choice(PARTNERS)})
        w.key(4, "contacts")
        box = kind.key.replace("-", "")
        self.contacts(w, 6, domain, home, box, professional=rng.random() < 0.35)
        if rng.random() < 0.25:
            w.lines.append("      - kind: web")
            w.lines.append(f"        value: https://www.{domain}/{kind.key}/")
        if len(sites) > 1 and rng.random() < 0.7:
            chosen = sorted(rng.sample(sites, rng.randint(1, len(sites))), key=sites.index)
            w.key(4, "sites", "[" + ", ".join(chosen) + "]")
        if rng.random() < 0.08:
            w.text(
                4,
                "note",
                {"fr": "Les horaires changent pendant les vacances scolaires : les confirmer auprès du service."},
            )
        sources = rng.sample(self.source_ids(belgian, brussels, flemish), rng.choice((1, 1, 2)))
        w.key(4, "sources", "[" + ", ".join(sources) + "]")
        verified = TODAY_LIMIT - dt.timedelta(days=rng.randint(0, 4 * 365))
        w.key(4, "verified", verified.isoformat())


def _french_prefix(dep: str) -> str:
    """A fiction number prefix (ARCEP) for a département: 01 99 00, 02 61 91, …"""
    if dep in ("75", "77", "78", "91", "92", "93", "94", "95"):
        return "01 99 00"
    if dep.startswith("97"):
        return "01 99 00"
    northwest = " 14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85 86 "
    northeast = " 02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90 "
    southwest = " 09 11 12 16 17 19 23 24 31 32 33 40 46 47 64 65 66 79 81 82 87 "
    if f" {dep} " in northwest:
        return "02 61 91"
    if f" {dep} " in northeast:
        return "03 53 01"
    if f" {dep} " in southwest:
        return "05 36 49"
    return "04 65 71"


@dataclass(frozen=True)
class SynthSummary:
    """What ``synthesize`` wrote."""

    organisations: int
    services: int
    files: int


def synthesize(services: int, out: Path, *, project: Path, seed: int = 0) -> SynthSummary:
    """Write a synthetic project of ``services`` services into ``out`` (see the module doc).

    ``project`` is where the gazetteer, vocabularies, ``mkdocs.yml``, ``directory/`` and
    ``overrides/`` are copied from. Files of an earlier run in ``out/data`` are replaced.
    """
    if services < 1:
        raise ValueError("the number of services must be at least 1")
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    (data / "registry").mkdir(parents=True)
    for folder in ("territories", "vocabularies"):
        shutil.copytree(project / "data" / folder, data / folder)
    if (project / "mkdocs.yml").exists():
        shutil.copyfile(project / "mkdocs.yml", out / "mkdocs.yml")
    # The hand-written pages (docs_dir) and the theme overrides (custom_dir) of mkdocs.yml.
    for folder in ("directory", "overrides"):
        if (project / folder).is_dir():
            if (out / folder).exists():
                shutil.rmtree(out / folder)
            shutil.copytree(project / folder, out / folder)
    gazetteer = Gazetteer.load(data / "territories")
    synthesizer = Synthesizer(Places.prepare(gazetteer), seed)

    _write_sources(data / "sources.yaml")
    _write_programmes(data / "programmes.yaml")
    left = services
    organisations = 0
    folders: set[str] = set()
    while left:
        # Most organisations run a few services; a few large ones run a dozen or more.
        count = min(left, synthesizer.rng.choices((1, 2, 3, 4, 5, 8, 12, 20), (22, 22, 18, 12, 10, 9, 5, 2))[0])
        organisation = synthesizer.organisation(count)
        target = data / "registry" / organisation.folder
        if organisation.folder not in folders:
            target.mkdir(exist_ok=True)
            folders.add(organisation.folder)
        (target / f"{organisation.id}.yaml").write_text(organisation.text, encoding="utf-8")
        left -= count
        organisations += 1
    return SynthSummary(organisations, services, organisations + 2)


def _write_sources(file: Path) -> None:
    w = Writer(["# Sources of the synthetic registry (made up by maillage synth, for benchmarks).", "sources:"])
    for source_id, title, date in SOURCES:
        w.lines.append(f"  - id: {source_id}")
        w.lines.append(f"    title: {scalar(title)}")
        w.lines.append("    publisher: Maillage (jeu de données synthétique)")
        w.lines.append(f"    date: {date}")
    file.write_text(str(w), encoding="utf-8")


def _write_programmes(file: Path) -> None:
    w = Writer(["programmes:"])
    for programme_id, name, scope in PROGRAMMES:
        w.lines.append(f"  - id: {programme_id}")
        w.lines.append(f"    name: {scalar(name)}")
        w.lines.append(f"    scope: [{scope}]")
        w.lines.append("    sources: [synth-visite-terrain-2025]")
    file.write_text(str(w), encoding="utf-8")
