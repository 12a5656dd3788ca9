"""National scale (issue 24): communes as sections of their département's, province's or
region's page, French territories in French only, old URLs answering with a redirect, and
the HSDS export as one zip. The shipped registry, with the thresholds lowered."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator.registry.loader import Registry, for_audience, load_registry
from generator.site import downloads_hsds, gaps_page, record_languages, territory_pages
from generator.site.context import Asset, SiteConfig, SiteContext
from generator.site.downloads import download_files, downloads_page
from generator.site.downloads_hsds import hsds_downloads
from generator.site.incremental import ServeMemory
from generator.site.pages import organisation_pages, service_pages
from generator.site.territory_pages import territory_index
from generator.synth import synthesize
from tests.conftest import ROOT
from tests.site.test_incremental import AREA, REGION_NAME, WIDER, _edit, _from_scratch, _remembered

_HREF = re.compile(r'href="([^"#:]*)(?:#([^"]*))?"')


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    yield for_audience(load_registry(ROOT), "public")
    territory_pages.forget()


def _site(registry: Registry, national: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, str | bytes]:
    """Every territory URL of the three languages -> its Markdown page or redirect file."""
    monkeypatch.setattr(territory_pages, "COMMUNE_PAGES_LIMIT", 0 if national else 1_000_000)
    territory_pages.forget()
    files: dict[str, str | bytes] = {}
    for lang in SiteConfig().languages:
        ctx = SiteContext(registry=registry, config=SiteConfig(), lang=lang, root=ROOT)
        for item in territory_pages.territory_pages(ctx):
            files[item.uri] = item.content
    territory_pages.forget()
    return files


def _folder(uri: str) -> str:
    return uri.rsplit("/", 1)[0] + "/"


def test_every_old_territory_url_still_answers(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {_folder(uri) for uri in _site(registry, False, monkeypatch)}
    after = _site(registry, True, monkeypatch)
    assert before == {_folder(uri) for uri in after}
    pages = {_folder(uri): content for uri, content in after.items() if isinstance(content, str)}
    redirects = {_folder(uri): content for uri, content in after.items() if isinstance(content, bytes)}
    # A fraction of the pages: communes are sections of their host's page, French
    # territories have no Dutch or English page of their own.
    assert len(pages) < len(before) * 0.7
    assert not any(url.startswith(("nl/territories/fr", "en/territories/fr")) for url in pages)
    assert "nl/territories/be-region-04000/" in pages and "territories/fr-dep-42/" in pages
    assert not any("-commune-" in url for url in pages)
    for url, data in redirects.items():
        html = data.decode("utf-8")
        lang = url.split("/")[0] if url.startswith(("nl/", "en/")) else "fr"
        assert f'<html lang="{lang}">' in html, url
        [target] = set(re.findall(r'url=([^"]+)"', html))
        assert f'href="{target}"' in html and "<title>" in html and "Content-Security-Policy" in html
        path, _, anchor = urljoin("/" + url, target).lstrip("/").partition("#")
        assert path in pages, f"{url} -> {target}"
        if anchor:
            assert f'<h3 id="{anchor}">' in pages[path], f"{url} -> {target}"


def test_schaerbeek_is_a_section_of_brussels_with_its_services_and_gaps(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _site(registry, True, monkeypatch)
    redirect = files["territories/be-commune-21015/index.html"]
    assert isinstance(redirect, bytes)
    assert b"url=../be-region-04000/#be-commune-21015" in redirect and b"Schaerbeek" in redirect
    dutch = files["nl/territories/be-commune-21015/index.html"]
    assert isinstance(dutch, bytes) and b"Schaarbeek" in dutch and b'lang="nl"' in dutch
    page = files["territories/be-region-04000/index.md"]
    assert isinstance(page, str)
    section = page.split('<h3 id="be-commune-21015">', 1)[1].split("<h3", 1)[0]
    assert "Schaerbeek" in section and "1030" in section
    assert "maillage-commune" in section and ("zone" in section.casefold() or "vérifier" in section)
    # Services naming all of Brussels are listed once, above the communes.
    head = page.split('<h3 id="', 1)[0]
    assert "brusano-case-management" in head


def test_links_to_communes_lead_to_their_anchor(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _site(registry, True, monkeypatch)
    pages = {_folder(uri): c for uri, c in files.items() if isinstance(c, str)}
    checked = 0
    for uri, content in files.items():
        if not isinstance(content, str):
            continue
        for target, anchor in _HREF.findall(content):
            path = urljoin("/" + _folder(uri), target).lstrip("/")
            if "territories/" not in path:
                continue
            assert path in pages or path + "index.html" in files, f"{uri}: {target}"
            if anchor and path in pages:
                assert f'id="{anchor}"' in pages[path], f"{uri}: {target}#{anchor}"
                checked += 1
    assert checked > 100


def test_small_directories_keep_a_page_per_commune(registry: Registry) -> None:
    territory_pages.forget()
    index = territory_index(registry)
    assert not index.hosts and index.has_page("be-commune-21015", None)
    territory_pages.forget()


def test_a_large_export_is_one_zip(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang="fr", root=ROOT)
    small = {a.uri for a in hsds_downloads(ctx) if isinstance(a, Asset)}
    assert "downloads/hsds/services.ndjson" in small
    monkeypatch.setattr(downloads_hsds, "LOOSE_LIMIT", 10)
    large = {a.uri for a in hsds_downloads(ctx) if isinstance(a, Asset)}
    assert large == {
        "downloads/hsds/maillage-hsds.zip",
        "downloads/hsds/datapackage/datapackage.json",
        "downloads/modele-import.xlsx",
        "downloads/modele-import.csv",
    }
    [page] = downloads_page(ctx)
    links = set(re.findall(r'href="\.\./(downloads/[^"]+)"', page.content))
    assert "downloads/hsds/maillage-hsds.zip" in links and "downloads/hsds/services.ndjson" not in links
    assert {link for link in links if link.startswith("downloads/hsds/")} <= large


def test_maillage_json_is_every_model_as_pydantic_reads_it_in_the_files_order(registry: Registry) -> None:
    """``maillage.json`` is assembled from each model's JSON (site/downloads.py): once parsed,
    it is the nested document ``model_dump`` gives, organisation by organisation, each with
    its file, then programmes and sources, in that order of keys."""
    import json

    from generator.site.downloads import registry_json

    document = json.loads(registry_json(registry, "public"))
    expected = {
        "audience": "public",
        "newest_verification": registry.newest_verification.isoformat() if registry.newest_verification else None,
        "organisations": [
            {"file": registry.files[org_id], **org.model_dump(mode="json", exclude_none=True)}
            for org_id, org in sorted(registry.organisations.items())
        ],
        "programmes": [p.model_dump(mode="json", exclude_none=True) for _, p in sorted(registry.programmes.items())],
        "sources": [s.model_dump(mode="json", exclude_none=True) for _, s in sorted(registry.sources.items())],
    }
    assert document == expected
    assert list(document) == list(expected)
    assert [list(org) for org in document["organisations"]] == [list(org) for org in expected["organisations"]]
    assert len(document["organisations"]) == len(registry.organisations) > 10


def test_a_large_registry_json_is_zipped(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit, ``maillage.json`` (40 MB at 10,000 services) is published in a zip,
    the same JSON inside, and the downloads page links to the zip."""
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang="fr", root=ROOT)
    small = {a.uri: a.content for a in download_files(ctx)}
    assert "downloads/maillage.json" in small and "downloads/maillage.json.zip" not in small
    monkeypatch.setattr(downloads_hsds, "LOOSE_LIMIT", 10)
    large = {a.uri: a.content for a in download_files(ctx)}
    assert "downloads/maillage.json" not in large
    with zipfile.ZipFile(io.BytesIO(large["downloads/maillage.json.zip"])) as archive:
        assert archive.namelist() == ["maillage.json"]
        assert archive.read("maillage.json") == small["downloads/maillage.json"]
    assert set(large) - {"downloads/maillage.json.zip"} == set(small) - {"downloads/maillage.json"}
    [page] = downloads_page(ctx)
    links = set(re.findall(r'href="\.\./(downloads/[^"]+)"', page.content))
    assert "downloads/maillage.json.zip" in links and "downloads/maillage.json" not in links
    assert "compressé en zip" in page.content


