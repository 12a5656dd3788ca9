"""The ``maillage`` command line. Only this module (and the mkdocs plugin) imports click.

Every command works on the project in the current directory (or ``-C DIR``). A problem in
the data is printed as ``path:line:col: message [code]`` and exits 1, never a traceback.

**Language.** The command line speaks French by default, English or Dutch with ``--lang
en|nl`` (before or after the command's name) or when the environment's locale says so
(``LC_ALL``, ``LC_MESSAGES``, ``LANG`` starting with ``en`` or ``nl``; see ``language``).
Every word comes from the catalogues (``cli.*`` and ``check.*`` keys, Dutch falling back to
French): the help of the commands and options (written as keys, put into words for one
invocation by ``_spoken``), the messages, and the problems of ``check`` (put into words when
printed). Click does not translate its own words ("Usage:", "Error: No such option"): it
asks Python's ``gettext``, bound once into each of its modules, which we replace by a
lookup of our ``cli.click.*`` keys (``_click_words``) for the time of our invocation only.
``--format json`` is the same in every language (its ``message`` fields follow ``--lang``).
"""

from __future__ import annotations

import contextlib
import gettext
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from . import locale as words
from .locale import N_, lookup, t, tn
from .registry.loader import Audience, Registry, check_registry, expired_alerts, load_registry, stale_services
from .registry.problems import Problem, RegistryError, format_problems, msg
from .registry.territories import Gazetteer, PlaceError
from .registry.text import closest, fold

LANGUAGES = ("fr", "en", "nl")
DEFAULT_LANGUAGE = "fr"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: ``option`` (``--lang``) if given, else the locale's, else French.

    The locale is the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (POSIX's
    order); ``en_GB.UTF-8`` or ``nl_BE`` give English or Dutch, anything else (``C``,
    ``fr_BE``, ``de_DE``) French, the language of the directory's users.
    """
    if option in LANGUAGES:
        return option
    environ = os.environ if environ is None else environ
    for name in _LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in ("en", "nl") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _typed_language(args: Sequence[str]) -> str | None:
    """The last ``--lang X`` (or ``--lang=X``) of the command line, before any ``--``."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found


class _State:
    """The language of the invocation under way (``None`` outside one: click speaks English)."""

    lang: str | None = None


def lang() -> str:
    return _State.lang or DEFAULT_LANGUAGE


# --- click's own words ------------------------------------------------------------------

# Click's messages (its gettext msgids) and our keys for them; any other stays English.
_CLICK_WORDS = {
    "Usage:": N_("cli.click.usage"),
    "Options": N_("cli.click.options"),
    "Commands": N_("cli.click.commands"),
    "Positional arguments": N_("cli.click.arguments"),
    "Show this message and exit.": N_("cli.click.help"),
    "Show the version and exit.": N_("cli.click.version_help"),
    "%(prog)s, version %(version)s": N_("cli.click.version"),
    "Error: {message}": N_("cli.click.error"),
    "Try '{command} {option}' for help.": N_("cli.click.try_help"),
    "Invalid value: {message}": N_("cli.click.invalid"),
    "Invalid value for {param_hint}: {message}": N_("cli.click.invalid_for"),
    "Missing argument": N_("cli.click.missing_argument"),
    "Missing option": N_("cli.click.missing_option"),
    "Missing parameter": N_("cli.click.missing_parameter"),
    "No such option {name!r}.": N_("cli.click.no_option"),
    "No such command {name!r}.": N_("cli.click.no_command"),
    "Missing command.": N_("cli.click.missing_command"),
    "Aborted!": N_("cli.click.aborted"),
    "Option {name!r} does not take a value.": N_("cli.click.no_value"),
    "default: {default}": N_("cli.click.default"),
    "required": N_("cli.click.required"),
    "{value!r} is not a valid {number_type}.": N_("cli.click.not_number"),
    "{value} is not in the range {range}.": N_("cli.click.not_in_range"),
    "{name} {filename!r} does not exist.": N_("cli.click.not_exist"),
    "{name} {filename!r} is a file.": N_("cli.click.is_file"),
    "{name} {filename!r} is a directory.": N_("cli.click.is_directory"),
    "file": N_("cli.click.file"),
    "directory": N_("cli.click.directory"),
    "path": N_("cli.click.path"),
}
# ``list``'s last line, « 39 services » (generator.locale.plural_key picks the variant).
LIST_COUNT = "cli.list.count"
LIST_COUNT_FORMS = (N_("cli.list.count.one"), N_("cli.list.count.other"))
# Click's plural messages: (singular, plural) msgid -> our keys for one and for several.
_CLICK_PLURALS = {
    "Did you mean {possibility}?": (N_("cli.click.did_you_mean"), N_("cli.click.did_you_mean_many")),
    "Got unexpected extra argument ({args})": (N_("cli.click.extra_argument"), N_("cli.click.extra_arguments")),
    "Option {name!r} requires an argument.": (N_("cli.click.needs_value"), N_("cli.click.needs_values")),
    "{value!r} is not {choice}.": (N_("cli.click.not_choice"), N_("cli.click.not_choices")),
}


def _click_gettext(message: str) -> str:
    key = _CLICK_WORDS.get(message)
    if _State.lang is None or key is None:
        return message
    return lookup(key, _State.lang) or message


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    keys = _CLICK_PLURALS.get(singular)
    if _State.lang is None or keys is None:
        return gettext.ngettext(singular, plural, n)
    return lookup(keys[0] if n == 1 else keys[1], _State.lang) or (singular if n == 1 else plural)


