"""Pydantic models of the registry files that maintainers write.

Every model forbids unknown keys (a typo must be an error, not a silently ignored field).
A criterion left out (``None``) means the registry does not know it: it never excludes a
service, and the site shows it as "à vérifier".

Field descriptions are in French: they become the completion help of the JSON Schema that
maintainers' editors read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..locale import N_, lookup
from . import dates, hours
from .visible import INVISIBLE_IN_LINE, INVISIBLE_IN_PARAGRAPH

LANGUAGES = ("fr", "nl", "en")

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TERRITORY_PATTERN = r"^(?:fr|be)(?:-[a-z]+-[0-9a-z]+)?$"


def _problem(kind: str, key: str, values: dict[str, Any] | None = None) -> PydanticCustomError:
    """A validation error of type ``kind`` whose message is the catalogue's ``key``.

    ``maillage check`` puts ``key`` into the reader's words (``loader.friendly_message``);
    pydantic's own message, for a developer who validates a model by hand, is the English.
    """
    return PydanticCustomError(kind, lookup(key, "en") or key, {**(values or {}), "message": key})


def _visible(value: str, *, multiline: bool) -> str:
    """``value`` if every character of it shows (see ``visible.py``), else a problem."""
    if not multiline and "\n" in value:
        raise _problem("line_break", N_("check.model.line_break"), {"pos": value.index("\n") + 1})
    match = (INVISIBLE_IN_PARAGRAPH if multiline else INVISIBLE_IN_LINE).search(value)
    if match:
        raise _problem(
            "control_character",
            N_("check.model.control_character"),
            {"code": f"{ord(match.group()):04X}", "pos": match.start() + 1},
        )
    if not value.strip():
        raise _problem("empty_text", N_("check.model.empty_text"))
    return value


def _line(value: str) -> str:
    return _visible(value, multiline=False)


def _paragraph(value: str) -> str:
    # A Windows line end (a CSV cell written on Windows) is a line end, not a control.
    return _visible(value.replace("\r\n", "\n"), multiline=True)


def _no_duplicates(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A list in which no entry repeats an earlier one; the problem is on the repeated entry.

    A repeated code or id means nothing more than the first, and every list a page, a map
    or a matcher walks per entry would do the work again (a 20,000-entry ``area`` made the
    build quadratic).
    """
    items = handler(value)
    seen: set[Any] = set()
    repeats: dict[Any, list[int]] = {}  # each repeated entry: where it is repeated
    for i, item in enumerate(items or ()):
        if item in seen:
            repeats.setdefault(item, []).append(i)
        seen.add(item)
    if repeats:
        errors = []
        for item, places in repeats.items():
            key = N_("check.model.duplicate_entries") if len(places) > 1 else N_("check.model.duplicate_entry")
            error = _problem("duplicate_entry", key, {"entry": item, "repeats": len(places)})
            errors.append(InitErrorDetails(type=error, loc=(places[0],), input=item))
        # Raised in a validator, a ValidationError's errors join the model's, each at its entry.
        raise ValidationError.from_exception_data("list", errors)
    return items


