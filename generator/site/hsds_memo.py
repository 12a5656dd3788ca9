"""``maillage build``'s memo of the HSDS export: an edit exports again only the organisations it reaches.

The HSDS export (``exchange.hsds.registry_files``) is the longest provider of a build after
a one-service edit: 54 s of one core at 10,000 services, for files in which one
organisation's lines changed. Its ``Memo`` keeps, per organisation, what the export wrote
for it and for its services (NDJSON lines and CSV rows, ``writer.record``), here as one
file per key in ``<cache>/providers/hsds/``; the writer assembles the files from them, the
same bytes as an export made from scratch (``tests/site/test_hsds_memo.py``).

An organisation's key digests all that its objects read: the organisation's model whole
(its services, sites and contacts), the territory of each of its sites, and for each site
its services name (another organisation's too) that site's model, owner and territory;
besides, through ``RegistryPrints.base``, the build's settings (code version, reference
date, gazetteer, configuration) and the reference data (vocabularies, programmes,
sources). An entry is a digest of the rest, then the records as zlib-compressed JSON: a
damaged entry is a miss. The zip's deflated pieces (``exchange/zipped.py``) are kept here
too, as they are. The entries this export neither read nor wrote are removed when it
is done (but those written since it started: another build sharing the folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import zlib
from pathlib import Path

from ..registry.loader import Registry
from ..registry.models import Organisation
from .incremental import Dumps, _fingerprint
from .search_cache import remove_unused, write_atomically

FOLDER = "hsds"  # in the providers' cache folder (site/provider_cache.py)
_DIGEST = 16
PIECE = b"piece:"  # the keys of the zip's deflated pieces begin with it


class HsdsMemo:
    """``exchange.hsds.Memo`` on a folder, for ``registry`` (see the module docstring)."""

    def __init__(self, folder: Path, base: bytes, dumps: Dumps, registry: Registry) -> None:
        self.folder, self._base, self._dumps, self._registry = folder, base, dumps, registry
        self._started = time.time()
        self._used: set[str] = set()
        self.made = 0
        self.reused = 0

    def key(self, organisation: Organisation) -> bytes:
        registry, dumps = self._registry, self._dumps
        parts: list[str | bytes] = [self._base, dumps(organisation)]
        parts += [registry.site_territory.get(site.id, "") for site in organisation.sites]
        for service in organisation.services:
            current = registry.services.get(service.id)
            if current is None:  # not exported (another audience's)
                parts.append("-" + service.id)
                continue
            if current is not service:
                parts.append(dumps(current))
            for site_id in service.sites:
                site = registry.sites.get(site_id)
                parts.append(dumps(site) if site is not None else "-")
                parts += [registry.site_organisation.get(site_id, ""), registry.site_territory.get(site_id, "")]
        return _fingerprint(parts)

    def get(self, key: bytes) -> bytes | None:
        packed = self._read(key)
        if packed is None:
            return None
        try:
            content = zlib.decompress(packed)
        except zlib.error:
            return None
        self.reused += 1
        return content

    def put(self, key: bytes, data: bytes) -> None:
        self._write(key, zlib.compress(data, 1))
        self.made += 1

    def get_piece(self, key: bytes) -> bytes | None:
        """A piece of the zip as deflated by an earlier build (``exchange/zipped.py``)."""
        return self._read(PIECE + key)

    def put_piece(self, key: bytes, data: bytes) -> None:
        self._write(PIECE + key, data)  # deflated already: kept as it is

    def _read(self, key: bytes) -> bytes | None:
        name = key.hex()
        self._used.add(name)
        path = self.folder / name
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.blake2b(data[_DIGEST:], digest_size=_DIGEST).digest() != data[:_DIGEST]:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data[_DIGEST:]

    def _write(self, key: bytes, data: bytes) -> None:
        name = key.hex()
        self._used.add(name)
        write_atomically(self.folder / name, hashlib.blake2b(data, digest_size=_DIGEST).digest() + data)

    def done(self) -> int:
        """Remove the entries this export neither read nor wrote (but newer ones); how many."""
        return remove_unused(self.folder, self._used, self._started)