def _click_words() -> None:
    """Click's modules ask our catalogue for their words (each bound gettext's functions once)."""
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = _click_gettext  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = _click_ngettext  # type: ignore[attr-defined]


_click_words()


# --- our help texts, written as keys ----------------------------------------------------


def _texts(command: click.Command) -> Iterator[tuple[object, str]]:
    """Every help text, prompt and metavar of ``command`` and its subcommands, as (object, attribute)."""
    for attribute in ("help", "short_help", "options_metavar", "subcommand_metavar"):
        yield command, attribute
    # Click makes the --help option once, with its help in the language of the moment: made again.
    yield command, "_help_option"
    for param in command.params:
        yield param, "help"
        yield param, "prompt"
        yield param, "metavar"
    for sub in getattr(command, "commands", {}).values():
        yield from _texts(sub)


def _metavar(param: click.Parameter) -> str | None:
    """The key of the word that stands for an option's value in the help ("TEXTE"), by its type."""
    kind = param.type
    if getattr(param, "is_flag", False) or isinstance(kind, click.Choice):
        return None
    if isinstance(kind, click.Path):
        return N_("cli.metavar.folder") if not kind.file_okay else N_("cli.metavar.file")
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        return N_("cli.metavar.integer")
    return N_("cli.metavar.text")


@contextlib.contextmanager
def _spoken(command: click.Command, lang: str) -> Iterator[None]:
    """The help texts, prompts and metavars of ``command`` (written as ``cli.`` keys) in ``lang``, for a while."""
    saved = []
    for owner, attribute in _texts(command):
        value = getattr(owner, attribute, None)
        if attribute == "_help_option":
            saved.append((owner, attribute, None))
            setattr(owner, attribute, None)
            continue
        if attribute == "metavar" and value is None and isinstance(owner, click.Option):
            value = _metavar(owner)
        if isinstance(value, str) and value.startswith("cli."):
            saved.append((owner, attribute, getattr(owner, attribute, None)))
            setattr(owner, attribute, t(value, lang))
    try:
        yield
    finally:
        for owner, attribute, value in saved:
            setattr(owner, attribute, value)


def _lang_option(command: Any) -> Any:
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        expose_value=False,
        is_eager=True,
        help=N_("cli.option.lang"),
    )(command)


def _with_lang(command: click.Command) -> None:
    command.options_metavar = N_("cli.metavar.options")
    if isinstance(command, click.Group):
        command.subcommand_metavar = N_("cli.metavar.subcommand")
    if not any(param.name == "lang" for param in command.params):
        _lang_option(command)


class _Command(click.Command):
    """A command that also takes ``--lang`` (read before click parses: see ``_Group.main``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_lang(self)


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups are ``_Group`` too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_lang(self)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        """Runs the command line in the language of ``--lang`` or of the locale."""
        argv = list(sys.argv[1:] if args is None else args)
        before = _State.lang
        _State.lang = language(_typed_language(argv))
        try:
            with _spoken(self, _State.lang), words.speak(_State.lang):
                return super().main(argv, *rest, **kwargs)
        finally:
            _State.lang = before


class Context:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lang = lang()
        self._registry: Registry | None = None

    def registry(self) -> Registry:
        """The project's registry; on errors, print them all and exit 1."""
        if self._registry is None:
            try:
                self._registry = load_registry(self.root)
            except RegistryError as exc:
                fail(format_problems(exc.problems, "text", self.lang))
        return self._registry

    def gazetteer(self) -> Gazetteer:
        return self.registry().gazetteer


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def place_error(option: str, exc: PlaceError, gazetteer: Gazetteer) -> str:
    """Why a place typed for ``option`` names no territory, or which ones it names and how to
    pick each: its name with a postcode, or its code, ready to type."""
    if not exc.candidates:
        return t("cli.option_error", lang(), option=option, message=exc.message.text(lang()))
    lines = [t("cli.place.ambiguous", lang(), option=option, place=exc.place.strip())]
    for territory in exc.candidates[:12]:
        within = gazetteer.within(territory)
        where = within.label(lang()) if within else ""
        postcode = territory.postcodes[0] if territory.postcodes else ""
        what = ", ".join(x for x in (postcode, where) if x)
        picked = gazetteer.pick(territory)
        typed = f'"{picked}"' if any(c in picked for c in " ()'") else picked
        lines.append(
            t("cli.place.candidate", lang(), name=territory.label(lang()), what=what, option=option, typed=typed)
        )
    if len(exc.candidates) > 12:
        lines.append(t("cli.place.more", lang(), n=len(exc.candidates) - 12))
    return "\n".join(lines)


def resolve_place(ctx: Context, place: str, option: str = "--where") -> str:
    """A place typed by a person to its territory code; exit 1 with the candidates if not."""
    try:
        return ctx.gazetteer().resolve(place).code
    except PlaceError as exc:
        fail(place_error(option, exc, ctx.gazetteer()))


pass_context = click.make_pass_decorator(Context)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, help=N_("cli.main.help"))
@click.option(
    "-C",
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help=N_("cli.option.project"),
)
@click.version_option(package_name="maillage", help=N_("cli.click.version_help"))
@click.pass_context
def main(click_ctx: click.Context, project: Path) -> None:
    """Maillage: a registry of social and mental-health services, as a website."""
    click_ctx.obj = Context(project.resolve())


