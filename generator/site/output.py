"""Writing the site's files with as few system calls as the file system needs.

A national site is tens of thousands of small files, each in a folder of its own
(``services/<id>/index.html``). A build with a warm cache renders almost nothing: it
writes. mkdocs' ``write_file`` asks ``os.makedirs`` for every file (a ``stat`` of the
parent, then a ``mkdir`` that fails when the folder exists, then a ``stat`` of it), and
Python's ``open`` adds its own checks. (On this project's virtual machine the disk's
bytes, not these calls, set the time: bench/README.md, "A one-service edit at 10,000
services: where the time goes now".)

``write_file`` here remembers the folders this process made or found, makes a new one with
one ``mkdir`` when its parent is known, and writes a new file through ``os.open`` (an
existing one is replaced, never written over: it may be a hard link, ``link_or_copy``).
What it remembers is only a shortcut: a folder removed since (another build in the same process, ``maillage
serve``) makes the write fail with ``FileNotFoundError``, and the folders are then made
again, so the result is always that of ``mkdocs.utils.write_file``.

A build with a cache writes into the site before last (``site/build.py``'s spare) rather
than an empty folder: ``reuse`` makes ``write_file`` leave alone a file that already holds
the bytes it would write (compared byte for byte, never trusted from a name or a date),
and ``written`` lists what the build wrote or left, so that ``prune`` then removes what
the earlier build had and this one did not. Writing a national site's 87,000 files and
75,000 folders took 30 to 66 s on this project's machine; a one-service edit changes a
few hundred (bench/README.md, "A one-service edit at 10,000 services: writing only what
changed").
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable

# Folders this process made or saw existing. Never trusted blindly (see the docstring).
_KNOWN: set[str] = set()
# A new file, never an existing one written over: a file of the site may be a hard link
# (``link_or_copy``), and truncating it would change the other name's content too.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
# Whether the folder being written may hold an earlier build's files (``reuse``).
_REUSE = False
# The paths this process wrote or found already right, while ``reuse`` is on.
_WRITTEN: set[str] = set()


def reuse(on: bool) -> None:
    """Start (or stop) writing over an earlier build: equal files are left, every path is noted."""
    global _REUSE
    _REUSE = on
    _WRITTEN.clear()


def reusing() -> bool:
    return _REUSE


def written() -> set[str]:
    """The paths written (or found already right) since ``reuse(True)``."""
    return set(_WRITTEN)


def note(path: str) -> None:
    """Count ``path`` as written (a file made by other means, ``sitemap.xml.gz``)."""
    if _REUSE:
        _WRITTEN.add(path)


_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def same(path: str, data: bytes | memoryview) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (False when there is none, or
    when it is a link or anything but a regular file: ``write_file`` then replaces it)."""
    try:
        handle = os.open(path, _READ)
    except OSError:
        return False
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read() == data
    finally:
        os.close(handle)


def write_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` (made, or replaced by a new file), its folders made as needed.

    While ``reuse`` is on, a file that already holds ``data`` is left as it is."""
    if _REUSE:
        _WRITTEN.add(path)
        if same(path, data):
            return
    folder = os.path.dirname(path)
    if folder and folder not in _KNOWN:
        make_folder(folder)
    try:
        handle = os.open(path, _FLAGS, 0o666)
    except FileNotFoundError:  # a remembered folder was removed since
        _KNOWN.clear()
        make_folder(folder)
        handle = os.open(path, _FLAGS, 0o666)
    except FileExistsError:
        os.unlink(path)
        handle = os.open(path, _FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def link_or_copy(source: str, path: str) -> None:
    """Make ``path`` the file ``source`` is: a hard link, or a copy where links fail
    (another file system). ``source`` must not be written to afterwards."""
    if os.path.abspath(source) == os.path.abspath(path):
        return  # written into the site by whoever made it
    if _REUSE:
        _WRITTEN.add(path)
        if _same_files(source, path):
            return
    folder = os.path.dirname(path)
    if folder and folder not in _KNOWN:
        make_folder(folder)
    try:
        os.link(source, path)
    except FileExistsError:
        os.unlink(path)
        os.link(source, path)
    except FileNotFoundError:
        if not os.path.exists(source):
            raise
        _KNOWN.clear()
        make_folder(folder)
        os.link(source, path)
    except OSError:
        with open(source, "rb") as handle:
            write_file(path, handle.read())


def _same_files(source: str, path: str) -> bool:
    try:
        if os.stat(source).st_size != os.stat(path).st_size:
            return False
        with open(source, "rb") as handle:
            return same(path, handle.read())
    except OSError:
        return False


def copy_file(source: str, path: str) -> None:
    """mkdocs' ``utils.copy_file`` (``path`` may be a folder), through ``write_file``."""
    if os.path.isdir(path):
        path = os.path.join(path, os.path.basename(source))
    if os.path.abspath(source) == os.path.abspath(path):
        raise shutil.SameFileError(f"{source!r} and {path!r} are the same file")
    with open(source, "rb") as handle:
        write_file(path, handle.read())


def prune(folder: str, kept: Iterable[str], *, skip: Iterable[str] = ()) -> int:
    """Remove from ``folder`` every file not in ``kept`` (full paths) and the folders left
    empty, except the top-level entries named in ``skip``; how many files went."""
    keep = set(kept)
    passed = set(skip)
    removed = 0

    def walk(path: str, top: bool) -> bool:
        """Prune ``path``; whether it is empty afterwards."""
        nonlocal removed
        empty = True
        with os.scandir(path) as listing:
            entries = list(listing)
        for entry in entries:
            if top and entry.name in passed:
                empty = False
            elif entry.is_dir(follow_symlinks=False):
                if walk(entry.path, False):
                    os.rmdir(entry.path)
                    _KNOWN.discard(entry.path)
                else:
                    empty = False
            elif entry.path in keep:
                empty = False
            else:
                os.unlink(entry.path)
                removed += 1
        return empty

    walk(folder, True)
    return removed


def files_and_folders_only(folder: str) -> int:
    """Remove from ``folder`` what is neither a folder nor a regular file (symbolic links,
    pipes…), at any depth; how many. A site written over (``reuse``) is written through its
    folders: a link among them would send the files elsewhere."""
    removed = 0
    with os.scandir(folder) as listing:
        entries = list(listing)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            removed += files_and_folders_only(entry.path)
        elif not entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
            removed += 1
    return removed


def make_folder(folder: str) -> None:
    """``os.makedirs(folder, exist_ok=True)``, with one ``mkdir`` when the parent is known."""
    parent = os.path.dirname(folder)
    if parent in _KNOWN:
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:  # the parent was removed since
            _KNOWN.clear()
            os.makedirs(folder, exist_ok=True)
    else:
        os.makedirs(folder, exist_ok=True)
    _KNOWN.add(folder)
    _KNOWN.add(parent)
