"""The edit loop: what serve reuses, defers or patches must equal what a fresh build makes."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.registry.loader import LoadCache, for_audience, load_registry
from generator.site.build import SITE_MARKER
from generator.site.context import SiteConfig, SiteContext
from generator.site.incremental import DEFERRED, DEFERRED_PAGES, ServeMemory, digest, provider_name
from generator.site.plugin import MaillagePlugin
from generator.site.providers import PROVIDERS
from tests.site.test_build import MKDOCS_YML, project  # noqa: F401 - the fixture: the small project with its mkdocs.yml

CONFIG = SiteConfig(languages=("fr", "nl"))
PHONE = ('"+32 2 000 00 01"', '"+32 2 999 99 99"')
AREA = ("area: [be-region-04000]", "area: [be-commune-21015]")  # Brussels' other communes lose pages
WIDER = ("area: [be-commune-21009, be-commune-21013]", "area: [be-commune-21009, be-commune-21013, be-commune-21015]")
NAME = ("name: Jeunes\n", "name: Jeunes adultes\n")
AGE = ("age: {max: 23}", "age: {max: 17}")  # the gap report changes
REGION_NAME = (
    "name: {fr: Accompagnement adultes,",
    "name: {fr: Accompagnement des adultes,",
)  # on every commune's page


def _contexts(root: Path, cache: LoadCache | None = None) -> list[SiteContext]:
    registry = for_audience(load_registry(root, cache=cache), "public", cache)
    return [SiteContext(registry=registry, config=CONFIG, lang=lang, root=root) for lang in CONFIG.languages]


def _from_scratch(root: Path) -> list[tuple[str, str, object]]:
    return [(provider_name(p), item.uri, item.content) for ctx in _contexts(root) for p in PROVIDERS for item in p(ctx)]


def _remembered(memory: ServeMemory, root: Path, cache: LoadCache | None = None) -> list[tuple[str, str, object]]:
    made = memory.generate(_contexts(root, cache), PROVIDERS, "s")
    return [(name, item.uri, item.content) for name, item in made]


def _edit(root: Path, old: str, new: str, name: str = "alpha.yaml") -> None:
    file = root / "data" / "registry" / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "edit",
    [PHONE, AREA, WIDER, NAME, REGION_NAME, AGE],
    ids=["phone", "area", "wider", "name", "region-name", "age"],
)
@pytest.mark.parametrize("cached", [False, True], ids=["load", "cached-load"])
def test_memory_after_an_edit_equals_a_fresh_generation(mini: Path, edit: tuple[str, str], cached: bool) -> None:
    memory, cache = ServeMemory(), LoadCache() if cached else None
    expected = _from_scratch(mini)
    assert _remembered(memory, mini, cache) == expected
    assert memory.stats["reused"] == 0
    _edit(mini, *edit)
    # Made before the fresh generation: what is reused comes from the previous registry's.
    remembered = _remembered(memory, mini, cache)
    assert memory.stats["reused"] > 0  # the other file's service pages at least
    assert remembered == _from_scratch(mini)


def test_a_registry_growing_past_the_national_scale_remakes_the_pages_sent_to_french(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past record_languages' limit (lowered here to the 3 services of the small project), a
    # French record's Dutch page is a page sending to the French one, and the Dutch pages
    # link there: a service added elsewhere changes the pages of records it does not touch.
    from generator.site import record_languages

    monkeypatch.setattr(record_languages, "TRANSLATED_PAGES_LIMIT", 3)
    memory = ServeMemory()
    _remembered(memory, mini)
    pages = dict(memory.service_outputs)
    text = (mini / "data" / "registry" / "beta.yaml").read_text(encoding="utf-8")
    added = text.split("services:\n", 1)[1].replace("beta-housing-first", "beta-housing-first-2")
    _edit(mini, "services:\n", f"services:\n{added}", "beta.yaml")
    remembered = _remembered(memory, mini)
    assert remembered == _from_scratch(mini)
    # beta-housing-first's Dutch page now sends to the French one (and the territories with a
    # page change at national scale: its other pages are remade too).
    remade = {key for key, (_, page) in memory.service_outputs.items() if page is not pages.get(key)}
    assert {("beta-housing-first", "nl"), ("beta-housing-first-2", "fr"), ("beta-housing-first-2", "nl")} <= remade


def test_the_gap_report_reuses_the_analyses_an_edit_leaves_alone(mini: Path) -> None:
    from generator.site.gaps_page import report

    cache = LoadCache()

    def analyses() -> dict[str, object]:
        return {a.selection.slug: a for a in report(_contexts(mini, cache)[0].registry, ()).analyses}

    before = analyses()
    _edit(mini, *PHONE)
    assert all(a is before[slug] for slug, a in analyses().items())  # contacts count for none
    before = analyses()
    _edit(mini, *WIDER)  # alpha-youth: mental health and youth, clinical case management
    after = analyses()
    assert after.keys() == before.keys()
    remade = {slug for slug, a in after.items() if a is not before[slug]}
    assert remade == {"all", "need-mental-health", "need-youth", "function-clinical-case-management"}


@pytest.mark.parametrize(("edit", "remade"), [(AREA, {"alpha-adults"}), (WIDER, {"alpha-youth"})])
def test_an_area_edit_remakes_only_the_edited_service_page(mini: Path, edit: tuple[str, str], remade: set[str]) -> None:
    memory = ServeMemory()
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    before = {key: page for key, (_, page) in memory.service_outputs.items()}
    _edit(mini, *edit)
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    made = {key[0] for key, (_, page) in memory.service_outputs.items() if page is not before[key]}
    # Neither the other service of the same file nor the other file's: their territory
    # links lead where they did.
    assert made == remade


def test_a_wider_area_remakes_the_territory_pages_it_reaches(mini: Path) -> None:
    memory = ServeMemory()
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    before = dict(memory.territories["fr"].pages)
    _edit(mini, *WIDER)
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    after = memory.territories["fr"].pages
    assert after.keys() == before.keys() and len(after) > 10
    made = {code for code, page in after.items() if page is not before[code]}
    # The communes named before and after, and what contains them; not Lyon's.
    assert made == {"be-commune-21009", "be-commune-21013", "be-commune-21015", "be-region-04000", "be"}


def test_a_phone_edit_remakes_its_service_and_organisation_pages_only(mini: Path) -> None:
    memory = ServeMemory()
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    services = {key: page for key, (_, page) in memory.service_outputs.items()}
    organisations = {key: page for key, (_, page) in memory.organisation_outputs.items()}
    _edit(mini, *PHONE)
    list(memory.generate(_contexts(mini), PROVIDERS, "s"))
    assert {k[0] for k, (_, page) in memory.service_outputs.items() if page is not services[k]} == {"alpha-adults"}
    assert {k[0] for k, (_, page) in memory.organisation_outputs.items() if page is not organisations[k]} == {"alpha"}


@pytest.mark.parametrize(
    ("edit", "deferred", "rewritten", "removed"),
    [
        (PHONE, DEFERRED - {"gaps_data"}, {"downloads/contacts.csv", "downloads/hsds/services.ndjson"}, []),
        (
            WIDER,
            DEFERRED | {"gaps_report_pages"},
            {"downloads/areas.csv", "gaps/data/communes.csv"},
            # Schaerbeek is named by a service now: the orientation data has it, not its places files.
            ["assets/maillage/orient/places-n-sc.json"],
        ),
        (
            AGE,
            DEFERRED | {"gaps_report_pages"},
            {"gaps/index.md", "nl/gaps/needs/youth/index.md", "gaps/data/communes.csv"},
            [],
        ),
    ],
    ids=["phone", "wider", "age"],
)
def test_deferred_outputs_are_the_previous_ones_until_made_then_a_fresh_generation(
    mini: Path, edit: tuple[str, str], deferred: frozenset[str], rewritten: set[str], removed: list[str]
) -> None:
    memory = ServeMemory()
    every = DEFERRED | DEFERRED_PAGES.keys()
    first = list(memory.generate(_contexts(mini), PROVIDERS, "s", defer=every))
    assert not memory.deferred  # nothing to show meanwhile: made at once
    memory.plan([item.uri for _, item in first], "s")
    for _, item in first:
        memory.is_changed(item.uri, item.content, item)
    memory.commit()
    _edit(mini, *edit)
    second = list(memory.generate(_contexts(mini), PROVIDERS, "s", defer=every))
    old = {item.uri: item.content for _, item in first}
    for name, item in second:
        if name in deferred:
            assert item.content == old[item.uri]  # served as they were
    work = memory.take_deferred()
    assert {job.name for job in work} == deferred and not memory.deferred
    changed, gone = memory.apply_deferred([(job, list(job.provider(job.context))) for job in work])
    assert gone == removed
    changed_uris = {item.uri for item in changed}
    assert rewritten <= changed_uris
    # Pages are held until written: the site holds the previous ones till then.
    assert set(memory.held) == {item.uri for item in changed if item.uri.endswith(".md")}
    made = {item.uri: item.content for item in changed}
    for uri in list(memory.held):
        assert memory.written[uri] == digest(old[uri])  # what the site holds until then
        memory.mark_written(uri)
        assert memory.written[uri] == digest(made[uri])
    assert not memory.held
    assert "downloads/organisations.csv" not in changed_uris  # same bytes: not rewritten
    # Once made, the next generation reuses them and is a fresh one.
    assert _remembered(memory, mini) == _from_scratch(mini)
    assert memory.stats.get("deferred", 0) == 0


def test_plan_asks_for_a_full_build_when_the_set_of_files_changes() -> None:
    memory = ServeMemory()
    assert memory.plan(["a.md", "b.md"], "s")
    assert memory.is_changed("a.md", "A") and memory.is_changed("b.md", "B")
    memory.commit()
    assert not memory.plan(["a.md", "b.md"], "s")
    assert not memory.is_changed("a.md", "A")
    assert memory.is_changed("b.md", "B2")
    memory.commit()
    assert memory.plan(["a.md"], "s")  # a page left: links and menus may change everywhere
    assert memory.plan(["a.md", "b.md"], "other settings")


# --- the served site -------------------------------------------------------------------------

SERVE_URL = "http://127.0.0.1:8000/"


class _Serve:
    """``mkdocs serve``'s build loop in this process: its first build, then its rebuilds."""

    def __init__(self, root: Path, site: Path) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        def config() -> Any:
            loaded = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
            loaded.site_url = SERVE_URL
            return loaded

        def builder(loaded: Any = None) -> None:  # mkdocs.commands.serve's
            build(loaded or config(), serve_url=SERVE_URL, dirty=True)

        first = config()
        first.plugins.on_startup(command="serve", dirty=True)
        self.config = first
        plugin = first.plugins["maillage"]
        assert isinstance(plugin, MaillagePlugin)
        self.plugin = plugin
        builder(first)
        # What of mkdocs' live-reload server the plugin uses: its epochs, which browsers poll.
        self.server = SimpleNamespace(builder=builder, _epoch_cond=threading.Condition())
        self.server._wanted_epoch = self.server._visible_epoch = 0
        self.rebuild = plugin.on_serve(self.server, config=first, builder=builder).builder
        self.settle()

    def settle(self) -> None:
        """Wait for the background: deferred outputs and search index."""
        for background in (self.plugin.deferred, self.plugin.indexer):
            if background is not None:
                assert background.wait(120)

    def close(self) -> None:
        self.config.plugins.on_shutdown()