# Every string of every model is one of these types (tests/test_models.py checks it): a
# single line (names, labels, values, ids), a paragraph, or a pattern that admits only
# visible ASCII.
Line = Annotated[str, AfterValidator(_line)]
Paragraph = Annotated[str, AfterValidator(_paragraph)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
TerritoryCode = Annotated[str, Field(pattern=TERRITORY_PATTERN, max_length=40)]
_Item = TypeVar("_Item")
# A list in which an entry may not repeat (the editors' schema says so too).
UniqueList = Annotated[list[_Item], WrapValidator(_no_duplicates), Field(json_schema_extra={"uniqueItems": True})]
Ids = UniqueList[Id]


class Strict(BaseModel):
    """Base of every registry model: unknown keys are errors, instances are frozen."""

    # A number is finite everywhere: ``.inf`` showed as "inf h" and ``maillage.json`` held
    # ``Infinity``, which browsers' JSON.parse refuses.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


class LocalizedText(Strict):
    """A text in French, with optional Dutch and English versions."""

    fr: Paragraph | None = Field(None, description="Texte en français.")
    nl: Paragraph | None = Field(None, description="Texte en néerlandais.")
    en: Paragraph | None = Field(None, description="Texte en anglais.")

    @model_validator(mode="after")
    def _one_language(self) -> LocalizedText:
        if self.fr is None and self.nl is None and self.en is None:
            raise _problem("empty_text", N_("check.model.no_language"))
        return self

    def get(self, lang: str = "fr") -> str:
        """The text in ``lang``, else French, else any language given."""
        for candidate in (lang, "fr", "nl", "en"):
            value = getattr(self, candidate, None)
            if value:
                return str(value)
        return ""

    def has(self, lang: str) -> bool:
        """Whether the text exists in ``lang`` itself (not through a fallback)."""
        return bool(getattr(self, lang, None))

    def __str__(self) -> str:
        return self.get("fr")


class LocalizedLine(LocalizedText):
    """A one-line text (a name, a label) in French, with optional Dutch and English versions."""

    fr: Line | None = Field(None, description="Texte en français, sur une ligne.")
    nl: Line | None = Field(None, description="Texte en néerlandais, sur une ligne.")
    en: Line | None = Field(None, description="Texte en anglais, sur une ligne.")


def _text_from_str(value: Any) -> Any:
    if isinstance(value, str):
        return {"fr": value}
    return value


Text = Annotated[
    LocalizedText,
    BeforeValidator(_text_from_str, json_schema_input_type=str | LocalizedText),
    Field(description="Un texte simple (français) ou {fr, nl, en}."),
]

Name = Annotated[
    LocalizedLine,
    BeforeValidator(_text_from_str, json_schema_input_type=str | LocalizedLine),
    Field(description="Un texte d'une ligne (français) ou {fr, nl, en}."),
]


def _check_phone(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9][0-9 .()/-]*[0-9]", value):
        raise _problem("phone", N_("check.model.phone"))
    digits = re.sub(r"\D", "", value)
    if not 3 <= len(digits) <= 15:
        raise _problem("phone", N_("check.model.phone_digits"), {"n": len(digits)})
    return value


# In a mailto: link, '?' starts mail headers ('&' separates them, '=' gives their value,
# '%' encodes any character): "a?bcc=x@y.org&body=…@z.org" would add a hidden Bcc. ',' and
# ';' add recipients, '#' ends the address.
_MAILTO_SPECIAL = "?&=%,;#"


def _check_email(value: str) -> str:
    special = next((c for c in value if c in _MAILTO_SPECIAL), None)
    if special is not None:
        raise _problem(
            "email",
            N_("check.model.email_character"),
            {"char": special},
        )
    if not re.fullmatch(r"[^@\s<>\"']+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", value):
        raise _problem("email", N_("check.model.email"))
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme:
        raise _problem("url_scheme", N_("check.model.url_scheme"))
    if parts.scheme not in ("http", "https"):
        raise _problem(
            "url_scheme",
            N_("check.model.url_scheme_other"),
            {"scheme": parts.scheme + ":"},
        )
    if not parts.netloc or re.search(r"[\s<>\"']", value):
        raise _problem("url", N_("check.model.url"))
    return value


Url = Annotated[str, AfterValidator(_line), AfterValidator(_check_url)]


def _check_opening_hours(value: str) -> str:
    try:
        hours.validate(value)
    except hours.HoursSyntaxError as exc:
        # ``column`` moves the problem's position into the expression (loader.validate).
        raise _problem(
            "opening_hours", N_("check.model.opening_hours"), {"column": exc.column, "rest": exc.rest}
        ) from None
    return value


OpeningHours = Annotated[
    str,
    AfterValidator(_line),
    AfterValidator(_check_opening_hours),
    Field(
        max_length=hours.MAX_LENGTH,
        description=(
            "Horaires au format opening_hours d'OpenStreetMap, p. ex. « Mo-Fr 09:00-17:00; PH off » "
            "(du lundi au vendredi de 9 h à 17 h, fermé les jours fériés) ou « 24/7 »."
        ),
    ),
]

Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]


