"""Plain-language phrases for a service's criteria, shared by the CLI, pages and matcher.

French first; ``lang`` picks Dutch or English labels where the vocabularies have them.
A criterion the registry does not know reads "à vérifier" (never "no").
"""

from __future__ import annotations

from ..registry.loader import Registry
from ..registry.models import Access, AgeRange, Conditions, Duration, LocalizedText, Service

UNKNOWN = {"fr": "à vérifier", "nl": "na te gaan", "en": "to be checked"}

# What each value of a condition means, in French (the orientation checks read them too).
CONDITION_PHRASES: dict[str, dict[bool, str]] = {
    "health_insurance_required": {
        True: "couverture santé (mutuelle) requise",
        False: "pas besoin de couverture santé",
    },
    "residence_permit_required": {
        True: "titre de séjour requis",
        False: "pas besoin de titre de séjour",
    },
    "non_demand_accepted": {
        True: "accepte les personnes en « non-demande »",
        False: "la personne doit être demandeuse",
    },
    "crisis_accepted": {
        True: "intervient en situation de crise",
        False: "n'intervient pas en situation de crise",
    },
    "diagnosis_required": {True: "diagnostic requis", False: "pas besoin de diagnostic"},
    "consent_required": {True: "accord de la personne requis", False: "accord de la personne non requis"},
}


def text(value: LocalizedText | None, lang: str = "fr") -> str:
    return value.get(lang) if value else ""


def age_phrase(age: AgeRange | None) -> str:
    if age is None or (age.min is None and age.max is None):
        return "âge : " + UNKNOWN["fr"]
    if age.min is not None and age.max is not None:
        return f"de {age.min} à {age.max} ans"
    if age.min is not None:
        return f"{age.min} ans ou plus" if age.min else "tous âges"
    return f"jusqu'à {age.max} ans"


_WORDS = {
    "fr": {"h": "h", "to": "à", "week": ("semaine", "semaines"), "days": "jours", "months": "mois",
           "unlimited": "sans limite de durée", "from": "de", "up_to": "jusqu'à", "at_least": "au moins"},
    "nl": {"h": "u", "to": "tot", "week": ("week", "weken"), "days": "dagen", "months": "maanden",
           "unlimited": "zonder tijdslimiet", "from": "van", "up_to": "tot", "at_least": "minstens"},
    "en": {"h": "h", "to": "to", "week": ("week", "weeks"), "days": "days", "months": "months",
           "unlimited": "no time limit", "from": "", "up_to": "up to", "at_least": "at least"},
}  # fmt: skip


def _words(lang: str) -> dict[str, str | tuple[str, str]]:
    return _WORDS.get(lang, _WORDS["fr"])  # type: ignore[return-value]