@main.command(help=N_("cli.check.help"))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text")
@click.option(
    "--stale",
    type=click.IntRange(min=0),
    metavar=N_("cli.metavar.months"),
    help=N_("cli.check.stale"),
)
@pass_context
def check(ctx: Context, fmt: str, stale: int | None) -> None:
    """Validate the whole registry; every problem as path:line:col: message [code]."""
    registry, problems = check_registry(ctx.root)
    if registry is not None:
        from .registry.privacy import professional_leaks

        problems += professional_leaks(registry)
    if registry is not None and stale is not None:
        for service in stale_services(registry, stale):
            path = registry.files[service.id]
            message = msg("check.stale", id=service.id, date=service.verified.isoformat(), months=stale)
            problems.append(Problem(path, registry.lines[service.id], 1, message, "stale", "verified", "warning"))
        problems += expired_alerts(registry)
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        click.echo(format_problems(problems, "json", ctx.lang))
    elif problems:
        click.echo(format_problems(problems, fmt, ctx.lang), err=fmt == "text")
    if errors:
        if fmt == "text":
            click.echo(t("cli.check.errors", lang(), n=len(errors)), err=True)
        sys.exit(1)
    if fmt == "text" and registry is not None:
        click.echo(
            t(
                "cli.check.ok",
                lang(),
                organisations=len(registry.organisations),
                services=len(registry.services),
                sites=len(registry.sites),
                territories=len(registry.gazetteer),
            )
        )


def area_names(registry: Registry, codes: Sequence[str], lang: str, limit: int = 4) -> str:
    """The names of an area's territories (the first ``limit``, then how many more)."""
    names = [registry.gazetteer[c].label(lang) if c in registry.gazetteer else c for c in codes[:limit]]
    if len(codes) > limit:
        names.append(t("cli.list.more", lang, n=len(codes) - limit))
    return ", ".join(names)