class Alert(Strict):
    """A dated notice (closed for the summer, moved for a month, full): shown only while current."""

    kind: Literal["closed", "moved", "full", "changed_hours", "info"] = Field(
        description=(
            "closed (fermé), moved (déménagé), full (complet), changed_hours (horaires modifiés) ou info (information)."
        )
    )
    start: dt.date = Field(alias="from", description="Premier jour de l'alerte (AAAA-MM-JJ).")
    until: dt.date = Field(description="Dernier jour de l'alerte (AAAA-MM-JJ), inclus ; elle disparaît ensuite.")
    text: Text | None = Field(None, description="Le détail, p. ex. la nouvelle adresse ou la date de réouverture.")

    @model_validator(mode="after")
    def _ordered(self) -> Alert:
        if self.until < self.start:
            raise _problem(
                "alert_order",
                N_("check.model.alert_order"),
                {"start": self.start.isoformat(), "until": self.until.isoformat()},
            )
        if self.start.year < 2000 or self.until.year > 2100:
            raise _problem("alert_year", N_("check.model.alert_year"))
        if self.kind in ("moved", "info", "changed_hours") and self.text is None:
            raise _problem("alert_text", N_("check.model.alert_text"), {"kind": self.kind})
        return self


Alerts = Annotated[
    list[Alert],
    Field(description="Alertes datées (fermeture, déménagement, complet…), affichées seulement pendant leur période."),
]


class Contact(Strict):
    """One way to reach a service or an organisation."""

    kind: Literal["phone", "email", "web"] = Field(description="Type de contact : phone (téléphone), email ou web.")
    value: Line = Field(description="Le numéro, l'adresse e-mail ou l'adresse web.")
    extension: Annotated[str, Field(pattern=r"^[0-9]{1,8}$")] | None = Field(
        None, description="Pour un téléphone : le poste à demander (p. ex. 21)."
    )
    label: Name | None = Field(None, description="Libellé, p. ex. « Helpdesk ».")
    visibility: Literal["public", "professional"] = Field(
        "public",
        description="public : publié sur le site ; professional : réservé aux professionnels.",
    )
    hours: Text | None = Field(None, description="Heures où ce contact répond.")
    opening_hours: OpeningHours | None = Field(
        None, description="Heures où ce contact répond, au format opening_hours d'OpenStreetMap (p. ex. 24/7)."
    )

    @model_validator(mode="after")
    def _check_value(self) -> Contact:
        checks = {"phone": _check_phone, "email": _check_email, "web": _check_url}
        checks[self.kind](self.value)
        return self


class Address(Strict):
    """A postal address."""

    street: Line | None = Field(None, description="Numéro et rue.")
    postcode: Annotated[str, Field(pattern=r"^[0-9]{4,5}$")] | None = Field(None, description="Code postal.")
    city: Line = Field(description="Commune.")
    territory: TerritoryCode | None = Field(None, description="Code de la commune (p. ex. be-commune-21015), si connu.")


