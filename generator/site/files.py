"""The files a build generates: virtual mkdocs files, and the spool a parallel build keeps them in.

Every page and asset a provider makes becomes a ``GeneratedFile`` (nothing is written into
``directory/``). In ``maillage serve`` it tells mkdocs' dirty build whether its output must
be rewritten; in a parallel build (``site/parallel.py``) its content waits on disk, in the
``Spool``, until mkdocs reads it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from . import output
from .context import Asset, GeneratedPage
from .generation import Made

SPOOL_BYTES = 64 * 1024  # assets at least this large wait for mkdocs on disk (parallel_build)


def _plain(value: str) -> bool:
    """Whether PurePath leaves the POSIX path ``value`` as it is: no empty, "." or trailing part."""
    return (
        value not in ("", ".")
        and "//" not in value
        and "/./" not in value
        and not value.startswith("./")
        and not value.endswith(("/", "/."))
        and "\x00" not in value
    )


class GeneratedFile(File):
    """A virtual file that says whether its output must be rewritten.

    mkdocs' own ``File.is_modified`` always says yes for in-memory content; in a dirty
    ``serve`` rebuild the plugin sets ``modified`` from the content's fingerprint, so
    mkdocs neither re-renders nor rewrites the pages an edit did not change.
    """

    modified = True

    @property
    def src_path(self) -> str:
        return os.path.normpath(self.src_uri)

    @src_path.setter
    def src_path(self, value: str) -> None:
        # mkdocs normalises the path through PurePath: 1.0-1.1 s for the generated files of
        # a 10,000-service build (pages, redirects, data: about 87,000). A generated file's
        # URI is written plain already; any other is normalised as mkdocs does.
        self.src_uri = value if _plain(value) else PurePath(value).as_posix()

    def is_modified(self) -> bool:
        return self.modified

    def copy_file(self, dirty: bool = False) -> None:
        """mkdocs' ``copy_file`` with fewer system calls (``site/output.py``): tens of
        thousands of generated files (redirects, data files) are written by every build.
        A file that waits in the spool becomes the site's by a hard link, not a copy."""
        if dirty and not self.is_modified():
            return
        content = self._content
        if content is None and self.spooled is None:
            assert self.abs_src_path is not None
            output.link_or_copy(self.abs_src_path, self.abs_dest_path)
            return
        data = self.content_bytes if content is None else content
        output.write_file(self.abs_dest_path, data.encode("utf-8") if isinstance(data, str) else data)

    def release(self) -> None:
        """Forget the content once written (``parallel_build``): nothing reads it again."""
        if self._content is not None:
            self._content = b""

    # A page of a parallel build waits in the spool's one file of pages: (file, offset, size).
    spooled: tuple[str, int, int] | None = None

    @property
    def content_bytes(self) -> bytes:
        if self._content is None and self.spooled is not None:
            path, offset, size = self.spooled
            with open(path, "rb") as spool:
                spool.seek(offset)
                return spool.read(size)
        return File.content_bytes.fget(self)  # type: ignore[attr-defined,no-any-return]

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.spooled = None
        File.content_bytes.fset(self, value)  # type: ignore[attr-defined]

    @property
    def content_string(self) -> str:
        if self._content is None and self.spooled is not None:
            return self.content_bytes.decode("utf-8-sig", errors="strict")
        return File.content_string.fget(self)  # type: ignore[attr-defined,no-any-return]

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.spooled = None
        File.content_string.fset(self, value)  # type: ignore[attr-defined]


class Spool:
    """Where a parallel build keeps what it generated until mkdocs reads it: on disk.

    Generated content held in memory when the page-rendering processes fork would be in
    each of them (10,000 services: 650 MB of pages' Markdown). Large assets wait here as
    files of their own, pages one after the other in one file; each is read back when
    mkdocs asks its file for its content.
    """

    def __init__(self, folder: Path, jobs: int = 1) -> None:
        self.folder = folder
        self.jobs = jobs  # processes that may generate (site/generation.py)
        self.pages = folder / "pages.md"
        self._out = open(self.pages, "wb")  # noqa: SIM115 -- open for the whole generation
        self._offset = 0

    def page(self, content: bytes) -> tuple[str, int, int]:
        self._out.write(content)
        self._offset += len(content)
        return str(self.pages), self._offset - len(content), len(content)

    def close(self) -> None:
        self._out.close()


def virtual_file(config: MkDocsConfig, item: GeneratedPage | Asset | Made, spool: Spool | None = None) -> GeneratedFile:
    """The mkdocs file of a generated page or asset (on disk in ``spool`` when a parallel build has one)."""
    if isinstance(item, Made):  # made by another process (site/generation.py)
        if item.page:
            made = GeneratedFile.generated(config, item.uri, content=b"")
            assert isinstance(made, GeneratedFile)
            made._content = None
            made.spooled = item.spooled
            made.edit_uri = item.edit_path
        elif item.path is not None:
            made = GeneratedFile.generated(config, item.uri, abs_src_path=item.path)
        else:
            made = GeneratedFile.generated(config, item.uri, content=item.content or b"")
        assert isinstance(made, GeneratedFile)
        return made
    # UTF-8 bytes: a Python str holding a single character beyond Latin-1 (’, —, the
    # narrow no-break space of French numbers) takes two bytes per character, and a large
    # directory's pages are held until mkdocs renders them.
    content = item.content.encode("utf-8") if isinstance(item.content, str) else item.content
    if spool is not None and isinstance(item, GeneratedPage):
        file = GeneratedFile.generated(config, item.uri, content=b"")
        assert isinstance(file, GeneratedFile)
        file._content = None
        file.spooled = spool.page(content)
    elif spool is not None and len(content) >= SPOOL_BYTES:
        # Downloads and data files are only copied: on disk, they are not in the memory the
        # page-rendering processes inherit.
        path = spool.folder / item.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        file = GeneratedFile.generated(config, item.uri, abs_src_path=str(path))
    else:
        file = GeneratedFile.generated(config, item.uri, content=content)
    assert isinstance(file, GeneratedFile)
    if isinstance(item, GeneratedPage):
        file.edit_uri = item.edit_path
    return file
