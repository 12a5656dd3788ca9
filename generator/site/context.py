"""What every page generator receives, and what it returns.

The mkdocs plugin builds one ``SiteContext`` per language and asks every provider of
``generator.site.providers.PROVIDERS`` for its pages and assets. Providers are plain
functions: tests call them without mkdocs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..registry.loader import Audience, Registry


@dataclass(frozen=True)
class SiteConfig:
    """The ``maillage`` plugin's options from ``mkdocs.yml``."""

    languages: tuple[str, ...] = ("fr", "nl", "en")
    audience: Audience = "public"  # or "professional": professional contacts shown, site marked
    stale_months: int = 12
    scope: tuple[str, ...] = ()  # territory codes; empty: the countries of the services
    tiles: str | None = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tiles_attribution: str = ""  # the basemap's credit; empty: the catalogue's (map.attribution)
    repo_edit_base: str | None = None  # e.g. https://github.com/org/repo/edit/main/
    repo_url: str | None = None  # mkdocs.yml's repo_url: the orientation page's gap reports open issues there
    gap_report_email: str | None = None  # or, when set, they are e-mails to the maintainers
    accessibility_email: str | None = None  # the accessibility statement's contact (else the forge's issues)
    orient_fallback_km: int = 100  # how far the orientation's "nearest out of zone" fallbacks may lie
    # The date the build states ("état au …"): the registry's newest verification, so two
    # builds of the same registry give the same bytes.


@dataclass(frozen=True)
class SiteContext:
    """The registry as this build's audience may see it, in one language."""

    registry: Registry  # already filtered by ``for_audience``
    config: SiteConfig
    lang: str = "fr"
    root: Path = field(default_factory=Path)

    @property
    def prefix(self) -> str:
        """URL prefix of this language's pages: '' for French, 'nl/' for Dutch…"""
        return "" if self.lang == self.config.languages[0] else f"{self.lang}/"


@dataclass(frozen=True)
class GeneratedPage:
    """A Markdown page that exists only in memory (mkdocs ``File.generated``)."""

    uri: str  # e.g. "services/brusano-case-management/index.md", language prefix included
    content: str
    edit_path: str | None = None  # the YAML file to edit, relative to the project


@dataclass(frozen=True)
class Asset:
    """A file copied into the site as is (JSON, CSV, JS, CSS, images)."""

    uri: str  # e.g. "assets/maillage/orient.json"
    content: bytes


Provider = Callable[[SiteContext], Iterable[GeneratedPage | Asset]]