@main.command("list", help=N_("cli.list.help"))
@click.option("--need", multiple=True, help=N_("cli.option.need_filter"))
@click.option("--function", "function", multiple=True, help=N_("cli.option.function_filter"))
@click.option("--where", help=N_("cli.list.where"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_context
def list_(ctx: Context, need: tuple[str, ...], function: tuple[str, ...], where: str | None, fmt: str) -> None:
    """The services, filtered."""
    registry = ctx.registry()
    check_terms(registry, "needs", need, "--need")
    check_terms(registry, "functions", function, "--function")
    code = resolve_place(ctx, where) if where else None
    rows = []
    for service in registry.services.values():
        if need and not set(need) & set(service.needs):
            continue
        if function and not set(function) & set(service.functions):
            continue
        if code and not registry.gazetteer.covers(service.public.area, code):
            continue
        rows.append(
            {
                "id": service.id,
                "name": service.name.get("fr"),
                "organisation": registry.service_organisation[service.id],
                "area": list(service.public.area),
                "needs": list(service.needs),
                "functions": list(service.functions),
            }
        )
    if fmt == "json":
        echo_json(rows)
        return
    # A person reads names: the service's (what ``show`` takes), its organisation's, its area's.
    for row in rows:
        service = registry.services[str(row["id"])]
        organisation = registry.organisation_of(service.id).name.get(ctx.lang)
        area = area_names(registry, service.public.area, ctx.lang)
        click.echo(t("cli.list.row", lang(), name=service.name.get(ctx.lang), organisation=organisation, area=area))
    click.echo(tn(LIST_COUNT, len(rows), lang()))


def check_terms(registry: Registry, vocabulary: str, values: tuple[str, ...], option: str) -> None:
    """Exit 1 on a term of ``values`` that ``vocabulary`` does not have, listing those it has."""
    known = registry.vocabularies.vocabulary(vocabulary)
    for value in values:
        if value not in known:
            found = closest(value, known)
            hint = t("cli.did_you_mean", lang(), match=found) if found else ""
            listing = "\n".join(f"  {term}  {entry.label.get(lang())}" for term, entry in known.items())
            fail(t("cli.unknown_term", lang(), option=option, value=value, hint=hint) + "\n" + listing)


def find_service(registry: Registry, typed: str) -> str | None:
    """A service by its id, or by its name (as ``list`` prints it) in any language."""
    if typed in registry.services:
        return typed
    folded = fold(typed)
    for service in registry.services.values():
        if folded in {fold(name) for name in (service.name.fr, service.name.nl, service.name.en) if name}:
            return service.id
    return None


@main.command(help=N_("cli.show.help"))
@click.argument("service_id", metavar=N_("cli.metavar.service"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--audience", type=click.Choice(["public", "professional"]), default="professional")
@pass_context
def show(ctx: Context, service_id: str, fmt: str, audience: Audience) -> None:
    """One service, as a caller would be told it."""
    from .analysis.describe import caller_text
    from .registry.loader import for_audience

    registry = for_audience(ctx.registry(), audience)
    found = find_service(registry, service_id)
    if found is None:
        names = {s.name.get(ctx.lang): s.id for s in registry.services.values()}
        near = closest(fold(service_id), {fold(n): n for n in names}, 0.6)
        by_id = closest(service_id, registry.services)
        hint = ""
        if near is not None:
            hint = t("cli.did_you_mean", lang(), match={fold(n): n for n in names}[near])
        elif by_id is not None:
            hint = t("cli.did_you_mean", lang(), match=registry.services[by_id].name.get(ctx.lang))
        fail(t("cli.show.unknown", lang(), service=service_id, hint=hint))
    service = registry.services[found]
    if fmt == "json":
        data = service.model_dump(mode="json", exclude_none=True)
        data["organisation"] = registry.service_organisation[service.id]
        data["file"] = registry.files[service.id]
        echo_json(data)
    else:
        click.echo(caller_text(registry, service, ctx.lang))


@main.command(help=N_("cli.schema.help"))
def schema() -> None:
    """The JSON Schema of a registry file, for editors (yaml-language-server)."""
    from .registry.schema import registry_schema

    echo_json(registry_schema())


@main.group(help=N_("cli.new.help"))
def new() -> None:
    """Write a new, valid and commented registry file (or add a service to one)."""


def refused(problems: list[str]) -> NoReturn:
    fail("\n".join(problems) + "\n" + t("cli.nothing_written", lang()))


@new.command("organisation", help=N_("cli.new.organisation.help"))
@click.option("--id", "organisation_id", prompt=N_("cli.prompt.organisation_id"), help=N_("cli.option.id"))
@click.option("--name", prompt=N_("cli.prompt.organisation_name"), help=N_("cli.option.name"))
@click.option("--website", default="", prompt=N_("cli.prompt.website"), help=N_("cli.option.website"))
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help=N_("cli.option.file"))
@pass_context
def new_organisation(ctx: Context, organisation_id: str, name: str, website: str, file: Path | None) -> None:
    """A new organisation file under data/registry/."""
    from .registry.scaffold import options_problems, organisation_text

    problems = options_problems(
        [("--id", organisation_id, "id"), ("--name", name, "line"), ("--website", website or None, "url")], ctx.lang
    )
    if problems:
        refused(problems)
    registry = ctx.registry()
    if organisation_id in registry.organisations:
        fail(t("cli.new.organisation_exists", lang(), id=organisation_id, file=registry.files[organisation_id]))
    target = file or ctx.root / "data" / "registry" / f"{organisation_id}.yaml"
    target = target if target.is_absolute() else ctx.root / target
    if target.exists():
        fail(t("cli.new.file_exists", lang(), file=target.relative_to(ctx.root)))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(organisation_text(target, ctx.root, organisation_id, name, website or None), encoding="utf-8")
    click.echo(t("cli.written", lang(), file=target.relative_to(ctx.root)))


@new.command("service", help=N_("cli.new.service.help"))
@click.option("--organisation", prompt=N_("cli.prompt.organisation"), help=N_("cli.option.organisation"))
@click.option("--id", "service_id", prompt=N_("cli.prompt.service_id"), help=N_("cli.option.service_id"))
@click.option("--name", prompt=N_("cli.prompt.service_name"), help=N_("cli.option.name"))
@click.option("--objective", prompt=N_("cli.prompt.objective"), help=N_("cli.option.objective"))
@click.option("--need", "needs", multiple=True, help=N_("cli.option.need_new"))
@click.option("--function", "functions", multiple=True, help=N_("cli.option.function_new"))
@click.option("--where", "places", multiple=True, help=N_("cli.option.where_new"))
@click.option("--age-min", type=int, help=N_("cli.option.age_min"))
@click.option("--age-max", type=int, help=N_("cli.option.age_max"))
@click.option("--phone", help=N_("cli.option.phone"))
@click.option("--email", help=N_("cli.option.email"))
@click.option("--source", prompt=N_("cli.prompt.source"), help=N_("cli.option.source_new"))
@pass_context
def new_service(
    ctx: Context,
    organisation: str,
    service_id: str,
    name: str,
    objective: str,
    needs: tuple[str, ...],
    functions: tuple[str, ...],
    places: tuple[str, ...],
    age_min: int | None,
    age_max: int | None,
    phone: str | None,
    email: str | None,
    source: str,
) -> None:
    """Add a service to an organisation's file (its comments and order are kept)."""
    import datetime as dt

    from .registry.scaffold import NewService, ScaffoldError, add_service, options_problems

    problems = options_problems(
        [
            ("--id", service_id, "id"),
            ("--name", name, "line"),
            ("--objective", objective, "paragraph"),
            ("--phone", phone, "phone"),
            ("--email", email, "email"),
        ],
        ctx.lang,
    )
    if problems:
        refused(problems)
    registry = ctx.registry()
    if organisation not in registry.organisations:
        found = closest(organisation, registry.organisations)
        hint = t("cli.did_you_mean", lang(), match=found) if found else ""
        fail(t("cli.new.unknown_organisation", lang(), value=organisation, hint=hint))
    if service_id in registry.services:
        fail(t("cli.new.service_exists", lang(), id=service_id, file=registry.files[service_id]))
    if source not in registry.sources:
        fail(t("cli.unknown_source", lang(), value=source))
    needs = needs or tuple(click.prompt(t("cli.prompt.needs", lang()), type=str).split())
    functions = functions or tuple(click.prompt(t("cli.prompt.functions", lang()), type=str).split())
    places = places or (click.prompt(t("cli.prompt.place", lang()), type=str),)
    check_terms(registry, "needs", needs, "--need")
    check_terms(registry, "functions", functions, "--function")
    area = tuple(resolve_place(ctx, place) for place in places)
    new = NewService(
        organisation,
        service_id,
        name,
        objective,
        needs,
        functions,
        area,
        source,
        dt.date.today(),
        age_min,
        age_max,
        phone,
        email,
    )
    file = ctx.root / registry.files[organisation]
    original = file.read_text(encoding="utf-8")
    try:
        add_service(file, new)
    except ScaffoldError:
        fail(t("cli.new.read_back", lang(), file=file.name) + "\n" + t("cli.nothing_written", lang()))
    _, problems_after = check_registry(ctx.root)
    errors = [p for p in problems_after if p.severity == "error"]
    if errors:
        file.write_text(original, encoding="utf-8")  # never leave a maintainer's file broken
        fail(format_problems(errors, "text", ctx.lang) + "\n" + t("cli.nothing_written", lang()))
    click.echo(t("cli.new.service_added", lang(), name=name, file=registry.files[organisation]))


@main.command(help=N_("cli.diff.help"))
@click.argument("base", metavar=N_("cli.metavar.base"))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text")
@pass_context
def diff(ctx: Context, base: str, fmt: str) -> None:
    """What the registry changes since git revision BASE, in plain words (for reviews)."""
    from .analysis.review import DiffError, diff_against, render

    head = ctx.registry()
    try:
        result = diff_against(ctx.root, base, head)
    except DiffError as exc:
        fail(str(exc))
    click.echo(render(result, fmt), nl=False)


@main.command(help=N_("cli.synth.help"))
@click.option("--services", "count", type=click.IntRange(min=1), required=True, help=N_("cli.synth.services"))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help=N_("cli.synth.out"))
@click.option("--seed", type=int, default=0, show_default=True, help=N_("cli.synth.seed"))
@pass_context
def synth(ctx: Context, count: int, out: Path, seed: int) -> None:
    """A synthetic registry of N services over real territories, for benchmarks."""
    from .synth import synthesize

    if not (ctx.root / "data" / "territories").is_dir():
        fail(t("cli.synth.no_territories", lang(), root=ctx.root))
    try:
        summary = synthesize(count, out, project=ctx.root, seed=seed)
    except RegistryError as exc:  # the project's gazetteer is malformed
        fail(format_problems(exc.problems, "text", ctx.lang))
    click.echo(t("cli.synth.done", lang(), services=summary.services, organisations=summary.organisations, out=out))


@main.command(help=N_("cli.orient.help"))
@click.option("--age", type=click.IntRange(0, 120), required=True, help=N_("cli.orient.age"))
@click.option("--where", "where", required=True, help=N_("cli.orient.where"))
@click.option("--housing", help=N_("cli.orient.housing"))
@click.option("--need", "needs", multiple=True, help=N_("cli.orient.need"))
@click.option("--referrer", help=N_("cli.orient.referrer"))
@click.option("--professionals", type=click.IntRange(1, 10), help=N_("cli.orient.professionals"))
@click.option("--no-insurance", is_flag=True, help=N_("cli.orient.no_insurance"))
@click.option("--no-residence-permit", is_flag=True, help=N_("cli.orient.no_residence_permit"))
@click.option("--crisis", is_flag=True, help=N_("cli.orient.crisis"))
@click.option("--non-demand", is_flag=True, help=N_("cli.orient.non_demand"))
@click.option("--audience", type=click.Choice(["public", "professional"]), default="professional")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_context
def orient(
    ctx: Context,
    age: int,
    where: str,
    housing: str | None,
    needs: tuple[str, ...],
    referrer: str | None,
    professionals: int | None,
    no_insurance: bool,
    no_residence_permit: bool,
    crisis: bool,
    non_demand: bool,
    audience: Audience,
    fmt: str,
) -> None:
    """The services that fit a person, the near misses, and what to do when nothing fits."""
    from .analysis import orient as orientation
    from .analysis.hours_rank import closed_today_last, local_today
    from .registry.loader import for_audience

    registry = for_audience(ctx.registry(), audience)
    check_terms(registry, "needs", needs, "--need")
    check_terms(registry, "housing", (housing,) if housing else (), "--housing")
    check_terms(registry, "referrers", (referrer,) if referrer else (), "--referrer")
    code = resolve_place(ctx, where)
    from .site.commands import plugin_option  # mkdocs.yml's orient_fallback_km, as the site's

    fallback_km = plugin_option(ctx.root / "mkdocs.yml", "orient_fallback_km", orientation.FALLBACK_KM)
    data = orientation.build_data(registry, places=[code], fallback_km=fallback_km, lang=ctx.lang)
    profile = orientation.Profile(
        place=code,
        age=age,
        housing=housing,
        needs=needs,
        referrer=referrer,
        professionals=professionals,
        no_insurance=no_insurance,
        no_residence_permit=no_residence_permit,
        crisis=crisis,
        non_demand=non_demand,
    )
    result = orientation.orient(data, profile, ctx.lang)
    # Closed all day today: below the others of its group, as on the orientation page.
    result = closed_today_last(result, registry, local_today())
    if fmt == "json":
        echo_json(result.to_json())
    else:
        click.echo(orientation.text_report(result, ctx.lang))


@main.command(help=N_("cli.gaps.help"))
@click.option("--need", help=N_("cli.option.need_filter"))
@click.option("--function", "function", help=N_("cli.option.function_filter"))
@click.option(
    "--level",
    type=click.Choice(["commune", "epci", "dep", "region", "country"]),
    default="dep",
    show_default=True,
    help=N_("cli.gaps.level"),
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "geojson"]), default="table")
@click.option(
    "--scope",
    multiple=True,
    metavar=N_("cli.metavar.place"),
    help=N_("cli.gaps.scope"),
)
@pass_context
def gaps(ctx: Context, need: str | None, function: str | None, level: str, fmt: str, scope: tuple[str, ...]) -> None:
    """Coverage per territory and public segment: gaps, partial cover, overlaps."""
    from .analysis import coverage

    registry = ctx.registry()
    check_terms(registry, "needs", (need,) if need else (), "--need")
    check_terms(registry, "functions", (function,) if function else (), "--function")
    codes = [resolve_place(ctx, place, "--scope") for place in scope]
    try:
        result = coverage.compute_coverage(registry, need=need, function=function, level=level, scope=codes)
    except coverage.CoverageError as exc:
        fail(t("cli.option_error", lang(), option="--scope", message=str(exc)))
    if fmt == "json":
        echo_json(coverage.to_json(result))
    elif fmt == "geojson":
        echo_json(coverage.to_geojson(result))
    elif fmt == "csv":
        click.echo(coverage.to_csv(result), nl=False)
    else:
        housing = {key: term.label.get(ctx.lang) for key, term in registry.vocabularies.housing.items()}
        names = {key: service.name.get(ctx.lang) for key, service in registry.services.items()}
        click.echo(coverage.to_table(result, ctx.lang, housing, names), nl=False)