_FRESH = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.site_url = sys.argv[3]
build(config, serve_url=sys.argv[3])
"""


def _fresh(root: Path, site: Path) -> None:
    """A clean build of the project as it is now, as serve would make it from scratch.

    In another process: mkdocs keeps one plugin object per process, the serving one here.
    """
    command = [sys.executable, "-c", _FRESH, str(root / "mkdocs.yml"), str(site), SERVE_URL]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def _differences(served: Path, fresh: Path) -> list[str]:
    """Files that differ or exist on one side only (Pagefind's fragment names and the
    workbook's timestamp differ from one run to the next: tests/site/test_build.py).
    The marker a build leaves for the next one (site/build.py) is not part of the site;
    serve's folder, which no build replaces, has none."""

    def files(site: Path) -> set[str]:
        return {
            p.relative_to(site).as_posix()
            for p in site.rglob("*")
            if p.is_file() and "pagefind" not in p.parts and p.name not in ("modele-import.xlsx", SITE_MARKER)
        }

    ours, theirs = files(served), files(fresh)
    return sorted((ours ^ theirs) | {n for n in ours & theirs if (served / n).read_bytes() != (fresh / n).read_bytes()})


@pytest.fixture
def serve(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Serve]:  # noqa: F811
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")
    running = _Serve(project, tmp_path / "served")
    try:
        yield running
    finally:
        running.close()


def _patched(caplog: pytest.LogCaptureFixture) -> bool:
    return any("rewritten without a build" in r.getMessage() for r in caplog.records)


def test_the_served_site_after_edits_is_a_fresh_build(
    serve: _Serve,
    project: Path,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.maillage")
    served = tmp_path / "served"
    # The last edit removes pages (Brussels' communes no service reaches any more): they go
    # without mkdocs' build too (their files, their outputs, the sitemap).
    edits = ((PHONE, True), (WIDER, True), (NAME, True), (AGE, True), (AREA, True))
    for number, (edit, patched) in enumerate(edits):
        caplog.clear()
        _edit(project, *edit)
        serve.rebuild()
        assert _patched(caplog) == patched  # True: without mkdocs' build
        serve.settle()
        fresh = tmp_path / f"fresh-{number}"
        _fresh(project, fresh)
        assert _differences(served, fresh) == []
    assert "+32 2 999 99 99" in (served / "downloads" / "contacts.csv").read_text(encoding="utf-8-sig")
    assert "Jeunes adultes" in (served / "nl" / "services" / "index.html").read_text(encoding="utf-8")

    # A new service: its pages come (and territory pages with it), without mkdocs' build.
    caplog.clear()
    _edit(project, "services:\n", "services:\n  - id: beta-new\n    name: Nouveau\n" + _NEW_SERVICE, "beta.yaml")
    serve.rebuild()
    assert _patched(caplog)
    serve.settle()
    _fresh(project, tmp_path / "fresh-new")
    assert _differences(served, tmp_path / "fresh-new") == []
    assert (served / "services" / "beta-new" / "index.html").is_file()


_NEW_SERVICE = """\
    needs: [mental-health]
    functions: [case-management]
    objective: Un service ajouté pendant le serve.
    public:
      area: [be-commune-21015]
    sources: [fixture-source]
    verified: 2024-01-17
"""


def test_an_error_keeps_the_last_good_site_and_the_fix_patches_it(
    serve: _Serve,
    project: Path,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served = tmp_path / "served"
    page = served / "services" / "alpha-adults" / "index.html"
    before = page.read_bytes()
    _edit(project, "verified: 2024-01-17", "verified: someday")
    serve.rebuild()
    assert page.read_bytes() == before
    assert any("alpha.yaml:" in r.getMessage() and "problème(s)" in r.getMessage() for r in caplog.records)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.maillage")
    _edit(project, "verified: someday", "verified: 2024-01-18")
    serve.rebuild()
    assert _patched(caplog)
    serve.settle()
    _fresh(project, tmp_path / "fresh")
    assert _differences(served, tmp_path / "fresh") == []


def test_a_changed_title_in_the_menu_leaves_the_rebuild_to_mkdocs(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    from tests.conftest import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")
    # An organisation's page in the menu, titled by its name: renaming it changes every page.
    entry = "  - Contribuer: contribute.md\n"
    nav = MKDOCS_YML.replace(entry, entry + "  - organisations/beta/index.md\n")
    (mini / "mkdocs.yml").write_text(nav.format(overrides=ROOT / "overrides"), encoding="utf-8")
    shutil.copytree(ROOT / "directory", mini / "directory")
    running = _Serve(mini, tmp_path / "served")
    try:
        assert "Beta" in _menu(tmp_path / "served" / "index.html")
        caplog.set_level(logging.INFO, logger="mkdocs.plugins.maillage")
        _edit(mini, "name: Beta\n", "name: Beta renommée\n", "beta.yaml")
        running.rebuild()
        assert not _patched(caplog)
        running.settle()
    finally:
        running.close()
    _fresh(mini, tmp_path / "fresh")
    assert _differences(tmp_path / "served", tmp_path / "fresh") == []
    assert "Beta renommée" in _menu(tmp_path / "served" / "index.html")


def _menu(page: Path) -> list[str]:
    """The titles of a page's menu entries."""
    return re.findall(r'md-ellipsis">\s*([^<]*?)\s*<', page.read_text(encoding="utf-8"))


class _Later:
    """Stands for the plugin's background thread: records requests, runs nothing by itself."""

    def __init__(self) -> None:
        self.requests = 0

    def request(self) -> None:
        self.requests += 1

    def wait(self, timeout: float | None = None) -> bool:
        return True


def test_pages_of_other_files_follow_the_reload_and_give_way_to_the_next_edit(
    serve: _Serve,
    project: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    served = tmp_path / "served"
    later = _Later()
    serve.plugin.deferred = later  # type: ignore[assignment]
    region = served / "territories" / "be-region-04000" / "index.html"
    service = served / "services" / "alpha-youth" / "index.html"
    before = region.read_text(encoding="utf-8")
    _edit(project, *NAME)
    serve.rebuild()
    # The edited file's pages are written before the rebuild returns (and browsers reload);
    # the region's page, which lists the service, waits for the background.
    assert "Jeunes adultes" in service.read_text(encoding="utf-8")
    assert region.read_text(encoding="utf-8") == before and later.requests == 1
    # Another edit comes first: its rebuild writes what the background had not.
    _edit(project, *REGION_NAME)
    serve.rebuild()
    assert "Jeunes adultes" not in region.read_text(encoding="utf-8")
    serve.plugin._waiting = 1  # as a rebuild waiting for the site: the background gives way
    serve.plugin._catch_up(served)
    assert "Jeunes adultes" not in region.read_text(encoding="utf-8")
    serve.plugin._waiting = 0
    serve.rebuild()  # no edit: what was left unwritten is still to write
    epoch = serve.server._visible_epoch
    serve.plugin._catch_up(served)
    assert serve.server._visible_epoch == serve.server._wanted_epoch != epoch  # browsers told to reload
    text = region.read_text(encoding="utf-8")
    assert "Jeunes adultes" in text and "Accompagnement des adultes" in text
    serve.plugin.deferred = None
    serve.settle()
    _fresh(project, tmp_path / "fresh")
    assert _differences(served, tmp_path / "fresh") == []
