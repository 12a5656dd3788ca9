"""Interface labels of the site in French, Dutch and English.

Registry text comes with its own languages (``LocalizedText``); this module holds only the
words of the interface. A key missing in a language falls back to French, so a new label
never breaks a build.
"""

from __future__ import annotations

import datetime as dt

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}

_LABELS: dict[str, dict[str, str]] = {
    # page furniture
    "site.tagline": {
        "fr": "Annuaire des services sociaux, de santé et de santé mentale",
        "nl": "Gids van sociale, gezondheids- en geestelijke gezondheidsdiensten",
        "en": "Directory of social, health and mental-health services",
    },
    "fallback": {
        "fr": "Texte disponible uniquement en français",
        "nl": "Tekst alleen beschikbaar in het Frans",
        "en": "Text available in French only",
    },
    "unknown": {"fr": "à vérifier", "nl": "na te gaan", "en": "to be checked"},
    "not_given": {
        "fr": "Non précisé par les sources (à vérifier).",
        "nl": "Niet vermeld in de bronnen (na te gaan).",
        "en": "Not stated by the sources (to be checked).",
    },
    "professional_version": {
        "fr": "Version professionnelle : contient des contacts réservés aux professionnels, ne pas diffuser.",
        "nl": "Professionele versie: bevat contacten voor professionals, niet verspreiden.",
        "en": "Professional version: contains contacts reserved for professionals, do not share.",
    },
    "professional_only": {"fr": "réservé aux professionnels", "nl": "voor professionals", "en": "professionals only"},
    "edit": {
        "fr": "Une information manque ou est fausse ? Elle se corrige dans le fichier",
        "nl": "Ontbreekt er informatie of klopt ze niet? Ze wordt verbeterd in het bestand",
        "en": "Something missing or wrong? It is corrected in the file",
    },
    "edit.how": {"fr": "comment contribuer", "nl": "hoe bijdragen", "en": "how to contribute"},
    # service page sections (the seeds' own structure)
    "objective": {"fr": "L'objectif", "nl": "Doel", "en": "Objective"},
    "for_whom": {"fr": "Pour qui ?", "nl": "Voor wie?", "en": "For whom?"},
    "how_to_ask": {"fr": "Comment y faire appel ?", "nl": "Hoe aanvragen?", "en": "How to ask for it?"},
    "method": {"fr": "La méthode", "nl": "Werkwijze", "en": "Method"},
    "timing": {"fr": "La temporalité", "nl": "Tijdsverloop", "en": "Timing"},
    "attention": {"fr": "Points d'attention", "nl": "Aandachtspunten", "en": "Points of attention"},
    "contact": {"fr": "Contact", "nl": "Contact", "en": "Contact"},
    "practical": {"fr": "En pratique", "nl": "Praktisch", "en": "In practice"},
    "sources": {"fr": "Sources", "nl": "Bronnen", "en": "Sources"},
    "map": {"fr": "Carte", "nl": "Kaart", "en": "Map"},
    # facts
    "organisation": {"fr": "Organisation", "nl": "Organisatie", "en": "Organisation"},
    "programme": {"fr": "Programme", "nl": "Programma", "en": "Programme"},
    "status": {"fr": "Statut", "nl": "Status", "en": "Status"},
    "status.active": {"fr": "en activité", "nl": "actief", "en": "active"},
    "status.pilot": {"fr": "projet pilote", "nl": "proefproject", "en": "pilot project"},
    "status.closed": {"fr": "fermé", "nl": "gesloten", "en": "closed"},
    "since": {"fr": "depuis le", "nl": "sinds", "en": "since"},
    "until": {"fr": "jusqu'au", "nl": "tot", "en": "until"},
    "verified": {"fr": "Vérifié le", "nl": "Gecontroleerd op", "en": "Verified on"},
    "stale": {
        "fr": "Ces informations ont été vérifiées il y a plus de {months} mois : confirmez-les auprès du service.",
        "nl": "Deze informatie werd meer dan {months} maanden geleden gecontroleerd: bevestig ze bij de dienst.",
        "en": "This information was verified more than {months} months ago: confirm it with the service.",
    },
    "summary": {"fr": "En bref", "nl": "Kort", "en": "In short"},
    "age": {"fr": "Âge", "nl": "Leeftijd", "en": "Age"},
    "territory": {"fr": "Territoire", "nl": "Gebied", "en": "Area"},
    "area_approximate": {
        "fr": "zone approximative, déduite des sources",
        "nl": "benaderend gebied, afgeleid uit de bronnen",
        "en": "approximate area, inferred from the sources",
    },
    "housing": {"fr": "Logement", "nl": "Huisvesting", "en": "Housing"},
    "conditions": {"fr": "Conditions", "nl": "Voorwaarden", "en": "Conditions"},
    "not_required": {"fr": "Ce qui n'est pas exigé", "nl": "Wat niet vereist is", "en": "What is not required"},
    "exclusions": {"fr": "Qui n'est pas admis", "nl": "Wie niet wordt toegelaten", "en": "Who is not admitted"},
    "who_may_ask": {"fr": "Qui peut faire la demande", "nl": "Wie kan aanvragen", "en": "Who may ask"},
    "requesters": {
        "fr": "{n} professionnels d'institutions distinctes doivent porter la demande",
        "nl": "{n} professionals van verschillende instellingen moeten de aanvraag indienen",
        "en": "{n} professionals from different institutions must make the request",
    },
    "form": {"fr": "La demande", "nl": "De aanvraag", "en": "The request"},
    "answer_delay": {"fr": "Délai de réponse", "nl": "Antwoordtermijn", "en": "Answer delay"},
    "process": {"fr": "Après la demande", "nl": "Na de aanvraag", "en": "After the request"},
    "modality": {"fr": "Modalités", "nl": "Modaliteiten", "en": "Modalities"},
    "duration": {"fr": "Durée de l'accompagnement", "nl": "Duur van de begeleiding", "en": "Length of support"},
    "availability": {"fr": "Disponibilité", "nl": "Beschikbaarheid", "en": "Availability"},
    "always": {"fr": "24 h/24, 7 j/7", "nl": "24/7", "en": "24/7"},
    "capacity": {"fr": "Capacité", "nl": "Capaciteit", "en": "Capacity"},
    "places": {"fr": "{n} places", "nl": "{n} plaatsen", "en": "{n} places"},
    "languages": {"fr": "Langues", "nl": "Talen", "en": "Languages"},
    "cost": {"fr": "Coût", "nl": "Kosten", "en": "Cost"},
    "free": {"fr": "gratuit", "nl": "gratis", "en": "free of charge"},
    "team": {"fr": "L'équipe", "nl": "Het team", "en": "The team"},
    "partners": {"fr": "Partenaires", "nl": "Partners", "en": "Partners"},
    "note": {"fr": "Remarque", "nl": "Opmerking", "en": "Note"},
    "needs": {"fr": "Besoins", "nl": "Noden", "en": "Needs"},
    "functions": {"fr": "Fonctions", "nl": "Functies", "en": "Functions"},
    "sites": {"fr": "Lieux", "nl": "Locaties", "en": "Places"},
    "website": {"fr": "Site web", "nl": "Website", "en": "Website"},
    "phone": {"fr": "Téléphone", "nl": "Telefoon", "en": "Phone"},
    "email": {"fr": "E-mail", "nl": "E-mail", "en": "E-mail"},
    "web": {"fr": "Web", "nl": "Web", "en": "Web"},
    "no_contact": {
        "fr": "Les sources ne donnent pas de contact propre à ce service.",
        "nl": "De bronnen geven geen eigen contact voor deze dienst.",
        "en": "The sources give no contact of its own for this service.",
    },
    "org_contacts": {
        "fr": "Contacts de l'organisation",
        "nl": "Contacten van de organisatie",
        "en": "Organisation contacts",
    },
    "members": {"fr": "Membres", "nl": "Leden", "en": "Members"},
    "legal_form": {"fr": "Forme juridique", "nl": "Rechtsvorm", "en": "Legal form"},
    "services": {"fr": "Services", "nl": "Diensten", "en": "Services"},
    "organisations": {"fr": "Organisations", "nl": "Organisaties", "en": "Organisations"},
    "territories": {"fr": "Territoires", "nl": "Gebieden", "en": "Areas"},
    "yes": {"fr": "oui", "nl": "ja", "en": "yes"},
    "no": {"fr": "non", "nl": "nee", "en": "no"},
    # territory pages
    "level.country": {"fr": "Pays", "nl": "Land", "en": "Country"},
    "level.region": {"fr": "Région", "nl": "Gewest / regio", "en": "Region"},
    "level.dep": {"fr": "Département", "nl": "Departement", "en": "Département"},
    "level.province": {"fr": "Province", "nl": "Provincie", "en": "Province"},
    "level.epci": {
        "fr": "Intercommunalité (EPCI)",
        "nl": "Intergemeentelijk verband (EPCI)",
        "en": "Inter-municipal body (EPCI)",
    },
    "level.commune": {"fr": "Commune", "nl": "Gemeente", "en": "Municipality"},
    "population": {"fr": "Population", "nl": "Bevolking", "en": "Population"},
    "covering": {
        "fr": "Services qui couvrent ce territoire",
        "nl": "Diensten die dit gebied bestrijken",
        "en": "Services covering this area",
    },
    "covering.none": {
        "fr": "Aucun service du registre ne couvre tout ce territoire.",
        "nl": "Geen enkele dienst uit het register bestrijkt dit hele gebied.",
        "en": "No service in the registry covers this whole area.",
    },
    "via": {"fr": "via", "nl": "via", "en": "through"},
    "inside": {
        "fr": "Services sur une partie de ce territoire",
        "nl": "Diensten in een deel van dit gebied",
        "en": "Services in part of this area",
    },
    "covering.elsewhere": {
        "fr": "Et {count} services qui couvrent tout le territoire {link} : ils sont listés sur sa page.",
        "nl": "En {count} diensten die het hele gebied {link} bestrijken: ze staan op de pagina ervan.",
        "en": "And {count} services covering the whole of {link}: they are listed on its page.",
    },
    "inside.by_child": {
        "fr": "{count} services interviennent sur une partie de ce territoire. Par territoire inclus :",
        "nl": "{count} diensten werken in een deel van dit gebied. Per onderliggend gebied:",
        "en": "{count} services work in part of this area. By area within:",
    },
    "children": {"fr": "Territoires inclus", "nl": "Onderliggende gebieden", "en": "Areas within"},
    "gaps": {
        "fr": "Publics sans service ici (zones grises)",
        "nl": "Doelgroepen zonder dienst hier (grijze zones)",
        "en": "Publics without a service here (grey zones)",
    },
    "gaps.intro": {
        "fr": "Segments de public (âge × situation de logement) qu'aucun service du registre ne couvre ici :",
        "nl": "Doelgroepen (leeftijd × woonsituatie) die hier door geen enkele dienst uit het register "
        "worden bestreken:",
        "en": "Public segments (age × housing situation) that no service in the registry covers here:",
    },
    "gaps.none": {
        "fr": "D'après le registre, chaque segment de public a au moins un service ici.",
        "nl": "Volgens het register heeft elk doelgroepsegment hier minstens één dienst.",
        "en": "According to the registry, every public segment has at least one service here.",
    },
    "gaps.unavailable": {
        "fr": "Le calcul des zones grises n'est pas inclus dans cette version du site.",
        "nl": "De berekening van de grijze zones zit niet in deze versie van de site.",
        "en": "The grey-zone computation is not included in this version of the site.",
    },
    "gaps.report": {
        "fr": "le rapport des zones grises",
        "nl": "het rapport over grijze zones",
        "en": "the grey-zone report",
    },
    # home and indexes
    "home.holds": {
        "fr": "{services} services de {organisations} organisations, sur {territories} territoires décrits.",
        "nl": "{services} diensten van {organisations} organisaties, over {territories} beschreven gebieden.",
        "en": "{services} services from {organisations} organisations, over {territories} described areas.",
    },
    "home.state": {
        "fr": "Informations vérifiées entre le {oldest} et le {newest}.",
        "nl": "Informatie gecontroleerd tussen {oldest} en {newest}.",
        "en": "Information verified between {oldest} and {newest}.",
    },
    "home.browse": {"fr": "Parcourir l'annuaire", "nl": "De gids doorbladeren", "en": "Browse the directory"},
    "home.tools": {"fr": "Orienter et analyser", "nl": "Doorverwijzen en analyseren", "en": "Refer and analyse"},
    "home.orient": {
        "fr": "Orienter une personne : les services qui correspondent à son profil",
        "nl": "Iemand doorverwijzen: de diensten die bij zijn profiel passen",
        "en": "Refer a person: the services that fit their profile",
    },
    "home.gaps": {
        "fr": "Les zones grises : territoires et publics qu'aucun service ne couvre",
        "nl": "De grijze zones: gebieden en doelgroepen die geen dienst bestrijkt",
        "en": "The grey zones: areas and publics no service covers",
    },
    "home.map": {"fr": "La carte des services", "nl": "De kaart van de diensten", "en": "The map of services"},
    "home.downloads": {
        "fr": "Télécharger les données (JSON, CSV)",
        "nl": "De gegevens downloaden (JSON, CSV)",
        "en": "Download the data (JSON, CSV)",
    },
    "home.contribute": {
        "fr": "Ajouter ou corriger un service",
        "nl": "Een dienst toevoegen of verbeteren (in het Frans)",
        "en": "Add or correct a service (in French)",
    },
    "home.title": {"fr": "Accueil", "nl": "Start", "en": "Home"},
    "index.services": {"fr": "Tous les services", "nl": "Alle diensten", "en": "All services"},
    "index.organisations": {"fr": "Toutes les organisations", "nl": "Alle organisaties", "en": "All organisations"},
    "index.territories": {"fr": "Territoires", "nl": "Gebieden", "en": "Areas"},
    "index.needs": {"fr": "Besoins", "nl": "Noden", "en": "Needs"},
    "index.functions": {"fr": "Fonctions", "nl": "Functies", "en": "Functions"},
    "count.services": {"fr": "{n} service(s)", "nl": "{n} dienst(en)", "en": "{n} service(s)"},
    "for_whom.short": {"fr": "Pour qui", "nl": "Voor wie", "en": "For whom"},
    "name": {"fr": "Nom", "nl": "Naam", "en": "Name"},
    # downloads
    "downloads": {"fr": "Téléchargements", "nl": "Downloads", "en": "Downloads"},
    "downloads.intro": {
        "fr": "Tout le registre, tel que ce site le publie, en fichiers ouverts. Les données sont vérifiées à la "
        "date indiquée sur chaque fiche.",
        "nl": "Het hele register, zoals deze site het publiceert, als open bestanden. De gegevens zijn "
        "gecontroleerd op de datum vermeld op elke fiche.",
        "en": "The whole registry, as this site publishes it, as open files. The data are verified on the date "
        "shown on each page.",
    },
    "downloads.json": {
        "fr": "Le registre complet (organisations, services, lieux, sources), en JSON",
        "nl": "Het volledige register (organisaties, diensten, locaties, bronnen), in JSON",
        "en": "The whole registry (organisations, services, places, sources), as JSON",
    },
    "downloads.csv": {
        "fr": "Une table par fichier, en CSV (UTF-8, séparateur virgule) :",
        "nl": "Eén tabel per bestand, in CSV (UTF-8, kommagescheiden):",
        "en": "One table per file, as CSV (UTF-8, comma-separated):",
    },
    "downloads.audience.public": {
        "fr": "Les contacts réservés aux professionnels n'y figurent pas.",
        "nl": "De contacten voor professionals staan er niet in.",
        "en": "Contacts reserved for professionals are left out.",
    },
    "downloads.audience.professional": {
        "fr": "Version professionnelle : les contacts réservés aux professionnels y figurent.",
        "nl": "Professionele versie: de contacten voor professionals staan erin.",
        "en": "Professional version: contacts reserved for professionals are included.",
    },
    "downloads.hsds": {
        "fr": "Au format Open Referral HSDS 3.0, que d'autres annuaires savent lire :",
        "nl": "In het Open Referral HSDS 3.0-formaat, dat andere gidsen kunnen lezen:",
        "en": "As Open Referral HSDS 3.0, which other directories can read:",
    },
    "downloads.hsds.zip": {
        "fr": "tout l'export HSDS en un fichier",
        "nl": "de hele HSDS-export in één bestand",
        "en": "the whole HSDS export in one file",
    },
    "downloads.hsds.services": {
        "fr": "les services, un objet par ligne",
        "nl": "de diensten, één object per regel",
        "en": "the services, one object per line",
    },
    "downloads.hsds.organizations": {
        "fr": "les organisations, un objet par ligne",
        "nl": "de organisaties, één object per regel",
        "en": "the organisations, one object per line",
    },
    "downloads.hsds.datapackage": {
        "fr": "le paquet de données tabulaire HSDS (description des tables)",
        "nl": "het tabulaire HSDS-datapakket (beschrijving van de tabellen)",
        "en": "the HSDS tabular data package (table descriptions)",
    },
    "downloads.template": {
        "fr": "modèle de tableur pour proposer des services en masse",
        "nl": "rekenbladsjabloon om diensten in bulk voor te stellen",
        "en": "spreadsheet template to propose services in bulk",
    },
    "table.services": {"fr": "les services", "nl": "de diensten", "en": "the services"},
    "table.organisations": {"fr": "les organisations", "nl": "de organisaties", "en": "the organisations"},
    "table.sites": {"fr": "les lieux", "nl": "de locaties", "en": "the places"},
    "table.contacts": {"fr": "les contacts", "nl": "de contacten", "en": "the contacts"},
    "table.areas": {
        "fr": "les territoires couverts par chaque service",
        "nl": "de gebieden die elke dienst bestrijkt",
        "en": "the areas each service covers",
    },
    "table.service_needs": {
        "fr": "les besoins de chaque service",
        "nl": "de noden per dienst",
        "en": "each service's needs",
    },
    "table.service_functions": {
        "fr": "les fonctions de chaque service",
        "nl": "de functies per dienst",
        "en": "each service's functions",
    },
    "table.sources": {"fr": "les sources", "nl": "de bronnen", "en": "the sources"},
    "age.range": {"fr": "de {min} à {max} ans", "nl": "van {min} tot {max} jaar", "en": "from {min} to {max} years"},
    "age.min": {"fr": "{min} ans ou plus", "nl": "{min} jaar of ouder", "en": "{min} years or over"},
    "age.max": {"fr": "jusqu'à {max} ans", "nl": "tot {max} jaar", "en": "up to {max} years"},
    "age.all": {"fr": "tous âges", "nl": "alle leeftijden", "en": "all ages"},
    "cond.health_insurance_required": {"fr": "couverture santé", "nl": "ziekteverzekering", "en": "health insurance"},
    "cond.health_insurance_required.true": {
        "fr": "couverture santé (mutuelle) requise",
        "nl": "ziekteverzekering vereist",
        "en": "health insurance required",
    },
    "cond.health_insurance_required.false": {
        "fr": "pas besoin de couverture santé",
        "nl": "geen ziekteverzekering nodig",
        "en": "no health insurance needed",
    },
    "cond.residence_permit_required": {"fr": "titre de séjour", "nl": "verblijfsvergunning", "en": "residence permit"},
    "cond.residence_permit_required.true": {
        "fr": "titre de séjour requis",
        "nl": "verblijfsvergunning vereist",
        "en": "residence permit required",
    },
    "cond.residence_permit_required.false": {
        "fr": "pas besoin de titre de séjour",
        "nl": "geen verblijfsvergunning nodig",
        "en": "no residence permit needed",
    },
    "cond.non_demand_accepted": {"fr": "« non-demande »", "nl": "« niet-vraag »", "en": "people not asking for help"},
    "cond.non_demand_accepted.true": {
        "fr": "accepte les personnes en « non-demande »",
        "nl": "aanvaardt personen die zelf geen hulp vragen",
        "en": "accepts people who do not ask for help themselves",
    },
    "cond.non_demand_accepted.false": {
        "fr": "la personne doit être demandeuse",
        "nl": "de persoon moet zelf hulp vragen",
        "en": "the person must ask for help",
    },
    "cond.crisis_accepted": {"fr": "situation de crise", "nl": "crisissituatie", "en": "crisis"},
    "cond.crisis_accepted.true": {
        "fr": "intervient en situation de crise",
        "nl": "komt tussen in crisissituaties",
        "en": "intervenes in a crisis",
    },
    "cond.crisis_accepted.false": {
        "fr": "n'intervient pas en situation de crise",
        "nl": "komt niet tussen in crisissituaties",
        "en": "does not intervene in a crisis",
    },
    "cond.diagnosis_required": {"fr": "diagnostic", "nl": "diagnose", "en": "diagnosis"},
    "cond.diagnosis_required.true": {"fr": "diagnostic requis", "nl": "diagnose vereist", "en": "diagnosis required"},
    "cond.diagnosis_required.false": {
        "fr": "pas besoin de diagnostic",
        "nl": "geen diagnose nodig",
        "en": "no diagnosis needed",
    },
    "cond.consent_required": {"fr": "accord de la personne", "nl": "toestemming van de persoon", "en": "consent"},
    "cond.consent_required.true": {
        "fr": "accord de la personne requis",
        "nl": "toestemming van de persoon vereist",
        "en": "the person's consent required",
    },
    "cond.consent_required.false": {
        "fr": "accord de la personne non requis",
        "nl": "toestemming van de persoon niet vereist",
        "en": "the person's consent not required",
    },
    "lang_switch": {"fr": "Langue", "nl": "Taal", "en": "Language"},
}

