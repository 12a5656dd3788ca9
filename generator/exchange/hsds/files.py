"""Writing imported organisations as registry YAML files: no file a maintainer wrote is
overwritten unless asked, and a failed write puts the previous files back.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ...locale import speaking, t
from ...registry.loader import Registry, check_registry
from ...registry.models import Organisation
from ...registry.problems import format_problems
from .common import _dump

# --- writing registry files -------------------------------------------------------------


def _simplify(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"fr"} and isinstance(value["fr"], str):
            return value["fr"]
        return {k: _simplify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_simplify(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def organisation_yaml(organisation: Organisation, schema_line: str, header: str = "") -> str:
    """A registry file for ``organisation``: the schema line, a comment, then the data."""
    data = _simplify(_dump(organisation))
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return f"{schema_line}\n{comment}{body}"


SCHEMA_FILE = "schema/registry.schema.json"


class ImportRefused(Exception):
    """Nothing was written; ``problems`` says why."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def schema_line_for(target: Path, root: Path) -> str:
    """The editor's schema comment for a file at ``target`` (a path relative to it)."""
    relative = os.path.relpath(root / SCHEMA_FILE, target.parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def conflicts(
    organisations: Iterable[Organisation], registry: Registry, out: Path, lang: str | None = None
) -> list[str]:
    """Ids an import would duplicate in the registry (files under ``out`` it replaces aside),
    in ``lang`` (the running command's language by default)."""
    lang = lang or speaking()
    problems = []
    root = registry.root
    for organisation in organisations:
        target = (out / f"{organisation.id}.yaml").resolve()

        def elsewhere(registry_id: str | None, target: Path = target) -> str | None:
            file = registry.files.get(registry_id or "")
            return file if file and (root / file).resolve() != target else None

        found = [("organisation", organisation.id, elsewhere(organisation.id))]
        found += [("service", s.id, elsewhere(s.id)) for s in organisation.services]
        found += [("site", s.id, elsewhere(registry.site_organisation.get(s.id))) for s in organisation.sites]
        problems += [
            t("cli.hsds.refused.exists_in", lang, kind=kind, id=item, file=file) for kind, item, file in found if file
        ]
    return problems


def _same_record(path: Path, organisation: Organisation, registry: Registry) -> bool:
    """``path`` holds this very organisation from an earlier import of the same feed."""
    before = registry.organisations.get(organisation.id)
    file = registry.files.get(organisation.id)
    if before is None or file is None or before.origin is None or organisation.origin is None:
        return False
    same = (before.origin.id, before.origin.source) == (organisation.origin.id, organisation.origin.source)
    return same and (registry.root / file).resolve() == path.resolve()


def write_organisations(
    organisations: Iterable[Organisation],
    registry: Registry,
    out: Path,
    *,
    force: bool = False,
    header: str = "",
    lang: str = "fr",
) -> list[Path]:
    """Write one registry file per organisation under ``out``; all or nothing.

    Refused (``ImportRefused``, nothing written) when ``out`` is not inside
    ``data/registry/`` once symbolic links are resolved, when a file to write is a
    symbolic link (even a dangling one) or not a regular file, when an id already exists
    elsewhere in the registry, or when a file exists and ``force`` is false. No write ever
    follows a link: new files are created with ``O_EXCL | O_NOFOLLOW``, replaced ones
    through a new file renamed over them. The whole registry is checked after writing,
    and every file is put back as it was if the check fails (or the run is interrupted);
    the check's problems then name the files as not written, since they no longer exist.
    A file that holds the same organisation from an earlier import of the same feed
    (``origin``) is replaced without ``force``: a second import updates.
    """
    organisations = list(organisations)
    out = out.resolve()
    folder = (registry.root / "data" / "registry").resolve()
    if not out.is_relative_to(folder):
        raise ImportRefused([f"{out}: {t('cli.hsds.refused.outside', lang)} [import-outside]"])
    problems = conflicts(organisations, registry, out, lang)
    planned = [(out / f"{o.id}.yaml", o) for o in organisations]
    names = [path.name for path, _ in planned]
    problems += [t("cli.hsds.refused.same_id", lang, id=n[:-5]) for n in sorted(set(names)) if names.count(n) > 1]
    for path, organisation in planned:
        if path.is_symlink():
            problems.append(f"{path}: {t('cli.hsds.refused.symlink', lang)} [import-symlink]")
        elif path.exists() and not path.is_file():
            problems.append(f"{path}: {t('cli.hsds.refused.not_file', lang)} [import-not-file]")
        elif path.exists() and not force and not _same_record(path, organisation, registry):
            problems.append(t("cli.hsds.refused.exists", lang, file=path))
    if problems:
        raise ImportRefused(problems)
    previous = {path: path.read_bytes() if path.exists() else None for path, _ in planned}
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, organisation in planned:
            text = organisation_yaml(organisation, schema_line_for(path, registry.root), header)
            _write_registry_file(path, text.encode("utf-8"), replace=previous[path] is not None)
            written.append(path)
    except OSError as exc:
        _put_back(previous, written)
        where = exc.filename or out
        reason = exc.strerror or str(exc)
        raise ImportRefused(
            [f"{where}: {t('cli.hsds.refused.unwritable', lang, reason=reason)} [import-write]"]
        ) from None
    except BaseException:
        _put_back(previous, written)
        raise

    try:
        _, found = check_registry(registry.root)
    except BaseException:
        _put_back(previous, written)
        raise
    errors = [p for p in found if p.severity == "error"]
    if errors:
        _put_back(previous, written)
        created = {path.resolve() for path in written if previous[path] is None}
        errors = [
            dataclasses.replace(p, path=t("cli.hsds.not_written", lang, file=p.path))
            if (registry.root / p.path).resolve() in created
            else p
            for p in errors
        ]
        raise ImportRefused(format_problems(errors, "text", lang).splitlines())
    return [path for path, _ in planned]


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_registry_file(path: Path, content: bytes, *, replace: bool) -> None:
    """Create ``path`` (``replace``: replace it) without ever following a symbolic link.

    ``O_EXCL`` fails on anything already there, a dangling link included; a replacement
    is written to a new file beside it and renamed over the old one, which replaces a
    link itself rather than its target.
    """
    target = path.with_name(f".{path.name}.{os.getpid()}.import") if replace else path
    descriptor = os.open(target, _CREATE, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        if replace:
            os.replace(target, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _put_back(previous: Mapping[Path, bytes | None], written: Iterable[Path]) -> None:
    """Undo an import: files it created are removed, files it replaced get their bytes back."""
    for path in written:
        content = previous[path]
        if content is None:
            path.unlink(missing_ok=True)
        else:
            _write_registry_file(path, content, replace=True)