@main.command(help=N_("cli.geocode.help"))
@click.option("--online", is_flag=True, help=N_("cli.geocode.online"))
@click.option("--refresh", is_flag=True, help=N_("cli.geocode.refresh"))
@click.option("--write", is_flag=True, help=N_("cli.geocode.write"))
@click.option("--user-agent", default=None, help=N_("cli.geocode.user_agent"))
@pass_context
def geocode(ctx: Context, online: bool, refresh: bool, write: bool, user_agent: str | None) -> None:
    """Fill missing site coordinates into data/geocache.csv (offline: commune centroids)."""
    from .exchange import geocode as geo

    registry = ctx.registry()
    try:
        cache = geo.load_geocache(ctx.root)
    except ValueError as exc:
        fail(str(exc))
    geocoders = geo.OnlineGeocoders.create(user_agent or geo.USER_AGENT) if online else None
    report = geo.geocode_sites(registry, cache, geocoders, refresh=refresh)
    for line in geo.problem_lines(registry, report.problems):
        click.echo(line, err=True)
    geo.write_geocache(ctx.root, report.entries)
    counts = report.counts
    click.echo(
        t(
            "cli.geocode.done",
            lang(),
            file=geo.CACHE_PATH,
            sites=len(report.entries),
            cache=counts["cache"],
            online=counts["online"],
            gazetteer=counts["gazetteer"],
            registry=counts["registry"],
            unplaced=counts["unplaced"],
        )
    )
    if write:
        for path, ids in geo.write_registry_coordinates(registry, report.entries.values()).items():
            sites = ", ".join(registry.sites[i].name.get(ctx.lang) if i in registry.sites else i for i in ids)
            click.echo(t("cli.geocode.written", lang(), file=path, sites=sites))


