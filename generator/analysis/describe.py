"""Plain-language phrases for a service's criteria, shared by the CLI, pages and matcher.

Every word comes from the catalogues (``generator.locale``), in ``lang`` (French by
default). A criterion the registry does not know reads "à vérifier" (never "no").
"""

from __future__ import annotations

from ..locale import N_, t
from ..registry.loader import Registry
from ..registry.models import Access, AgeRange, Conditions, Duration, LocalizedText, Service

# The conditions of the registry's ``public.conditions``, in the order pages list them, with
# their keys: what the condition is about, and what each of its values means.
CONDITION_KEYS: dict[str, tuple[str, str, str]] = {
    "health_insurance_required": (
        N_("cond.health_insurance_required"),
        N_("cond.health_insurance_required.true"),
        N_("cond.health_insurance_required.false"),
    ),
    "residence_permit_required": (
        N_("cond.residence_permit_required"),
        N_("cond.residence_permit_required.true"),
        N_("cond.residence_permit_required.false"),
    ),
    "non_demand_accepted": (
        N_("cond.non_demand_accepted"),
        N_("cond.non_demand_accepted.true"),
        N_("cond.non_demand_accepted.false"),
    ),
    "crisis_accepted": (
        N_("cond.crisis_accepted"),
        N_("cond.crisis_accepted.true"),
        N_("cond.crisis_accepted.false"),
    ),
    "diagnosis_required": (
        N_("cond.diagnosis_required"),
        N_("cond.diagnosis_required.true"),
        N_("cond.diagnosis_required.false"),
    ),
    "consent_required": (
        N_("cond.consent_required"),
        N_("cond.consent_required.true"),
        N_("cond.consent_required.false"),
    ),
}
CONDITIONS = tuple(CONDITION_KEYS)


def unknown(lang: str = "fr") -> str:
    """What a criterion the registry does not know reads: « à vérifier »."""
    return t("unknown", lang)


def condition_name(field: str, lang: str = "fr") -> str:
    """What a condition is about: « couverture santé »."""
    return t(CONDITION_KEYS[field][0], lang)


def condition_phrase(field: str, value: bool, lang: str = "fr") -> str:
    """What a condition's value means: « titre de séjour requis »."""
    keys = CONDITION_KEYS[field]
    return t(keys[1] if value else keys[2], lang)


def text(value: LocalizedText | None, lang: str = "fr") -> str:
    return value.get(lang) if value else ""


def age_phrase(age: AgeRange | None, lang: str = "fr") -> str:
    if age is None or (age.min is None and age.max is None):
        return t("age.unknown", lang)
    if age.min is not None and age.max is not None:
        return t("age.range", lang, min=age.min, max=age.max)
    if age.min is not None:
        return t("age.min", lang, min=age.min) if age.min else t("age.all", lang)
    return t("age.max", lang, max=age.max)