def _joined(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def hours_phrase(hours: float, lang: str = "fr") -> str:
    words = _words(lang)
    if hours < 48 or hours % 24:
        return f"{hours:g} {words['h']}"
    days = hours / 24
    if days % 7 == 0:
        weeks = int(days // 7)
        forms = words["week"]
        return f"{weeks} {forms[0] if weeks == 1 else forms[1]}"
    return f"{days:g} {words['days']}"


def delay_phrase(access: Access, lang: str = "fr") -> str:
    delay = access.answer_delay
    if delay is None:
        return ""
    words = _words(lang)
    if delay.min_hours is not None and delay.max_hours is not None and delay.min_hours != delay.max_hours:
        if delay.max_hours <= 48:
            return f"{delay.min_hours:g} {words['to']} {delay.max_hours:g} {words['h']}"
        return f"{hours_phrase(delay.min_hours, lang)} {words['to']} {hours_phrase(delay.max_hours, lang)}"
    value = delay.max_hours if delay.max_hours is not None else delay.min_hours
    if value is not None:
        return hours_phrase(value, lang)
    return text(delay.text, lang)


def duration_phrase(duration: Duration | None, lang: str = "fr") -> str:
    if duration is None:
        return ""
    words = _words(lang)
    if duration.unlimited:
        return str(words["unlimited"])
    low, high = duration.min_months, duration.max_months
    if low is not None and high is not None:
        return _joined(str(words["from"]), f"{low:g} {words['to']} {high:g} {words['months']}")
    if high is not None:
        return f"{words['up_to']} {high:g} {words['months']}"
    if low is not None:
        return f"{words['at_least']} {low:g} {words['months']}"
    return text(duration.text, lang)


def condition_phrases(conditions: Conditions) -> list[tuple[str, bool | None, str]]:
    """(field, value, phrase) for every condition the registry knows."""
    out = []
    for name, phrases in CONDITION_PHRASES.items():
        value = getattr(conditions, name)
        if value is not None:
            out.append((name, value, phrases[value]))
    return out


def label(registry: Registry, vocabulary: str, term: str, lang: str = "fr") -> str:
    found = registry.vocabularies.vocabulary(vocabulary).get(term)
    return found.label.get(lang) if found else term


AREA_NAMES = 20
"""How many territories an area phrase names; it counts the others.

A summary is one line: a service covering 20,000 communes named them all in every table
row, map popup and search result that shows it (276 KB each, 22 MB of map data).
"""

_OTHERS = {"fr": "et {n} autres territoires", "nl": "en {n} andere gebieden", "en": "and {n} other territories"}


def area_phrase(registry: Registry, service: Service, lang: str = "fr") -> str:
    area = service.public.area
    names = []
    for code in area[:AREA_NAMES]:
        territory = registry.gazetteer.get(code)
        names.append(territory.label(lang) if territory else code)
    phrase = ", ".join(names)
    if len(area) > AREA_NAMES:
        phrase += " " + _OTHERS.get(lang, _OTHERS["fr"]).format(n=len(area) - AREA_NAMES)
    if service.public.area_approximate:
        phrase += " (zone approximative)"
    return phrase


def referrers_phrase(registry: Registry, access: Access, lang: str = "fr") -> str:
    if access.referrers is None:
        return UNKNOWN["fr"]
    phrase = ", ".join(label(registry, "referrers", r, lang) for r in access.referrers)
    if access.professional_requesters and access.professional_requesters > 1:
        phrase += f" ({access.professional_requesters} professionnels d'institutions distinctes)"
    return phrase


def summary(registry: Registry, service: Service, lang: str = "fr") -> str:
    """The one line that says who a service is for."""
    if service.public.summary:
        return service.public.summary.get(lang)
    parts = [age_phrase(service.public.age)]
    if service.public.housing:
        parts.append(", ".join(label(registry, "housing", h, lang) for h in service.public.housing))
    parts.append(area_phrase(registry, service, lang))
    return " · ".join(parts)


def caller_text(registry: Registry, service: Service) -> str:
    """What a helpdesk tells a caller about a service: for whom, how to ask, contact."""
    organisation = registry.organisation_of(service.id)
    lines = [f"{service.name} — {organisation.name}", ""]
    lines.append(f"L'objectif : {service.objective}")
    lines.append("")
    lines.append("Pour qui ?")
    lines.append(f"  - {age_phrase(service.public.age)}")
    lines.append(f"  - territoire : {area_phrase(registry, service)}")
    if service.public.housing:
        housing = ", ".join(label(registry, "housing", h) for h in service.public.housing)
        lines.append(f"  - logement : {housing}")
    for _, _, phrase in condition_phrases(service.public.conditions):
        lines.append(f"  - {phrase}")
    if service.public.exclusions:
        lines.append(f"  - exclusions : {service.public.exclusions}")
    lines.append("")
    lines.append("Comment y faire appel ?")
    lines.append(f"  - qui peut demander : {referrers_phrase(registry, service.access)}")
    if service.access.form:
        lines.append(f"  - demande : {service.access.form}")
    if service.access.answer_delay:
        lines.append(f"  - délai de réponse : {delay_phrase(service.access)}")
    duration = duration_phrase(service.duration)
    if duration:
        lines.append("")
        lines.append(f"La temporalité : {duration}")
    if service.contacts:
        lines.append("")
        lines.append("Contact :")
        for contact in service.contacts:
            tag = " (professionnels)" if contact.visibility == "professional" else ""
            name = f"{contact.label} : " if contact.label else ""
            lines.append(f"  - {name}{contact.value}{tag}")
    lines.append("")
    lines.append(f"Vérifié le {service.verified.isoformat()}")
    return "\n".join(lines)