@main.command(help=N_("cli.build.help"))
@click.option(
    "--audience",
    type=click.Choice(["public", "professional"]),
    default="public",
    show_default=True,
    help=N_("cli.option.audience_build"),
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_("cli.build.out"),
)
@click.option("--strict", is_flag=True, help=N_("cli.build.strict"))
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help=N_("cli.build.jobs"),
)
@click.option(
    "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=N_("cli.build.cache")
)
@click.option("--no-cache", is_flag=True, help=N_("cli.build.no_cache"))
@click.option("--shard", "shard_spec", metavar="K/N", default=None, help=N_("cli.build.shard"))
@click.option("--merge", is_flag=True, help=N_("cli.build.merge"))
@click.argument("shards", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@pass_context
def build(
    ctx: Context,
    audience: str,
    out: Path | None,
    strict: bool,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    shard_spec: str | None,
    merge: bool,
    shards: tuple[Path, ...],
) -> None:
    """Validate, generate and build the site with its search index; a failed build leaves the previous output."""
    from .site.build import (
        SPARE,
        TargetError,
        atomic_build,
        check_target,
        describe_environment_error,
        environment_error,
        holds_earlier_site,
    )
    from .site.commands import BuildError, build_site, source_folders
    from .site.render_cache import forget_summary
    from .site.shards import ShardError, merge_site

    shard = _shard_option(shard_spec, merge, shards)

    config_file = ctx.root / "mkdocs.yml"
    if not config_file.is_file():
        fail(t("cli.no_mkdocs", lang(), file=config_file, command="build"))
    target = out if out is not None else ctx.root / "site"
    try:
        # The swap replaces the whole target: never the project, its sources, or someone's folder.
        folder = check_target(target, ctx.root, source_folders(config_file))
    except TargetError as exc:
        fail(t("cli.build.refused", lang(), message=str(exc)))

    made = {"audience": audience}
    # The cache of rendered pages (site/render_cache.py): in the project, git-ignored, by default.
    cache = None if no_cache else (cache_dir if cache_dir is not None else ctx.root / CACHE_FOLDER).absolute()
    if cache is not None:
        forget_summary(cache)  # a build that does not use it (--jobs 1) says nothing of it

    def make_site(site: Path) -> None:
        if merge:  # the shards' pages, then the anchors' check and the Pagefind index (site/shards.py)
            made["audience"] = merge_site(config_file, site, shards, strict=strict)
            return
        # The plugin writes the pages, then the Pagefind index (on_post_build).
        reuse = holds_earlier_site(site)
        build_site(config_file, site, audience, strict=strict, jobs=jobs, shard=shard, cache=cache, reuse=reuse)

    # A whole site built with the cache is written over the one before last, kept in the cache.
    spare = cache / SPARE if cache is not None and shard is None and not merge else None
    # A failed build says the previous site is untouched, when there is one.
    kept = "\n" + t("cli.build.unchanged", lang(), target=target) if folder.exists() else ""
    try:
        atomic_build(folder, [make_site], spare)
    except ShardError as exc:
        fail(t(exc.key, lang(), **exc.values) + kept)
    except BuildError as exc:
        fail(t("cli.build.failed", lang(), message=str(exc)) + kept)
    except OSError as exc:
        cause = environment_error(exc)
        if cause is None:
            raise  # a bug, shown as one
        fail(t("cli.build.environment", lang(), message=describe_environment_error(cause)))
    if shard is not None:
        click.echo(t("cli.build.shard.done", lang(), shard=f"{shard.index}/{shard.count}", target=target))
    else:
        click.echo(t("cli.build.done_" + made["audience"], lang(), target=target))
    _say_cache(cache, merge)


CACHE_FOLDER = Path(".cache", "maillage", "pages")  # maillage build's cache of rendered pages, in the project


def _say_cache(cache: Path | None, merge: bool) -> None:
    """How many pages the build rendered and took from ``cache`` (when it used one), and how
    many Pagefind runs it made and took from it."""
    from .site.render_cache import read_search_summary, read_summary

    found = read_summary(cache) if cache is not None and not merge else None
    if found is not None:
        rendered, cached = found
        click.echo(t("cli.build.cache_summary", lang(), rendered=rendered, cached=cached, folder=cache))
    searched = read_search_summary(cache) if cache is not None and not merge else None
    if searched is not None:
        runs, reused = searched
        click.echo(t("cli.build.search_cache_summary", lang(), runs=runs, reused=reused))


def _shard_option(spec: str | None, merge: bool, folders: tuple[Path, ...]) -> Any:
    """``--shard K/N`` as a ``Shard`` (None without it); exits on a wrong combination with ``--merge``."""
    from .site.shards import ShardError, parse_shard

    if folders and not merge:
        fail(t("cli.build.merge.folders_alone", lang(), folder=folders[0]))
    if merge and not folders:
        fail(t("cli.build.merge.no_folders", lang()))
    if merge and spec is not None:
        fail(t("cli.build.merge.with_shard", lang()))
    for folder in folders:
        if not folder.is_dir():
            fail(t("cli.build.merge.not_a_shard", lang(), folder=folder))
    if spec is None:
        return None
    try:
        return parse_shard(spec)
    except ShardError as exc:
        fail(t(exc.key, lang(), **exc.values))


_BUILT = (N_("cli.build.done_public"), N_("cli.build.done_professional"))


@main.command(help=N_("cli.serve.help"))
@click.option("--dev-addr", metavar="IP:PORT", default=None, help=N_("cli.serve.dev_addr"))
@click.option(
    "--audience", type=click.Choice(["public", "professional"]), default=None, help=N_("cli.option.audience_build")
)
@pass_context
def serve(ctx: Context, dev_addr: str | None, audience: str | None) -> None:
    """Live preview of the site; edits to data/ and directory/ rebuild it."""
    from .site.commands import serve_site

    config_file = ctx.root / "mkdocs.yml"
    if not config_file.is_file():
        fail(t("cli.no_mkdocs", lang(), file=config_file, command="serve"))
    serve_site(config_file, dev_addr, audience)


@main.group("export", help=N_("cli.export.help"))
def export_group() -> None:
    """Export the registry to other formats."""


@export_group.command("hsds", help=N_("cli.export.hsds.help"))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help=N_("cli.export.out"))
@click.option(
    "--audience",
    type=click.Choice(["public", "professional"]),
    default="public",
    show_default=True,
    help=N_("cli.export.audience"),
)
@pass_context
def export_hsds_command(ctx: Context, out: Path, audience: Audience) -> None:
    """Open Referral HSDS 3.0: services.ndjson, organizations.ndjson and datapackage/."""
    from .exchange.hsds import registry_files, write_files
    from .registry.loader import for_audience

    files = registry_files(for_audience(ctx.registry(), audience))
    write_files(files, out)
    services, organisations = (files[name].count(b"\n") for name in ("services.ndjson", "organizations.ndjson"))
    click.echo(t("cli.export.done", lang(), services=services, organisations=organisations, out=out))