def hours_phrase(hours: float, lang: str = "fr") -> str:
    if hours < 48 or hours % 24:
        return t("delay.hours", lang, n=f"{hours:g}")
    days = hours / 24
    if days % 7 == 0:
        weeks = int(days // 7)
        return t("delay.weeks.one", lang, n=weeks) if weeks == 1 else t("delay.weeks.other", lang, n=weeks)
    return t("delay.days", lang, n=f"{days:g}")


def delay_phrase(access: Access, lang: str = "fr") -> str:
    delay = access.answer_delay
    if delay is None:
        return ""
    if delay.min_hours is not None and delay.max_hours is not None and delay.min_hours != delay.max_hours:
        if delay.max_hours <= 48:
            return t("delay.hours_range", lang, low=f"{delay.min_hours:g}", high=f"{delay.max_hours:g}")
        low, high = hours_phrase(delay.min_hours, lang), hours_phrase(delay.max_hours, lang)
        return t("delay.range", lang, low=low, high=high)
    value = delay.max_hours if delay.max_hours is not None else delay.min_hours
    if value is not None:
        return hours_phrase(value, lang)
    return text(delay.text, lang)


def duration_phrase(duration: Duration | None, lang: str = "fr") -> str:
    if duration is None:
        return ""
    if duration.unlimited:
        return t("duration.unlimited", lang)
    low, high = duration.min_months, duration.max_months
    if low is not None and high is not None:
        return t("duration.range", lang, low=f"{low:g}", high=f"{high:g}")
    if high is not None:
        return t("duration.max", lang, n=f"{high:g}")
    if low is not None:
        return t("duration.min", lang, n=f"{low:g}")
    return text(duration.text, lang)


def condition_phrases(conditions: Conditions, lang: str = "fr") -> list[tuple[str, bool | None, str]]:
    """(field, value, phrase) for every condition the registry knows."""
    out = []
    for name in CONDITIONS:
        value = getattr(conditions, name)
        if value is not None:
            out.append((name, value, condition_phrase(name, value, lang)))
    return out


def label(registry: Registry, vocabulary: str, term: str, lang: str = "fr") -> str:
    found = registry.vocabularies.vocabulary(vocabulary).get(term)
    return found.label.get(lang) if found else term


AREA_NAMES = 20
"""How many territories an area phrase names; it counts the others.

A summary is one line: a service covering 20,000 communes named them all in every table
row, map popup and search result that shows it (276 KB each, 22 MB of map data).
"""


def area_phrase(registry: Registry, service: Service, lang: str = "fr") -> str:
    area = service.public.area
    names = []
    for code in area[:AREA_NAMES]:
        territory = registry.gazetteer.get(code)
        names.append(territory.label(lang) if territory else code)
    phrase = ", ".join(names)
    if len(area) > AREA_NAMES:
        phrase += " " + t("area.others", lang, n=len(area) - AREA_NAMES)
    if service.public.area_approximate:
        phrase += f" ({t('area.approximate', lang)})"
    return phrase


def referrers_phrase(registry: Registry, access: Access, lang: str = "fr") -> str:
    if access.referrers is None:
        return unknown(lang)
    phrase = ", ".join(label(registry, "referrers", r, lang) for r in access.referrers)
    if access.professional_requesters and access.professional_requesters > 1:
        phrase += f" ({t('requesters.short', lang, n=access.professional_requesters)})"
    return phrase


def summary(registry: Registry, service: Service, lang: str = "fr") -> str:
    """The one line that says who a service is for."""
    if service.public.summary:
        return service.public.summary.get(lang)
    parts = [age_phrase(service.public.age, lang)]
    if service.public.housing:
        parts.append(", ".join(label(registry, "housing", h, lang) for h in service.public.housing))
    parts.append(area_phrase(registry, service, lang))
    return " · ".join(parts)


def caller_text(registry: Registry, service: Service, lang: str = "fr") -> str:
    """What a helpdesk tells a caller about a service: for whom, how to ask, contact."""
    organisation = registry.organisation_of(service.id)
    lines = [f"{service.name.get(lang)} — {organisation.name.get(lang)}", ""]
    lines.append(t("caller.objective", lang, text=text(service.objective, lang)))
    lines.append("")
    lines.append(t("for_whom", lang))
    lines.append(f"  - {age_phrase(service.public.age, lang)}")
    lines.append(f"  - {t('caller.territory', lang, text=area_phrase(registry, service, lang))}")
    if service.public.housing:
        housing = ", ".join(label(registry, "housing", h, lang) for h in service.public.housing)
        lines.append(f"  - {t('caller.housing', lang, text=housing)}")
    for _, _, phrase in condition_phrases(service.public.conditions, lang):
        lines.append(f"  - {phrase}")
    if service.public.exclusions:
        lines.append(f"  - {t('caller.exclusions', lang, text=text(service.public.exclusions, lang))}")
    lines.append("")
    lines.append(t("how_to_ask", lang))
    lines.append(f"  - {t('caller.referrers', lang, text=referrers_phrase(registry, service.access, lang))}")
    if service.access.form:
        lines.append(f"  - {t('caller.form', lang, text=text(service.access.form, lang))}")
    if service.access.answer_delay:
        lines.append(f"  - {t('caller.delay', lang, text=delay_phrase(service.access, lang))}")
    duration = duration_phrase(service.duration, lang)
    if duration:
        lines.append("")
        lines.append(t("caller.duration", lang, text=duration))
    if service.contacts:
        lines.append("")
        lines.append(t("caller.contact", lang))
        for contact in service.contacts:
            tag = f" ({t('caller.professional', lang)})" if contact.visibility == "professional" else ""
            value = t("caller.labelled", lang, label=text(contact.label, lang), value=contact.value)
            lines.append(f"  - {value if contact.label else contact.value}{tag}")
    lines.append("")
    lines.append(t("caller.verified", lang, date=service.verified.isoformat()))
    return "\n".join(lines)
