"""Zip files whose members are deflated in pieces, so that a build after an edit deflates
only the pieces the edit changed.

The HSDS download is one zip of 317 MB of files at 10,000 services; deflating it whole
took 4.5 s of every build, even after a one-service edit. Here each member is cut into
pieces at line ends chosen by the lines' own bytes (content-defined chunking: a line ends
a piece when a checksum of the line falls under a threshold that grows with its length,
so pieces hold about ``PIECE`` bytes whatever the lines' lengths, and an edited line moves
no other cut). Each piece is deflated on its own, primed with the last 32 kB of the piece
before it (as ``pigz`` does: the zip is as small as one deflated whole), and ends on a
byte boundary (``Z_SYNC_FLUSH``); the pieces one after the other, then an empty final
block, are the member's deflate stream. Any unzip reads it.

A piece's deflated bytes depend only on its bytes, the last 32 kB of the piece before it,
the compression level and zlib's version: with ``Deflated`` (a store kept between builds,
``site/hsds_memo.py``), a piece already deflated is taken as it is. A zip made with the
store is the same, byte for byte, as one made without it (``tests/test_zipped.py``).

``zipfile`` writes the headers, sizes, checksums and Zip64 records; the pieces go through
the member's writer in place of its compressor (``_PieceDeflater``).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

PIECE = 256 * 1024  # bytes per piece, on average
LEVEL = 6  # zlib's default level
WINDOW = 32 * 1024  # deflate's window: what a piece may refer to in the piece before it
_FINAL = b"\x03\x00"  # an empty final block (fixed Huffman codes): a stream's end
_SCALE = (1 << 32) // PIECE
_LINE = re.compile(rb"\n")
_PARAMETERS = f"zipped 1 {LEVEL} {zlib.ZLIB_RUNTIME_VERSION}".encode()


class Deflated(Protocol):
    """Where a build keeps deflated pieces from one build to the next, by key."""

    def get_piece(self, key: bytes) -> bytes | None: ...

    def put_piece(self, key: bytes, data: bytes) -> None: ...


def pieces(view: memoryview | bytes) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` of each piece of ``view`` (see the module docstring)."""
    start = line = 0
    for match in _LINE.finditer(view):
        end = match.end()
        if zlib.crc32(view[line:end]) < (end - line) * _SCALE:
            yield start, end
            start = end
        line = end
    if start < len(view):
        yield start, len(view)


class _PieceDeflater:
    """What a ``zipfile`` member's writer calls to compress: each ``compress`` call is given
    a piece (``_write_member``) and returns it deflated, from ``store`` when it has it."""

    def __init__(self, store: Deflated | None) -> None:
        self.store = store
        self.window = b""  # the last WINDOW bytes of the piece before, which prime the next one's deflate
        self.before = b""  # and their digest, which the next one's key names

    def compress(self, piece: bytes | memoryview) -> bytes:
        digest = hashlib.blake2b(piece, digest_size=20).digest()
        key = hashlib.blake2b(_PARAMETERS + self.before + digest, digest_size=20).digest()
        found = self.store.get_piece(key) if self.store is not None else None
        if found is None:
            compressor = (
                zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=self.window)
                if self.window
                else zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            )
            found = compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
            if self.store is not None:
                self.store.put_piece(key, found)
        self.window = bytes(piece[-WINDOW:])
        self.before = hashlib.blake2b(self.window, digest_size=20).digest()
        return found

    def flush(self) -> bytes:
        return _FINAL


def zipped(files: Iterable[tuple[str, bytes | memoryview]], store: Deflated | None = None) -> bytes:
    """A zip of ``files`` (each taken when it comes), with fixed timestamps: the same files
    give the same bytes, with or without ``store``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            view = memoryview(data)
            info.file_size = view.nbytes  # as writestr does: zipfile decides on Zip64 from it
            with archive.open(info, "w") as member:
                # The member's own compressor (a zlib object) replaced by the pieces' one:
                # zipfile counts the sizes and the CRC of what goes through ``write``.
                member._compressor = _PieceDeflater(store)  # type: ignore[attr-defined]
                for start, end in pieces(view):
                    member.write(view[start:end])
            view.release()
    return buffer.getvalue()