@export_group.command("data-inclusion", help=N_("cli.export.di.help"))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help=N_("cli.export.out"))
@click.option(
    "--audience",
    type=click.Choice(["public", "professional"]),
    default="public",
    show_default=True,
    help=N_("cli.export.audience"),
)
@pass_context
def export_data_inclusion_command(ctx: Context, out: Path, audience: Audience) -> None:
    """data·inclusion v1: structures and services, JSON and CSV, checked with its own models."""
    from .exchange.data_inclusion import export_data_inclusion, export_files, write_files
    from .registry.loader import for_audience

    export = export_data_inclusion(for_audience(ctx.registry(), audience))
    for problem in export.problems:
        click.echo(t("cli.export.di.refused", lang(), line=problem), err=True)
    write_files(export_files(export), out)
    click.echo(
        t("cli.export.di.done", lang(), services=len(export.services), structures=len(export.structures), out=out)
    )
    if export.problems:
        raise SystemExit(1)


@main.group("import", help=N_("cli.import.help"))
def import_group() -> None:
    """Write registry files from data kept elsewhere (HSDS, spreadsheets)."""


def _import_target(ctx: Context, out: Path | None) -> Path:
    target = out if out is not None else ctx.root / "data" / "registry" / "imported"
    return (target if target.is_absolute() else Path.cwd() / target).resolve()