# Titles of the navigation entries of mkdocs.yml, by their French title.
NAV_TITLES: dict[str, dict[str, str]] = {
    "Accueil": {"nl": "Start", "en": "Home"},
    "Annuaire": {"nl": "Gids", "en": "Directory"},
    "Services": {"nl": "Diensten", "en": "Services"},
    "Organisations": {"nl": "Organisaties", "en": "Organisations"},
    "Territoires": {"nl": "Gebieden", "en": "Areas"},
    "Besoins": {"nl": "Noden", "en": "Needs"},
    "Fonctions": {"nl": "Functies", "en": "Functions"},
    "Carte": {"nl": "Kaart", "en": "Map"},
    "Orienter": {"nl": "Doorverwijzen", "en": "Refer"},
    "Zones grises": {"nl": "Grijze zones", "en": "Grey zones"},
    "Téléchargements": {"nl": "Downloads", "en": "Downloads"},
    "Contribuer": {"nl": "Bijdragen (FR)", "en": "Contribute (FR)"},
    "À propos": {"nl": "Over (FR)", "en": "About (FR)"},
    "Le projet": {"nl": "Het project", "en": "The project"},
    "La méthode": {"nl": "De methode", "en": "The method"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The interface label ``key`` in ``lang`` (French when missing), with ``values`` filled in."""
    labels = _LABELS[key]
    label = labels.get(lang) or labels["fr"]
    return label.format(**values) if values else label


def nav_title(title: str, lang: str) -> str:
    """A navigation title of ``mkdocs.yml`` (French) in ``lang``."""
    return NAV_TITLES.get(title, {}).get(lang, title)


MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def date_text(day: dt.date, lang: str) -> str:
    """A date as people write it: « 1 janvier 2024 », « 1 januari 2024 », « 1 January 2024 »."""
    month = MONTHS.get(lang, MONTHS["fr"])[day.month - 1]
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{first} {month} {day.year}"
