"""The registry models' rules that hold for every field: visible text, finite numbers, no repeats."""

from __future__ import annotations

import inspect
import math
import typing
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import AfterValidator, BaseModel, ValidationError, WrapValidator
from pydantic.fields import FieldInfo

from generator.registry import models
from generator.registry.models import (
    Contact,
    Coordinates,
    Delay,
    Duration,
    Organisation,
    Public,
    Service,
    Source,
    Strict,
    _line,
    _no_duplicates,
    _paragraph,
)
from generator.registry.visible import INVISIBLE_IN_LINE, INVISIBLE_IN_PARAGRAPH, shown

MODELS = [m for _, m in inspect.getmembers(models, inspect.isclass) if issubclass(m, BaseModel) and m is not BaseModel]

# Every character issue 20 found accepted in names, and one of each other kind.
INVISIBLE = [
    "\u061c", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\u180e", "\u00ad", "\u034f", "\u2028", "\u2029",
    "\ufff9", "\U000e0001", "\U000e0041", "\U000e007f", "\u3164", "\u115f", "\u1160", "\uffa0", "\u206a", "\u206f",
    "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\ud800",
]  # fmt: skip


def test_the_rule_covers_the_unicode_categories() -> None:
    """The written-out list holds every Cc, Cf, Cs, Zl and Zp character of this Python's Unicode."""
    missing = [
        f"U+{c:04X}"
        for c in range(0x110000)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        and chr(c) not in "\t\n"
        and not INVISIBLE_IN_PARAGRAPH.match(chr(c))
    ]
    assert missing == [], f"add these to visible._INVISIBLE (Unicode {unicodedata.unidata_version})"
    assert not INVISIBLE_IN_PARAGRAPH.search("\t\n") and INVISIBLE_IN_LINE.search("\t")
    # Visible spaces stay allowed (French typography uses the narrow no-break space).
    assert not INVISIBLE_IN_LINE.search("a\u00a0b\u202fc\u2009d\u3000e")


def _checked(metadata: list[Any]) -> bool:
    for item in metadata:
        if isinstance(item, AfterValidator) and item.func in (_line, _paragraph):
            return True
        if getattr(item, "pattern", None):  # ids, codes: a pattern of visible ASCII only
            return True
        if isinstance(item, FieldInfo) and _checked(item.metadata):
            return True
    return False