def _write_imported(ctx: Context, organisations: Any, out: Path | None, force: bool, header: str) -> None:
    from .exchange.hsds import ImportRefused, write_organisations

    try:
        written = write_organisations(
            organisations, ctx.registry(), _import_target(ctx, out), force=force, header=header, lang=lang()
        )
    except ImportRefused as exc:
        refused(exc.problems)
    for path in written:
        click.echo(t("cli.written", lang(), file=path.relative_to(ctx.root) if path.is_relative_to(ctx.root) else path))


def _import_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options the HSDS and data·inclusion imports share."""
    options = (
        click.argument(
            "paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar=N_("cli.metavar.path")
        ),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=N_("cli.import.out")),
        click.option("--force", is_flag=True, help=N_("cli.import.force")),
        click.option("--source", help=N_("cli.import.source")),
        click.option("--need", "needs", multiple=True, help=N_("cli.import.need")),
        click.option("--function", "functions", multiple=True, help=N_("cli.import.function")),
        click.option("--where", "places", multiple=True, help=N_("cli.import.where")),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _run_import(ctx: Context, paths: tuple[Path, ...], options: dict[str, Any], kind: str) -> None:
    """Reads ``paths`` as HSDS or data·inclusion (``kind``), prints the warnings, the unmapped
    values, the errors and the summary, then writes the organisations (nothing on failure)."""
    import datetime as dt

    from .exchange.hsds import ImportDefaults, summary_lines
    from .exchange.untrusted import InputError

    registry = ctx.registry()
    needs, functions, source = options["needs"], options["functions"], options["source"]
    check_terms(registry, "needs", needs, "--need")
    check_terms(registry, "functions", functions, "--function")
    if source and source not in registry.sources:
        fail(t("cli.unknown_source", lang(), value=source))
    area = tuple(resolve_place(ctx, place) for place in options["places"])
    defaults = ImportDefaults(needs=needs, functions=functions, area=area, source=source, today=dt.date.today())
    try:
        if kind == "hsds":
            from .exchange import hsds

            feed = hsds.read(paths)
            result = hsds.import_hsds(feed.services, feed.organizations, registry, defaults, feed)
            summary_key, header_key = N_("cli.hsds.summary"), N_("cli.import.header_hsds")
        else:
            from .exchange import data_inclusion

            di_feed = data_inclusion.read(paths)
            result = data_inclusion.import_data_inclusion(di_feed, registry, defaults)
            summary_key, header_key = N_("cli.di.summary"), N_("cli.import.header_di")
    except InputError as exc:
        fail(str(exc))
    for problem in result.warnings:
        click.echo(problem.line_text(lang()), err=True)
    for note in result.unmapped:
        click.echo(t("cli.import.unmapped", lang(), line=note.text(lang())), err=True)
    for message in result.errors:
        click.echo(t("cli.import.error", lang(), line=message.text(lang())), err=True)
    for line in summary_lines(result, lang(), summary_key):
        click.echo(line, err=True)
    if not result.organisations:
        fail(t("cli.import.nothing", lang()))
    names = ", ".join(path.name for path in paths)
    header = t(header_key, "fr", file=names)  # a comment of the written file: French
    _write_imported(ctx, [f.organisation for f in result.organisations], options["out"], options["force"], header)


@import_group.command("hsds", help=N_("cli.import.hsds.help"))
@_import_options
@pass_context
def import_hsds_command(ctx: Context, /, paths: tuple[Path, ...], **options: Any) -> None:
    """Registry YAML from HSDS 3.0 as published: folders, data packages, zips, JSON documents,
    arrays and API pages, NDJSON. A bad value is dropped with a warning at its position."""
    _run_import(ctx, paths, options, "hsds")


@import_group.command("data-inclusion", help=N_("cli.import.di.help"))
@_import_options
@pass_context
def import_data_inclusion_command(ctx: Context, /, paths: tuple[Path, ...], **options: Any) -> None:
    """Registry YAML from data·inclusion v1 structures and services (JSON, API pages, CSV),
    with the HSDS import's rules: a bad value is dropped with a warning at its position."""
    _run_import(ctx, paths, options, "data-inclusion")


@import_group.command("csv", help=N_("cli.import.csv.help"))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar=N_("cli.metavar.file"))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("cli.import.out"),
)
@click.option("--force", is_flag=True, help=N_("cli.import.force"))
@pass_context
def import_csv_command(ctx: Context, file: Path, out: Path | None, force: bool) -> None:
    """Registry YAML from a spreadsheet (CSV or XLSX), one row per service (docs/import-csv.md)."""
    from .exchange.spreadsheet import format_problems, import_file
    from .exchange.untrusted import InputError

    try:
        result = import_file(file, ctx.registry(), _import_target(ctx, out))
    except InputError as exc:
        fail(str(exc))
    if result.problems:
        fail(format_problems(result.problems) + "\n" + t("cli.import.problems", lang(), n=len(result.problems)))
    _write_imported(ctx, result.organisations, out, force, t("cli.import.header_csv", "fr", file=file.name))
