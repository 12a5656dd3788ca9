"""The territories an analysis looks at when none is named: one decision, used by the coverage
analysis (``maillage gaps``, the gap report) and by the site's territory pages alike."""

from __future__ import annotations

from ..registry.loader import Registry


def default_scope(registry: Registry) -> tuple[str, ...]:
    """The countries the registry's services are in, sorted.

    A territory code starts with its country (``TERRITORY_PATTERN``: ``fr``, ``be``,
    ``fr-dep-42``), so the country is read from the code, even for a code the gazetteer lacks.
    """
    countries = set()
    for service in registry.services.values():
        for code in service.public.area:
            countries.add(code.split("-", 1)[0])
    return tuple(sorted(countries))