def _strings(annotation: Any, metadata: list[Any]) -> Iterator[bool]:
    """For each ``str`` an annotation holds, whether the text rule or a pattern checks it."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        yield from _strings(inner, [*metadata, *more])
    elif annotation is str:
        yield _checked(metadata)
    else:
        for arg in typing.get_args(annotation):
            yield from _strings(arg, [])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_string_of_every_model_is_checked(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        assert all(_strings(info.annotation, list(info.metadata))), f"{model.__name__}.{name}"


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_are_refused_in_names_texts_and_urls(char: str) -> None:
    # pydantic itself refuses a lone surrogate (which a YAML escape can produce).
    expected = {"control_character", "string_unicode"}
    for model, data in (
        (Organisation, {"id": "o", "name": f"Nom{char}caché"}),
        (Organisation, {"id": "o", "name": "Nom", "description": f"Texte{char}caché"}),
        (Organisation, {"id": "o", "name": "Nom", "website": f"https://example.org/{char}x"}),
        (Source, {"id": "s", "title": "Titre", "url": f"https://exa{char}mple.org/"}),
        (Contact, {"kind": "web", "value": f"https://example.org/{char}x"}),
    ):
        with pytest.raises(ValidationError) as caught:
            model.model_validate(data)
        assert caught.value.errors()[0]["type"] in expected, data


def test_multi_line_texts_keep_newlines_and_tabs_names_do_not() -> None:
    organisation = Organisation.model_validate(
        {"id": "o", "name": "Nom", "description": "Ligne 1\n\tLigne 2", "sites": [], "legal_form": "asbl"}
    )
    assert str(organisation.description) == "Ligne 1\n\tLigne 2"
    crlf = Organisation.model_validate({"id": "o", "name": "Nom", "description": "Ligne 1\r\nLigne 2"})
    assert str(crlf.description) == "Ligne 1\nLigne 2"
    with pytest.raises(ValidationError, match="U\\+000D"):
        Organisation.model_validate({"id": "o", "name": "Nom", "description": "Ligne 1\rLigne 2"})
    for data in (
        {"id": "o", "name": "Nom\nnote: injecté"},
        {"id": "o", "name": {"fr": "Nom", "nl": "Naam\nx"}},
        {"id": "o", "name": "Nom", "short_name": "A\nB"},
        {"id": "o", "name": "Nom", "contacts": [{"kind": "phone", "value": "02 1\n23"}]},
        {"id": "o", "name": "Nom", "contacts": [{"kind": "phone", "value": "02 123", "label": "a\nb"}]},
    ):
        with pytest.raises(ValidationError) as caught:
            Organisation.model_validate(data)
        assert caught.value.errors()[0]["type"] == "line_break", data
    with pytest.raises(ValidationError, match="must be one line"):
        Source.model_validate({"id": "s", "title": "Un\nDeux"})


def _float_fields() -> Iterator[tuple[type[BaseModel], str]]:
    for model in MODELS:
        for name, info in model.model_fields.items():
            if float in typing.get_args(info.annotation) or info.annotation is float:
                yield model, name


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, ".inf", "nan"])
def test_no_number_is_infinite_or_nan(value: Any) -> None:
    fields = list(_float_fields())
    assert {(m.__name__, n) for m, n in fields} >= {
        ("Delay", "min_hours"), ("Delay", "max_hours"), ("Duration", "min_months"), ("Duration", "max_months"),
        ("Coordinates", "lat"), ("Coordinates", "lon"),
    }  # fmt: skip
    for model, name in fields:
        base: dict[str, Any] = {"lat": 50.0, "lon": 4.0} if model is Coordinates else {}
        with pytest.raises(ValidationError) as caught:
            model.model_validate({**base, name: value})
        # A quoted "nan" is a text that pydantic does not read as a number at all.
        assert caught.value.errors()[0]["type"] in ("finite_number", "float_parsing"), (model, name)
    assert all(m.model_config.get("allow_inf_nan") is False for m in MODELS if issubclass(m, Strict))
    assert Delay(min_hours=1.5).min_hours == 1.5 and Duration(max_months=0).max_months == 0


SERVICE: dict[str, Any] = {
    "id": "s",
    "name": "Service",
    "needs": ["a"],
    "functions": ["b"],
    "objective": "Un objectif.",
    "public": {"area": ["be"]},
    "sources": ["src"],
    "verified": "2024-01-01",
}


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"needs": ["a", "b", "a", "b", "a"]}, ("needs", 2)),
        ({"functions": ["b", "b"]}, ("functions", 1)),
        ({"sources": ["src", "x", "src"]}, ("sources", 2)),
        ({"sites": ["p", "p"]}, ("sites", 1)),
        ({"modality": ["office", "office"]}, ("modality", 1)),
        ({"languages": ["fr", "nl", "fr"]}, ("languages", 2)),
        ({"public": {"area": ["be", "fr", "be"]}}, ("public", "area", 2)),
        ({"public": {"area": ["be"], "housing": ["h", "h"]}}, ("public", "housing", 1)),
        ({"access": {"referrers": ["self", "self"]}}, ("access", "referrers", 1)),
    ],
)
def test_a_repeated_entry_is_refused_at_its_position(change: dict[str, Any], loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        Service.model_validate({**SERVICE, **change})
    errors = caught.value.errors()
    # Every repeated entry is reported (once, at its first repeat), not only the first.
    expected = [("duplicate_entry", loc)] + ([("duplicate_entry", ("needs", 3))] if loc == ("needs", 2) else [])
    assert [(e["type"], e["loc"]) for e in errors] == expected
    if loc == ("needs", 2):
        assert errors[0]["msg"] == "'a' is already listed above: remove the repeated entry (2 repeats)"
        assert errors[1]["msg"] == "'b' is already listed above: remove the repeated entry"


def _lists(annotation: Any, metadata: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """Each list an annotation holds (outside nested models), with its metadata."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        yield from _lists(inner, [*metadata, *more])
    elif typing.get_origin(annotation) is list:
        yield annotation, metadata
        yield from _lists(typing.get_args(annotation)[0], [])
    else:
        for arg in typing.get_args(annotation):
            yield from _lists(arg, [])


def test_every_list_of_codes_ids_or_words_refuses_repeats() -> None:
    """A repeated id, code or synonym means nothing more than the first: each such list is unique."""
    for model in MODELS:
        for name, info in model.model_fields.items():
            for annotation, metadata in _lists(info.annotation, list(info.metadata)):
                item = typing.get_args(annotation)[0]
                if item is str or (typing.get_origin(item) is typing.Annotated and typing.get_args(item)[0] is str):
                    unique = any(isinstance(m, WrapValidator) and m.func is _no_duplicates for m in metadata)
                    assert unique, f"{model.__name__}.{name}"
    assert Public.model_validate({"area": ["be", "fr"]}).area == ["be", "fr"]


@pytest.mark.parametrize(
    "value",
    [
        "contact?bcc=spy%40evil.example&subject=Urgent&body=x@example.org",
        "a%3Fbcc%3Dspy@example.org",
        "a&b@example.org",
        "a=b@example.org",
        "spy,contact@example.org",
        "spy;contact@example.org",
        "a#b@example.org",
    ],
)
def test_an_email_carries_no_mail_header(value: str) -> None:
    with pytest.raises(ValidationError, match="is not allowed in an e-mail address"):
        Contact.model_validate({"kind": "email", "value": value})


def test_ordinary_emails_pass() -> None:
    for value in ("contact@example.org", "prenom.nom+brusano@example.be", "x_y@ex-ample.org"):
        assert Contact.model_validate({"kind": "email", "value": value}).value == value


def test_messages_show_invisible_characters_as_escapes() -> None:
    from generator.registry.problems import Problem

    assert shown("a\u202eb\u200bc\U000e0041\nd\te") == "a\\u202eb\\u200bc\\U000e0041\nd\te"
    problem = Problem("data/registry/x.yaml", 1, 1, "unknown key 'note\u200b'", "unknown-key", "services[0].note\u200b")
    assert str(problem) == (
        "data/registry/x.yaml:1:1: services[0].note\\u200b: unknown key 'note\\u200b' [unknown-key]"
    )
    assert "\u200b" not in problem.github()
