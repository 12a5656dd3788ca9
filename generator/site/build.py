"""``maillage build``: build the whole site aside, then swap it in.

The site is built into a fresh temporary folder next to the target (same file system, so
the final rename is atomic); the previous output is replaced only when every step
succeeded. A failed build leaves it untouched and removes its own leftovers.

The swap removes the previous target whole, so the target must be something a build made:
``check_target`` refuses the project itself or a folder holding it, the project's sources
(``data/``, the docs folder, the theme overrides, ``generator/``, ``.git``) and anything in
them, and any folder that is neither absent, empty, nor a site. A site is recognised by
the marker every build writes at its root (``SITE_MARKER``): it lists the entries the build
wrote at the top, and a folder holding anything else (a ``.git`` of a deployment, a file
someone added) is refused, since the swap would delete it. A site inside the project built
before the marker existed (``index.html`` and ``sitemap.xml`` at its top, as every mkdocs
build writes) is accepted once; the build then marks it.

With a cache, the site replaced is not thrown away: it is kept in the cache as the spare
(``SPARE``), and the next build is written over it rather than into an empty folder,
leaving the files that did not change where they are (``site/output.py``'s ``reuse``).
Writing a national site's files is most of a one-service edit's build otherwise; removing
the replaced site took 22 s more at 10,000 services (bench/README.md).

A build killed half-way leaves its temporary folders: their names carry the building
process's id, and the next build next to them removes those whose process is gone.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .output import files_and_folders_only

BuildStep = Callable[[Path], None]

SITE_MARKER = ".maillage-site"
SPARE = "previous-site"  # the site before the last one, in the cache folder (atomic_build's spare)
_MARKER_KIND = "maillage site"
# The project's own folders: a site is never written into one of them, nor around one.
SOURCE_FOLDERS = ("data", "directory", "overrides", "generator", ".git")
# Errors of the machine rather than of the build's code: reported in one line.
ENVIRONMENT_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


class TargetError(Exception):
    """The output folder cannot be replaced by a site; the message says why."""


def check_target(out: Path, root: Path, sources: Iterable[Path] = ()) -> Path:
    """``out`` with its links resolved, if a build may replace it; else ``TargetError``.

    ``root`` is the project folder; ``sources`` are folders of the project besides
    ``SOURCE_FOLDERS`` (mkdocs' ``docs_dir``, the theme's ``custom_dir``) that a build must
    neither write into nor replace.
    """
    target = out.resolve()
    project = root.resolve()
    if target == project or target in project.parents:
        raise TargetError(
            f"{out}: this folder holds the project; the site must go in a folder of its own [target-holds-project]"
        )
    for source in [*(project / name for name in SOURCE_FOLDERS), *sources]:
        source = source.resolve()
        if target == source or source in target.parents or target in source.parents:
            raise TargetError(
                f"{out}: {_shown(source, project)} is part of the project; the site must go in a folder of its own"
                " [target-in-project-sources]"
            )
    if not os.path.lexists(target):
        return target
    if not target.is_dir():
        raise TargetError(f"{out}: not a folder [target-not-a-folder]")
    foreign = _foreign_entries(target, project)
    if foreign:
        listed = ", ".join(sorted(foreign)[:5]) + (", …" if len(foreign) > 5 else "")
        raise TargetError(
            f"{out}: not a site made by maillage build ({listed} would be deleted); "
            "choose an empty or new folder, or empty this one [target-not-a-site]"
        )
    return target


def _shown(path: Path, project: Path) -> str:
    return f"{path.relative_to(project)}/" if project in path.parents else str(path)


def _foreign_entries(folder: Path, project: Path) -> list[str]:
    """What ``folder`` holds that no build wrote ([] for an empty folder or a site)."""
    entries = set(os.listdir(folder))
    if not entries:
        return []
    written = read_marker(folder)
    if written is None:
        if project in folder.parents and {"index.html", "sitemap.xml"} <= entries and _mkdocs_site(folder):
            return []  # a site built in the project before the marker existed
        return sorted(entries)
    return sorted(entries - written - {SITE_MARKER})


def _mkdocs_site(folder: Path) -> bool:
    head = (folder / "sitemap.xml").read_bytes()[:512] if (folder / "sitemap.xml").is_file() else b""
    return b"<urlset" in head and (folder / "index.html").is_file()


def read_marker(folder: Path) -> set[str] | None:
    """The top-level entries the build that made ``folder`` wrote; None when it has no valid marker."""
    try:
        data = json.loads((folder / SITE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = data.get("entries") if isinstance(data, dict) and data.get("kind") == _MARKER_KIND else None
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    return set(entries)


def mark_site(folder: Path) -> None:
    """Write the marker that lets the next build replace ``folder``: what the build wrote at its top.

    Hidden entries are left out: builds write none, and mkdocs' own cleaning keeps them
    (a ``.git`` there is someone else's).
    """
    entries = sorted(name for name in os.listdir(folder) if not name.startswith(".") and name != SITE_MARKER)
    marker = {"kind": _MARKER_KIND, "entries": entries}
    (folder / SITE_MARKER).write_text(json.dumps(marker, indent=0) + "\n", encoding="utf-8")


def atomic_build(out: Path, steps: list[BuildStep], spare: Path | None = None) -> None:
    """Run ``steps`` (each given the temporary site folder) and make the result ``out``.

    Any exception from a step propagates after the temporary folder is removed; ``out``
    is then exactly as it was. Callers check ``out`` first (``check_target``).

    ``spare``: where an earlier site may wait (``SPARE``, in the cache). When one does, it
    becomes the temporary folder (``holds_earlier_site`` says so to the steps), and the
    site that ``out`` held takes its place afterwards; a failed build puts it back.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_folders(out.parent, out.name)
    work = work_folder(out.parent, f".{out.name}-build-")
    if spare is not None and _adopt(spare, work):
        _EARLIER.add(work)
    try:
        for step in steps:
            step(work)
        # mkdtemp makes the folder private (0700); a published site is world-readable.
        os.chmod(work, 0o755)
        swap(work, out, spare)
    except BaseException:
        if work not in _EARLIER or not _give_back(work, spare):
            shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        _EARLIER.discard(work)


# The temporary folders that hold an earlier site (atomic_build's spare).
_EARLIER: set[Path] = set()


def holds_earlier_site(work: Path) -> bool:
    """Whether ``atomic_build`` gave its steps an earlier site in ``work`` (to bring up to date)."""
    return work in _EARLIER


def _adopt(spare: Path, work: Path) -> bool:
    """Put the ``spare`` site in place of the empty folder ``work``; False when there is none
    (or it cannot move: another file system), ``work`` then left empty."""
    if spare.is_symlink() or not spare.is_dir():
        return False
    work.rmdir()
    try:
        spare.rename(work)
    except OSError:  # taken by another build meanwhile, or on another file system
        work.mkdir(0o700)
        return False
    try:
        # Written through its folders from now on: no link may send a file out of it.
        files_and_folders_only(str(work))
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(0o700)
        return False
    return True


def _give_back(work: Path, spare: Path | None) -> bool:
    """A failed build's folder back as the spare: half brought up to date, it is still an
    earlier site (every file is compared before being left). False when it cannot go."""
    if spare is None or os.path.lexists(spare):
        return False
    try:
        work.rename(spare)
    except OSError:
        return False
    return True


def swap(new: Path, out: Path, spare: Path | None = None) -> None:
    """Replace ``out`` by ``new``: two renames, the old tree removed only afterwards (or
    kept as ``spare``, when given and free)."""
    if not out.exists():
        new.rename(out)
        return
    old = work_folder(out.parent, f".{out.name}-old-")
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)  # put the previous site back
        raise
    if spare is not None and not os.path.lexists(spare):
        try:
            spare.parent.mkdir(parents=True, exist_ok=True)
            old.rename(spare)
            return
        except OSError:  # on another file system: not kept
            pass
    shutil.rmtree(old, ignore_errors=True)


