"""A problem's message is a catalogue key and values, put into words when printed."""

from __future__ import annotations

from generator.registry.problems import Problem, format_problems, hint, literal, msg, quoted


def test_a_message_is_worded_in_each_language_with_nested_hints_and_lists() -> None:
    message = msg(
        "check.pydantic.extra_forbidden",
        key="objectif",
        hint=hint("objectif", ["objective", "name"]),
        allowed=("name", "objective"),
    )
    assert (
        message.text("fr")
        == "clé inconnue « objectif » (vouliez-vous dire « objective » ?) ; clés permises : name, objective"
    )
    assert message.text("en") == "unknown key 'objectif' (did you mean 'objective'?); allowed: name, objective"
    assert message.text("nl") == message.text("fr"), "the command line's Dutch falls back to French"
    assert hint("zzz", ["objective"]).text("fr") == ""
    assert quoted("x").text("en") == "'x'" and quoted("x").text("fr") == "« x »"


def test_a_problem_keeps_its_format_and_code_in_every_language() -> None:
    problem = Problem("data/registry/a.yaml", 3, 5, msg("check.yaml.alias"), "yaml-alias", "services[0]")
    assert format_problems([problem], "text", "en") == (
        "data/registry/a.yaml:3:5: services[0]: anchors and aliases (&, *) are not allowed [yaml-alias]"
    )
    assert format_problems([problem], "text", "fr") == (
        "data/registry/a.yaml:3:5: services[0]: les ancres et alias (&, *) ne sont pas permis [yaml-alias]"
    )
    assert str(problem) == format_problems([problem], "text", "fr"), "French by default"
    assert problem.github("en").endswith("::services[0]: anchors and aliases (&, *) are not allowed [yaml-alias]")


def test_words_written_elsewhere_are_kept_and_their_invisible_characters_shown() -> None:
    problem = Problem("x.yaml", 1, 1, "unknown key 'note\u200b'", "unknown-key")
    assert problem.message == literal("unknown key 'note\u200b'")
    assert problem.text("fr") == "unknown key 'note\\u200b'"
    warning = Problem("x.yaml", 1, 1, msg("check.file.empty"), "empty-file", severity="warning")
    assert str(warning) == "x.yaml:1:1: avertissement : le fichier est vide [empty-file]"
    assert warning.line_text("en") == "x.yaml:1:1: warning: file is empty [empty-file]"


def test_problems_sort_by_place_whatever_their_message() -> None:
    a = Problem("a.yaml", 2, 1, msg("check.file.empty"), "x")
    b = Problem("a.yaml", 1, 1, "words", "y")
    c = Problem("a.yaml", 2, 1, "words", "z")
    assert sorted([a, b, c])[0] is b
    assert len({a, Problem("a.yaml", 2, 1, msg("check.file.empty"), "x")}) == 1
