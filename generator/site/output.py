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
"""

from __future__ import annotations

import os

# Folders this process made or saw existing. Never trusted blindly (see the docstring).
_KNOWN: set[str] = set()
# A new file, never an existing one written over: a file of the site may be a hard link
# (``link_or_copy``), and truncating it would change the other name's content too.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` (made, or replaced by a new file), its folders made as needed."""
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
