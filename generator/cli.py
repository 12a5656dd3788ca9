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

from .problems import Problem, RegistryError, format_problems
from .registry import Registry, check_registry, load_registry, stale_services
from .territories import Gazetteer, PlaceError


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
@click.option("--stale", type=int, metavar="MONTHS", help="Also warn about services not verified for MONTHS months.")
@pass_context
def check(ctx: Context, fmt: str, stale: int | None) -> None:
    """Validate the whole registry; every problem as path:line:col: message [code]."""
    registry, problems = check_registry(ctx.root)
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
            hint = difflib.get_close_matches(value, list(known), n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            fail(f"{option}: unknown term '{value}'{did_you_mean}; known: {', '.join(known)}")


@main.command()
@click.argument("service_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--audience", type=click.Choice(["public", "professional"]), default="professional")
@pass_context
def show(ctx: Context, service_id: str, fmt: str, audience: str) -> None:
    """One service, as a caller would be told it."""
    from .describe import caller_text
    from .registry import for_audience

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
    from .schema import registry_schema

    echo_json(registry_schema())