class Coordinates(Strict):
    lat: float = Field(ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float = Field(ge=-180, le=180, description="Longitude (WGS 84).")


class Site(Strict):
    """A place where a service receives people or from which a team works."""

    id: Id = Field(description="Identifiant unique du lieu.")
    name: Name = Field(description="Nom du lieu.")
    address: Address | None = Field(None, description="Adresse postale.")
    coordinates: Coordinates | None = Field(None, description="Coordonnées, si connues.")
    note: Text | None = None
    opening_hours: OpeningHours | None = Field(None, description="Heures d'ouverture du lieu (format OpenStreetMap).")
    alerts: Alerts = Field(default_factory=list)
    accessibility: Ids | None = Field(
        None, description="Accessibilité du lieu (vocabulaire accessibility : wheelchair, hearing-loop…)."
    )
    languages: UniqueList[Language] | None = Field(
        None, description="Langues parlées à l'accueil (codes ISO 639-1 : fr, nl, en…)."
    )


class AgeRange(Strict):
    """Ages admitted, in years, both ends included; a missing end is open."""

    min: int | None = Field(None, ge=0, le=120, description="Âge minimum (inclus).")
    max: int | None = Field(None, ge=0, le=120, description="Âge maximum (inclus).")

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _problem(
                "age_range",
                N_("check.model.age_range"),
                {"min": self.min, "max": self.max},
            )
        return self


class Conditions(Strict):
    """Conditions of admission; leave out what the sources do not say."""

    health_insurance_required: bool | None = Field(
        None, description="Faut-il une couverture santé (mutuelle, assurance) ?"
    )
    residence_permit_required: bool | None = Field(None, description="Faut-il un titre de séjour ?")
    non_demand_accepted: bool | None = Field(None, description="Accepte-t-on une personne en « non-demande » ?")
    crisis_accepted: bool | None = Field(
        None, description="Intervient-on pendant une crise ? (false : pas en situation de crise)"
    )
    diagnosis_required: bool | None = Field(None, description="Faut-il un diagnostic posé ?")
    consent_required: bool | None = Field(None, description="Faut-il l'accord de la personne ?")


class Public(Strict):
    """Who the service is for."""

    summary: Text | None = Field(None, description="En une ligne : pour qui ?")
    description: Text | None = Field(None, description="Le public, en détail.")
    age: AgeRange | None = Field(None, description="Âges admis.")
    area: UniqueList[TerritoryCode] = Field(
        min_length=1, description="Territoires couverts (codes, à n'importe quel niveau)."
    )
    area_approximate: bool = Field(
        False, description="true si la zone couverte est déduite (p. ex. la seule ville citée)."
    )
    area_note: Text | None = Field(None, description="Précision sur la zone couverte.")
    housing: Ids | None = Field(None, description="Situations de logement admises (typologie ETHOS).")
    conditions: Conditions = Field(default_factory=Conditions)
    exclusions: Text | None = Field(None, description="Qui n'est pas admis, en clair.")


class Delay(Strict):
    """A delay, in hours."""

    min_hours: float | None = Field(None, ge=0, description="Délai minimum, en heures.")
    max_hours: float | None = Field(None, ge=0, description="Délai maximum, en heures.")
    text: Text | None = Field(None, description="Le délai en clair.")

    @model_validator(mode="after")
    def _ordered(self) -> Delay:
        if self.min_hours is not None and self.max_hours is not None and self.min_hours > self.max_hours:
            raise _problem("range_order", N_("check.model.hours_order"))
        return self


class Access(Strict):
    """How to ask for the service."""

    referrers: Ids | None = Field(None, description="Qui peut faire la demande : self, relative, professional.")
    professional_requesters: int | None = Field(
        None,
        ge=1,
        le=10,
        description="Nombre de professionnels d'institutions distinctes requis pour la demande.",
    )
    form: Text | None = Field(None, description="Comment faire la demande (formulaire, appel…).")
    answer_delay: Delay | None = Field(None, description="Délai de réponse.")
    process: Text | None = Field(None, description="Ce qui se passe après la demande.")


class Duration(Strict):
    """How long the support lasts."""

    min_months: float | None = Field(None, ge=0)
    max_months: float | None = Field(None, ge=0)
    unlimited: bool = Field(False, description="true : sans limite de durée.")
    text: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if self.min_months is not None and self.max_months is not None and self.min_months > self.max_months:
            raise _problem("range_order", N_("check.model.months_order"))
        return self


class Capacity(Strict):
    places: int | None = Field(None, ge=0, le=1_000_000, description="Nombre de places.")
    text: Text | None = None


class Availability(Strict):
    always: bool = Field(False, description="true : joignable 24 h/24, 7 j/7.")
    hours: Text | None = Field(None, description="Horaires en clair.")


class Status(Strict):
    """Where the service stands."""

    # Only active and pilot services are coverage: a planned service (the sources announce
    # it, it does not run yet) and a closed one cover nothing in the gap report, and the
    # orientation tool lists them apart.
    state: Literal["active", "pilot", "planned", "closed"] = Field(
        "active",
        description=(
            "active, pilot (projet pilote), planned (en préparation : annoncé, pas encore ouvert) ou closed (fermé)."
        ),
    )
    since: dt.date | None = Field(None, description="Date de début (AAAA-MM-JJ).")
    until: dt.date | None = Field(None, description="Date de fin (AAAA-MM-JJ).")
    expected: dt.date | None = Field(
        None, description="Pour un service en préparation : date d'ouverture annoncée par les sources (AAAA-MM-JJ)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Status:
        if self.since and self.until and self.since > self.until:
            raise _problem("range_order", N_("check.model.dates_order"))
        if self.expected is not None and self.state != "planned":
            raise _problem("expected_not_planned", N_("check.model.expected_not_planned"), {"state": self.state})
        return self


def _not_future(value: dt.date) -> dt.date:
    # Today in one fixed zone (dates.py: UTC+14), not the machine's: a verdict that does not
    # depend on where, or in which TZ, the check runs.
    if value > dates.today():
        raise _problem("future_date", N_("check.model.future_date"), {"date": value.isoformat()})
    if value.year < 1900:
        raise _problem("past_date", N_("check.model.past_date"), {"date": value.isoformat()})
    return value


PastDate = Annotated[dt.date, AfterValidator(_not_future)]


class Origin(Strict):
    """Where an imported record came from: its id in the feed it was imported from.

    A second import of the same feed finds the record by this id and updates it instead
    of adding a duplicate; an export can give the id back to the feed's publisher.
    """

    id: Line = Field(max_length=200, description="Identifiant du fichier d'origine (p. ex. l'id HSDS).")
    source: Line | None = Field(None, max_length=200, description="Le flux d'origine (source ou fichier).")
    filled: UniqueList[Line] = Field(
        default_factory=list,
        description="Champs que la source ne donnait pas, remplis à l'import (à vérifier).",
    )


class Service(Strict):
    """A service: what a professional can ask for, for whom, and how."""

    id: Id = Field(description="Identifiant unique et stable du service.")
    name: Name = Field(description="Nom du service.")
    programme: Id | None = Field(None, description="Programme dont le service fait partie.")
    status: Status = Field(default_factory=Status)
    needs: Ids = Field(min_length=1, description="Besoins couverts (vocabulaire needs).")
    functions: Ids = Field(min_length=1, description="Fonctions exercées (vocabulaire functions).")
    generalist: bool = Field(False, description="true : service généraliste, vers qui orienter quand rien ne convient.")
    objective: Text = Field(description="L'objectif du service.")
    public: Public = Field(description="Pour qui ?")
    access: Access = Field(default_factory=Access, description="Comment y faire appel ?")
    method: Text | None = Field(None, description="La méthode.")
    timing: Text | None = Field(None, description="La temporalité.")
    attention: Text | None = Field(None, description="Points d'attention.")
    modality: Ids | None = Field(None, description="Modalités : outreach (aller vers), office, phone, home, online.")
    duration: Duration | None = Field(None, description="Durée de l'accompagnement.")
    capacity: Capacity | None = Field(None, description="Capacité.")
    availability: Availability | None = Field(None, description="Disponibilité.")
    opening_hours: OpeningHours | None = Field(
        None, description="Heures où l'on peut joindre ou rencontrer le service (format OpenStreetMap)."
    )
    alerts: Alerts = Field(default_factory=list)
    languages: UniqueList[Language] | None = Field(None, description="Langues parlées (codes ISO 639-1 : fr, nl, en…).")
    cost: Text | None = Field(None, description="Coût pour la personne.")
    free: bool | None = Field(None, description="true : gratuit pour la personne.")
    team: Text | None = Field(None, description="L'équipe.")
    partners: Text | None = Field(None, description="Partenaires.")
    contacts: list[Contact] = Field(default_factory=list, description="Contacts du service.")
    sites: Ids = Field(default_factory=list, description="Lieux (ids de sites).")
    note: Text | None = Field(None, description="Remarque, p. ex. une contradiction entre les sources.")
    sources: Ids = Field(min_length=1, description="Sources (ids de data/sources.yaml).")
    verified: PastDate = Field(description="Date de la dernière vérification (AAAA-MM-JJ).")
    origin: Origin | None = Field(None, description="Origine d'un service importé (id dans le flux d'origine).")


class Organisation(Strict):
    """The organisation a registry file describes, with its sites and services."""

    id: Id = Field(description="Identifiant unique de l'organisation.")
    name: Name = Field(description="Nom de l'organisation.")
    short_name: Line | None = Field(None, description="Sigle ou nom court.")
    legal_form: Line | None = Field(None, description="Forme juridique (asbl, GCSMS…).")
    description: Text | None = Field(None, description="Présentation de l'organisation.")
    members: Text | None = Field(None, description="Membres, pour un groupement.")
    website: Url | None = Field(None, description="Site web.")
    contacts: list[Contact] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list, description="Lieux de l'organisation.")
    services: list[Service] = Field(default_factory=list, description="Services.")
    sources: Ids = Field(default_factory=list, description="Sources (ids).")
    note: Text | None = None
    origin: Origin | None = Field(None, description="Origine d'une organisation importée (id dans le flux d'origine).")


class Source(Strict):
    """A document the registry's facts come from."""

    id: Id
    title: Line
    publisher: Line | None = None
    date: dt.date | None = None
    document: Line | None = Field(None, description="Fichier source (seeds).")
    url: Url | None = None
    note: Text | None = None


class Programme(Strict):
    """A programme that several services belong to (e.g. « Un chez-soi d'abord »)."""

    id: Id
    name: Name
    description: Text | None = None
    scope: UniqueList[TerritoryCode] = Field(default_factory=list)
    sources: Ids = Field(default_factory=list)
    note: Text | None = None


class VocabularyTerm(Strict):
    """One term of a controlled vocabulary, with fr/nl/en labels."""

    id: Id
    label: LocalizedLine
    definition: Text | None = None
    synonyms: UniqueList[Line] = Field(default_factory=list)
    parent: Id | None = None


class AgeBand(Strict):
    """An age band of the public segments, e.g. 18-24."""

    id: Annotated[str, Field(pattern=r"^[0-9]+(?:-[0-9]+|\+)$")]
    min: int = Field(ge=0, le=120)
    max: int | None = Field(None, ge=0, le=120)
    label: LocalizedLine


class SourcesFile(Strict):
    sources: list[Source]


class ProgrammesFile(Strict):
    programmes: list[Programme]


class VocabularyFile(Strict):
    """A file of ``data/vocabularies/``: one controlled list."""

    terms: list[VocabularyTerm] = Field(min_length=1)


class AgeBandsFile(Strict):
    bands: list[AgeBand] = Field(min_length=1)


class SynonymsFile(Strict):
    """Groups of words that front-line people use for the same thing (for search)."""

    groups: list[Annotated[UniqueList[Line], Field(min_length=2)]]