def work_folder(parent: Path, prefix: str) -> Path:
    """A new private folder ``<prefix><pid>-<random>`` in ``parent``: its name says who uses it."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def remove_stale_folders(parent: Path, name: str) -> list[Path]:
    """Remove the temporary folders of builds of ``name`` in ``parent`` whose process is gone.

    Only folders named by ``work_folder`` for this target (``.<name>-build-<pid>-…``,
    ``.<name>-old-<pid>-…``) or for a build's page spool (``.maillage-spool-<pid>-…``) are
    considered; a folder whose process still runs (a concurrent build) is kept.
    """
    pattern = re.compile(rf"\.(?:{re.escape(name)}-(?P<kind>build|old)|maillage-spool)-(?P<pid>\d+)-[^/]+")
    removed = []
    for entry in sorted(parent.iterdir()):
        match = pattern.fullmatch(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink() or _running(int(match.group("pid"))):
            continue
        if match.group("kind") == "old" and not os.path.lexists(parent / name):
            # Killed between the swap's two renames: this is the previous site; put it back.
            entry.rename(parent / name)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OverflowError:
        return False
    return True


def environment_error(error: BaseException) -> OSError | None:
    """``error`` (or its cause) when it is the machine's (disk full, read-only, denied), else None."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in ENVIRONMENT_ERRORS:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def describe_environment_error(error: OSError) -> str:
    """``no space left on device (site/.site-build-…/x.html)``: the reason, then the file."""
    reason = (error.strerror or os.strerror(error.errno or 0)).lower()
    return f"{reason} ({error.filename})" if error.filename is not None else reason
