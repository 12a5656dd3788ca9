"""The ``maillage`` command line. Only this module (and the mkdocs plugin) imports click.

Every command works on the project in the current directory (or ``-C DIR``). A problem in
the data is printed as ``path:line:col: message [code]`` and exits 1, never a traceback.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .registry.loader import Registry, check_registry, load_registry, stale_services
from .registry.problems import Problem, RegistryError, format_problems
from .registry.territories import Gazetteer, PlaceError
from .registry.text import did_you_mean


class Context:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._registry: Registry | None = None

    def registry(self) -> Registry:
        """The project's registry; on errors, print them all and exit 1."""
        if self._registry is None:
            try:
                self._registry = load_registry(self.root)
            except RegistryError as exc:
                fail(format_problems(exc.problems))
        return self._registry

    def gazetteer(self) -> Gazetteer:
        return self.registry().gazetteer


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def resolve_place(ctx: Context, place: str) -> str:
    """A place typed by a person to its territory code; exit 1 with the candidates if not."""
    try:
        return ctx.gazetteer().resolve(place).code
    except PlaceError as exc:
        fail(f"--where: {exc}")


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder (where mkdocs.yml and data/ are).",
)
@click.version_option(package_name="maillage")
@click.pass_context
def main(click_ctx: click.Context, project: Path) -> None:
    """Maillage: a registry of social and mental-health services, as a website."""
    click_ctx.obj = Context(project.resolve())


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text")
@click.option(
    "--stale",
    type=click.IntRange(min=0),
    metavar="MONTHS",
    help="Also warn about services verified more than MONTHS months ago.",
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
            when = service.verified.isoformat()
            message = f"service '{service.id}' was last verified on {when}, more than {stale} months ago"
            problems.append(Problem(path, registry.lines[service.id], 1, message, "stale", "verified", "warning"))
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        click.echo(format_problems(problems, "json"))
    elif problems:
        click.echo(format_problems(problems, fmt), err=fmt == "text")
    if errors:
        if fmt == "text":
            click.echo(f"{len(errors)} error(s) in the registry.", err=True)
        sys.exit(1)
    if fmt == "text" and registry is not None:
        click.echo(
            f"OK: {len(registry.organisations)} organisations, {len(registry.services)} services, "
            f"{len(registry.sites)} sites, {len(registry.gazetteer)} territories."
        )


@main.command("list")
@click.option("--need", multiple=True, help="Only services meeting this need (vocabulary id).")
@click.option("--function", "function", multiple=True, help="Only services with this function.")
@click.option("--where", help="Only services whose area covers this place (name, postcode or code).")
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
    for row in rows:
        click.echo(f"{row['id']:<32} {row['name']}  [{', '.join(row['area'])}]")
    click.echo(f"{len(rows)} service(s)")


def check_terms(registry: Registry, vocabulary: str, values: tuple[str, ...], option: str) -> None:
    known = registry.vocabularies.vocabulary(vocabulary)
    for value in values:
        if value not in known:
            fail(f"{option}: unknown term '{value}'{did_you_mean(value, known)}; known: {', '.join(known)}")


@main.command()
@click.argument("service_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--audience", type=click.Choice(["public", "professional"]), default="professional")
@pass_context
def show(ctx: Context, service_id: str, fmt: str, audience: str) -> None:
    """One service, as a caller would be told it."""
    from .analysis.describe import caller_text
    from .registry.loader import for_audience

    registry = for_audience(ctx.registry(), audience)
    service = registry.services.get(service_id)
    if service is None:
        hint = difflib.get_close_matches(service_id, list(registry.services), n=3)
        did_you_mean = f" (did you mean {', '.join(hint)}?)" if hint else ""
        fail(f"unknown service '{service_id}'{did_you_mean}")
    if fmt == "json":
        data = service.model_dump(mode="json", exclude_none=True)
        data["organisation"] = registry.service_organisation[service.id]
        data["file"] = registry.files[service.id]
        echo_json(data)
    else:
        click.echo(caller_text(registry, service))


@main.command()
def schema() -> None:
    """The JSON Schema of a registry file, for editors (yaml-language-server)."""
    from .registry.schema import registry_schema

    echo_json(registry_schema())


@main.group()
def new() -> None:
    """Write a new, valid and commented registry file (or add a service to one)."""


@new.command("organisation")
@click.option("--id", "organisation_id", prompt="Identifiant (minuscules et tirets)", help="Stable id.")
@click.option("--name", prompt="Nom de l'organisation", help="Its name.")
@click.option("--website", default="", prompt="Site web (vide si aucun)", help="Its website.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Where to write it.")
@pass_context
def new_organisation(ctx: Context, organisation_id: str, name: str, website: str, file: Path | None) -> None:
    """A new organisation file under data/registry/."""
    from .registry.scaffold import options_problems, organisation_text

    refused = options_problems(
        [("--id", organisation_id, "id"), ("--name", name, "line"), ("--website", website or None, "url")]
    )
    if refused:
        fail("\n".join(refused) + "\nNothing written.")
    registry = ctx.registry()
    if organisation_id in registry.organisations:
        fail(f"organisation '{organisation_id}' already exists in {registry.files[organisation_id]}")
    target = file or ctx.root / "data" / "registry" / f"{organisation_id}.yaml"
    target = target if target.is_absolute() else ctx.root / target
    if target.exists():
        fail(f"{target.relative_to(ctx.root)} already exists: nothing written")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(organisation_text(target, ctx.root, organisation_id, name, website or None), encoding="utf-8")
    click.echo(f"Écrit : {target.relative_to(ctx.root)}")


@new.command("service")
@click.option("--organisation", prompt="Organisation (identifiant)", help="The organisation's id.")
@click.option("--id", "service_id", prompt="Identifiant du service", help="Stable id of the service.")
@click.option("--name", prompt="Nom du service", help="Its name.")
@click.option("--objective", prompt="L'objectif, en une phrase", help="What it is for.")
@click.option("--need", "needs", multiple=True, help="A need it meets (repeatable).")
@click.option("--function", "functions", multiple=True, help="A function it exercises (repeatable).")
@click.option("--where", "places", multiple=True, help="A territory it covers: name, postcode or code (repeatable).")
@click.option("--age-min", type=int, help="Minimum age.")
@click.option("--age-max", type=int, help="Maximum age.")
@click.option("--phone", help="Public phone number.")
@click.option("--email", help="Public e-mail address.")
@click.option("--source", prompt="Source (identifiant dans data/sources.yaml)", help="Where the facts come from.")
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

    refused = options_problems(
        [
            ("--id", service_id, "id"),
            ("--name", name, "line"),
            ("--objective", objective, "paragraph"),
            ("--phone", phone, "phone"),
            ("--email", email, "email"),
        ]
    )
    if refused:
        fail("\n".join(refused) + "\nNothing written.")
    registry = ctx.registry()
    if organisation not in registry.organisations:
        hint = did_you_mean(organisation, registry.organisations)
        fail(f"--organisation: unknown organisation '{organisation}'{hint}")
    if service_id in registry.services:
        fail(f"--id: service '{service_id}' already exists in {registry.files[service_id]}")
    if source not in registry.sources:
        fail(f"--source: unknown source '{source}'; add it to data/sources.yaml first")
    needs = needs or tuple(click.prompt("Besoin(s), séparés par des espaces", type=str).split())
    functions = functions or tuple(click.prompt("Fonction(s), séparées par des espaces", type=str).split())
    places = places or (click.prompt("Territoire couvert (nom, code postal ou code)", type=str),)
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
    except ScaffoldError as exc:
        fail(f"{exc}\nNothing written.")
    _, problems = check_registry(ctx.root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        file.write_text(original, encoding="utf-8")  # never leave a maintainer's file broken
        fail(format_problems(errors) + "\nNothing written.")
    click.echo(f"Service '{service_id}' ajouté à {registry.files[organisation]}")


@main.command()
@click.argument("base")
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


@main.command()
@click.option("--services", "count", type=click.IntRange(min=1), required=True, help="Number of services.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Project folder to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed and size, same bytes.")
@pass_context
def synth(ctx: Context, count: int, out: Path, seed: int) -> None:
    """A synthetic registry of N services over real territories, for benchmarks."""
    from .synth import synthesize

    if not (ctx.root / "data" / "territories").is_dir():
        fail(f"{ctx.root}: no data/territories here to copy: run maillage synth from a project")
    try:
        summary = synthesize(count, out, project=ctx.root, seed=seed)
    except RegistryError as exc:  # the project's gazetteer is malformed
        fail(format_problems(exc.problems))
    click.echo(f"{summary.services} services in {summary.organisations} organisations written to {out}")


@main.command()
@click.option("--age", type=click.IntRange(0, 120), required=True, help="The person's age, in years.")
@click.option("--where", "where", required=True, help="Where the person lives: a name, postcode or territory code.")
@click.option("--housing", help="Housing situation (ETHOS): roofless, houseless, insecure, inadequate, housed.")
@click.option("--need", "needs", multiple=True, help="A need (vocabulary id); repeat for several.")
@click.option("--referrer", help="Who asks: self, relative or professional.")
@click.option("--professionals", type=click.IntRange(1, 10), help="How many professionals (distinct institutions) ask.")
@click.option("--no-insurance", is_flag=True, help="The person has no health insurance.")
@click.option("--no-residence-permit", is_flag=True, help="The person has no residence permit.")
@click.option("--crisis", is_flag=True, help="The person is in crisis.")
@click.option("--non-demand", is_flag=True, help="The person does not ask for help (« non-demande »).")
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
    audience: str,
    fmt: str,
) -> None:
    """The services that fit a person, the near misses, and what to do when nothing fits."""
    from .analysis import orient as orientation
    from .registry.loader import for_audience

    registry = for_audience(ctx.registry(), audience)
    check_terms(registry, "needs", needs, "--need")
    check_terms(registry, "housing", (housing,) if housing else (), "--housing")
    check_terms(registry, "referrers", (referrer,) if referrer else (), "--referrer")
    code = resolve_place(ctx, where)
    from .site.commands import plugin_option  # mkdocs.yml's orient_fallback_km, as the site's

    fallback_km = plugin_option(ctx.root / "mkdocs.yml", "orient_fallback_km", orientation.FALLBACK_KM)
    data = orientation.build_data(registry, places=[code], fallback_km=fallback_km)
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
    result = orientation.orient(data, profile)
    if fmt == "json":
        echo_json(result.to_json())
    else:
        click.echo(orientation.text_report(result))


@main.command()
@click.option("--need", help="Only services meeting this need (vocabulary id).")
@click.option("--function", "function", help="Only services with this function.")
@click.option(
    "--level",
    type=click.Choice(["commune", "epci", "dep", "region", "country"]),
    default="dep",
    show_default=True,
    help="Territory level of the rows; dep includes Belgian provinces (and Brussels, which has none).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "geojson"]), default="table")
@click.option(
    "--scope",
    multiple=True,
    metavar="PLACE",
    help="Territory to analyse (code, name or postcode; repeat). Default: the countries of the services.",
)
@pass_context
def gaps(ctx: Context, need: str | None, function: str | None, level: str, fmt: str, scope: tuple[str, ...]) -> None:
    """Coverage per territory and public segment: gaps, partial cover, overlaps."""
    from .analysis import coverage

    registry = ctx.registry()
    check_terms(registry, "needs", (need,) if need else (), "--need")
    check_terms(registry, "functions", (function,) if function else (), "--function")
    codes = []
    for place in scope:
        try:
            codes.append(registry.gazetteer.resolve(place).code)
        except PlaceError as exc:
            fail(f"--scope: {exc}")
    try:
        result = coverage.compute_coverage(registry, need=need, function=function, level=level, scope=codes)
    except coverage.CoverageError as exc:
        fail(f"--scope: {exc}")
    if fmt == "json":
        echo_json(coverage.to_json(result))
    elif fmt == "geojson":
        echo_json(coverage.to_geojson(result))
    elif fmt == "csv":
        click.echo(coverage.to_csv(result), nl=False)
    else:
        click.echo(coverage.to_table(result), nl=False)


@main.command()
@click.option("--online", is_flag=True, help="Ask the BAN (France) and Nominatim (elsewhere); needs the network.")
@click.option("--refresh", is_flag=True, help="Geocode again the sites already in the cache.")
@click.option("--write", is_flag=True, help="Also write precise coordinates into the registry YAML (comments kept).")
@click.option("--user-agent", default=None, help="User agent sent to the online geocoders (name your directory).")
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
        f"{geo.CACHE_PATH}: {len(report.entries)} site(s) — {counts['cache']} from the cache, "
        f"{counts['online']} geocoded online, {counts['gazetteer']} at their commune's centroid; "
        f"{counts['registry']} with coordinates in the registry, {counts['unplaced']} not placed."
    )
    if write:
        for path, ids in geo.write_registry_coordinates(registry, report.entries.values()).items():
            click.echo(f"{path}: coordinates written for {', '.join(ids)}")


@main.command()
@click.option(
    "--audience",
    type=click.Choice(["public", "professional"]),
    default="public",
    show_default=True,
    help="public leaves out every contact marked professional; professional includes them and marks every page.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the site goes (default: site/ in the project).",
)
@click.option("--strict", is_flag=True, help="Fail on any mkdocs warning (broken link, missing page).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that render the pages (default: MAILLAGE_JOBS, else the CPUs, at most 4); 1 is plain mkdocs.",
)
@pass_context
def build(ctx: Context, audience: str, out: Path | None, strict: bool, jobs: int | None) -> None:
    """Validate, generate and build the site with its search index; a failed build leaves the previous output."""
    from .site.build import TargetError, atomic_build, check_target, describe_environment_error, environment_error
    from .site.commands import BuildError, build_site, source_folders

    config_file = ctx.root / "mkdocs.yml"
    if not config_file.is_file():
        fail(f"{config_file}: no mkdocs.yml here: run maillage build in the project folder (or pass -C DIR)")
    target = out if out is not None else ctx.root / "site"
    try:
        # The swap replaces the whole target: never the project, its sources, or someone's folder.
        folder = check_target(target, ctx.root, source_folders(config_file))
    except TargetError as exc:
        fail(f"maillage build: {exc}")

    def make_site(site: Path) -> None:
        # The plugin writes the pages, then the Pagefind index (on_post_build).
        build_site(config_file, site, audience, strict=strict, jobs=jobs)

    try:
        atomic_build(folder, [make_site])
    except BuildError as exc:
        fail(f"maillage build: {exc}\nThe previous site in {target} is unchanged.")
    except OSError as exc:
        cause = environment_error(exc)
        if cause is None:
            raise  # a bug, shown as one
        fail(f"maillage: build failed: {describe_environment_error(cause)}; the previous site is unchanged")
    click.echo(f"Built the {audience} site in {target}")


@main.command()
@click.option("--dev-addr", metavar="IP:PORT", default=None, help="Address to serve on (default 127.0.0.1:8000).")
@click.option("--audience", type=click.Choice(["public", "professional"]), default=None)
@pass_context
def serve(ctx: Context, dev_addr: str | None, audience: str | None) -> None:
    """Live preview of the site; edits to data/ and directory/ rebuild it."""
    from .site.commands import serve_site

    config_file = ctx.root / "mkdocs.yml"
    if not config_file.is_file():
        fail(f"{config_file}: no mkdocs.yml here: run maillage serve in the project folder (or pass -C DIR)")
    serve_site(config_file, dev_addr, audience)


@main.group("export")
def export_group() -> None:
    """Export the registry to other formats."""


@export_group.command("hsds")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option(
    "--audience",
    type=click.Choice(["public", "professional"]),
    default="public",
    show_default=True,
    help="public leaves out professional-only contacts.",
)
@pass_context
def export_hsds_command(ctx: Context, out: Path, audience: str) -> None:
    """Open Referral HSDS 3.0: services.ndjson, organizations.ndjson and datapackage/."""
    from .exchange.hsds import registry_files, write_files
    from .registry.loader import for_audience

    files = registry_files(for_audience(ctx.registry(), audience))
    write_files(files, out)
    services, organisations = (files[name].count(b"\n") for name in ("services.ndjson", "organizations.ndjson"))
    click.echo(f"HSDS 3.0 : {services} services, {organisations} organisations → {out}")


@main.group("import")
def import_group() -> None:
    """Write registry files from data kept elsewhere (HSDS, spreadsheets)."""


def _import_target(ctx: Context, out: Path | None) -> Path:
    target = out if out is not None else ctx.root / "data" / "registry" / "imported"
    return (target if target.is_absolute() else Path.cwd() / target).resolve()


def _write_imported(ctx: Context, organisations: Any, out: Path | None, force: bool, header: str) -> None:
    from .exchange.hsds import ImportRefused, write_organisations

    try:
        written = write_organisations(
            organisations, ctx.registry(), _import_target(ctx, out), force=force, header=header
        )
    except ImportRefused as exc:
        fail("\n".join(exc.problems) + "\nNothing written.")
    for path in written:
        click.echo(f"Écrit : {path.relative_to(ctx.root) if path.is_relative_to(ctx.root) else path}")


@import_group.command("hsds")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder inside data/registry/ (default: data/registry/imported/).",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--source", help="Source id (data/sources.yaml) for services whose sources are unknown here.")
@click.option("--need", "needs", multiple=True, help="Need for services that give none (repeatable).")
@click.option("--function", "functions", multiple=True, help="Function for services that give none (repeatable).")
@click.option("--where", "places", multiple=True, help="Area for services that give none (repeatable).")
@pass_context
def import_hsds_command(
    ctx: Context,
    path: Path,
    out: Path | None,
    force: bool,
    source: str | None,
    needs: tuple[str, ...],
    functions: tuple[str, ...],
    places: tuple[str, ...],
) -> None:
    """Registry YAML from HSDS 3.0 (a data package folder, datapackage.json, a zip or ndjson)."""
    from .exchange.hsds import ImportDefaults, import_hsds, read_hsds
    from .exchange.untrusted import InputError

    registry = ctx.registry()
    check_terms(registry, "needs", needs, "--need")
    check_terms(registry, "functions", functions, "--function")
    if source and source not in registry.sources:
        fail(f"--source: unknown source '{source}'; add it to data/sources.yaml first")
    area = tuple(resolve_place(ctx, place) for place in places)
    try:
        services, organizations = read_hsds(path)
    except InputError as exc:
        fail(str(exc))
    defaults = ImportDefaults(needs=needs, functions=functions, area=area, source=source)
    result = import_hsds(services, organizations, registry, defaults)
    for line in result.unmapped:
        click.echo(f"non repris : {line}", err=True)
    for line in result.errors:
        click.echo(f"erreur : {line}", err=True)
    if not result.organisations:
        fail("Nothing to import.")
    _write_imported(
        ctx, [f.organisation for f in result.organisations], out, force, f"Importé de {path.name} (HSDS 3.0)."
    )
    if result.errors:
        sys.exit(1)


@import_group.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder inside data/registry/ (default: data/registry/imported/).",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
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
        fail(format_problems(result.problems) + f"\n{len(result.problems)} problem(s); nothing written.")
    _write_imported(ctx, result.organisations, out, force, f"Importé de {file.name}.")