def test_a_large_gap_report_zips_its_communes_file(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit, the gap report's communes (45 MB of CSV at 10,000 services) are
    published in a zip, the same CSV inside, and every analysis' page links to the zip."""

    def report() -> dict[str, str | bytes]:
        gaps_page.forget()
        ctx = SiteContext(registry=registry, config=SiteConfig(), lang="fr", root=ROOT)
        return {item.uri: item.content for item in gaps_page.gaps_pages(ctx)}

    small = report()
    monkeypatch.setattr(downloads_hsds, "LOOSE_LIMIT", 10)
    large = report()
    gaps_page.forget()
    assert "gaps/data/communes.csv" in small and "gaps/data/communes.csv.zip" not in small
    assert "gaps/data/communes.csv" not in large
    with zipfile.ZipFile(io.BytesIO(large["gaps/data/communes.csv.zip"])) as archive:  # type: ignore[arg-type]
        assert archive.namelist() == ["communes.csv"]
        assert archive.read("communes.csv") == small["gaps/data/communes.csv"]
    pages = {uri: content for uri, content in large.items() if uri.endswith(".md")}
    assert len(pages) > 5
    for uri, content in pages.items():
        assert isinstance(content, str)
        if "communes.csv" in content:  # each analysis' downloads: the zip, named with its format
            assert re.search(r'href="(\.\./)*data/communes\.csv\.zip" download>communes\.csv\.zip</a>', content), uri
            assert '/communes.csv"' not in content and '"data/communes.csv"' not in content, uri
    assert sum("communes.csv.zip" in str(content) for content in pages.values()) > 5


@pytest.mark.parametrize("edit", [AREA, WIDER, REGION_NAME], ids=["area", "wider", "region-name"])
def test_serve_at_national_scale_equals_a_fresh_generation(
    mini: Path, edit: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit loop remakes host pages and redirects as a fresh generation does."""
    monkeypatch.setattr(territory_pages, "COMMUNE_PAGES_LIMIT", 0)
    territory_pages.forget()
    memory = ServeMemory()
    expected = _from_scratch(mini)
    assert any(uri.endswith("index.html") and "/territories/" in "/" + uri for _, uri, _ in expected)
    assert _remembered(memory, mini) == expected
    _edit(mini, *edit)
    assert _remembered(memory, mini) == _from_scratch(mini)
    territory_pages.forget()


def _records(registry: Registry, limit: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, str | bytes]:
    """Every service and organisation URL of the three languages -> its page or small page."""
    monkeypatch.setattr(record_languages, "TRANSLATED_PAGES_LIMIT", limit)
    files: dict[str, str | bytes] = {}
    for lang in SiteConfig().languages:
        ctx = SiteContext(registry=registry, config=SiteConfig(), lang=lang, root=ROOT)
        for item in [*service_pages(ctx), *organisation_pages(ctx)]:
            files[item.uri] = item.content
    return files


def test_french_services_have_french_pages_only_and_every_url_answers(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _records(registry, 1_000_000, monkeypatch)
    after = _records(registry, 0, monkeypatch)
    assert {_folder(uri) for uri in before} == {_folder(uri) for uri in after}
    pages = {_folder(uri): c for uri, c in after.items() if isinstance(c, str)}
    small = {
        _folder(uri): c.decode() for uri, c in after.items() if isinstance(c, bytes) and uri.endswith("/index.html")
    }
    # Belgian services and organisations keep their Dutch and English pages; French ones
    # without Dutch or English text have their French page only.
    assert "nl/services/brusano-case-management/" in pages and "en/organisations/brusano/" in pages
    assert "nl/services/empp-cayenne/" in small and "en/services/empp-cayenne/" in small
    assert "nl/services/ucsd-lyon/" in small and "nl/organisations/ucsd-lyon-gcsms/" in small
    # The UCSD of Lyon has English texts: its English page says more than the French one.
    assert "en/services/ucsd-lyon/" in pages
    assert all(url.startswith(("nl/", "en/")) for url in small)
    assert len(small) > len(pages) / 3
    for url, html in small.items():
        lang = url.split("/", 1)[0]
        assert f'<html lang="{lang}">' in html and 'name="robots" content="noindex"' in html
        [target] = set(re.findall(r'url=([^"]+)"', html))
        assert urljoin("/" + url, target).lstrip("/") == url.split("/", 1)[1] in pages, url
        assert f'href="{target}" hreflang="fr" lang="fr"' in html and "Content-Security-Policy" in html
        # Findable by a search in the folder's language, as a result leading to the French page.
        assert 'data-pagefind-body=""' in html and f'data-value="{url.split("/", 1)[1]}"' in html
    lyon = small["nl/services/ucsd-lyon/"]
    assert "in het Frans" in lyon and 'data-pagefind-filter="need[data-value]"' in lyon


def test_dutch_pages_link_straight_to_french_pages(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _records(registry, 0, monkeypatch)
    territory_pages.forget()
    ctx = SiteContext(registry=registry, config=SiteConfig(), lang="nl", root=ROOT)
    lists = {
        page.uri: page.content for page in [*territory_pages.territory_pages(ctx)] if isinstance(page.content, str)
    }
    lists.update({uri: c for uri, c in files.items() if isinstance(c, str) and uri.startswith("nl/")})
    territory_pages.forget()
    straight = 0
    for uri, content in lists.items():
        for target in re.findall(r'href="([^"#:]*(?:services|organisations)/[^"/]+/)"', content):
            path = urljoin("/" + _folder(uri), target).lstrip("/")
            answer = files.get(path + "index.md", files.get(path + "index.html"))
            assert isinstance(answer, str), f"{uri}: {target} is not a page"
            if not path.startswith("nl/"):
                straight += 1
                tag = re.search(
                    r'<a href="' + re.escape(target) + r'"[^>]*>[^<]*</a>( <small[^>]*>[^<]*</small>)?', content
                )
                assert tag and 'hreflang="fr"' in tag.group(0) and "(in het Frans)" in tag.group(0), uri
    assert straight > 30


def test_small_directories_keep_every_translation(registry: Registry) -> None:
    for lang in ("nl", "en"):
        ctx = SiteContext(registry=registry, config=SiteConfig(), lang=lang, root=ROOT)
        assert all(record_languages.has_own_page(ctx, s) for s in [*registry.services, *registry.organisations])


def test_a_minified_page_keeps_its_language_closing_tags_and_allowed_scripts() -> None:
    """At national scale pages are minified before the policy hashes their inline scripts."""
    from mkdocs.config.defaults import MkDocsConfig

    from generator.site import csp, minify

    html = (
        '<!doctype html>\n<html lang="nl">\n  <head>\n    <meta charset="utf-8">\n    <title>T</title>\n'
        '  </head>\n  <body>\n    <p class="maillage-section">een   twee</p>\n'
        + csp.own_script("\n  var a = 1;\n")
        + '\n    <script src="x.js"></script>\n    <script>alert(1)</script>\n  </body>\n</html>\n'
    )
    plain = csp.add_policy(html, None)
    out = csp.add_policy(minify.minifier(MkDocsConfig())(html), None)  # type: ignore[no-untyped-call]
    assert len(out) < len(plain) - 40
    assert re.search(r'<html lang="?nl"?>', out) and "</p>" in out and "</body>" in out and "</html>" in out
    assert "data-maillage-own" not in out
    own = re.findall(r"<script>(.*?)</script>", out, re.S)
    assert own[0].strip() == "var a = 1;" and csp._hash(own[0]) in out
    assert csp._hash(own[1]) not in out  # a script the build did not write stays blocked


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    out = tmp_path_factory.mktemp("synth") / "project"
    synthesize(1500, out, project=ROOT, seed=5)
    return for_audience(load_registry(out), "public")


def test_a_commune_section_lists_the_services_of_its_nearer_areas_by_name(synthetic: Registry) -> None:
    # What a commune's section lists beside its host's page: every service reaching it
    # through an area nearer than the host, by name (the list of a page of its own, less the
    # services the host's page already lists).
    registry = synthetic
    territory_pages.forget()
    index = territory_index(registry)
    territory_pages.forget()
    gazetteer = registry.gazetteer
    compared = both = 0
    for code in sorted(c for c in index.pages if "-commune-" in c):
        for host in (p.code for p in gazetteer.path(code)[:-1]):
            above = index.ancestors_of.get(host, frozenset({host}))
            whole = index.covering(registry, code)
            kept = index.covering(registry, code, beyond=above)
            assert kept == [(s, via) for s, via in whole if via not in above], (code, host)
            names = [territory_pages.plain_name(registry, s) for s, _ in kept]
            assert names == sorted(names)
            compared += 1
            both += bool(kept) and len(kept) < len(whole)
    assert compared > 1000
    assert both > 100  # services left out and services kept, in the same list
