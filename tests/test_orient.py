"""The orientation matcher: shared vectors (Python and JavaScript), the CLI, the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.analysis.orient import (
    CONDITION_CHECKS,
    DETAILS_CHUNK,
    Profile,
    Result,
    ServiceRow,
    build_data,
    data_from_json,
    data_to_json,
    details_to_json,
    matcher_words,
    orient,
    place_keys,
    places_to_json,
    text_report,
)
from generator.registry.loader import Registry, for_audience, load_registry
from generator.site.context import Asset, GeneratedPage, SiteConfig, SiteContext
from generator.site.orient_page import DATA_URI, DETAILS_DIR, SCRIPT_URI, orient_files, orient_json, orient_page
from tests.conftest import compare_golden

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors" / "orient.json"
JS_TEST = ROOT / "tests" / "js" / "orient.test.mjs"


def vectors() -> list[dict[str, Any]]:
    return list(json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"])


@pytest.fixture(scope="session")
def registry() -> Registry:
    return for_audience(load_registry(ROOT), "public")


def emitted(registry: Registry) -> dict[str, Any]:
    """The compact data exactly as the build emits it, read back from its bytes, with the
    details chunks in order under ``"details"`` (the page fetches them one by one)."""
    files = orient_files(SiteContext(registry=registry, config=SiteConfig()))
    raw: dict[str, Any] = json.loads(files[DATA_URI])
    chunks = sorted(
        (u for u in files if u.startswith(f"{DETAILS_DIR}details-")), key=lambda u: int(u[len(DETAILS_DIR) + 8 : -5])
    )
    assert chunks == [f"{DETAILS_DIR}details-{k}.json" for k in range(len(chunks))]
    raw["details"] = [json.loads(files[u]) for u in chunks]
    prefix = f"{DETAILS_DIR}places-"
    raw["places"] = {u[len(prefix) : -5]: json.loads(files[u]) for u in files if u.startswith(prefix)}
    return raw


@pytest.fixture(scope="session")
def data_json(registry: Registry) -> dict[str, Any]:
    return emitted(registry)


def run_vector(raw: dict[str, Any], profile: dict[str, Any], lang: str = "fr") -> dict[str, Any]:
    """A vector's profile through the Python matcher, on the data the browser reads."""
    data = data_from_json(raw, raw["details"], raw["places"].values())
    fields = {k: v for k, v in profile.items() if k != "where"}
    fields["needs"] = tuple(fields.get("needs", ()))
    result: dict[str, Any] = orient(data, Profile(place=data.resolve(profile["where"]), **fields), lang).to_json()
    return result


# One profile the JavaScript test also runs with the English phrases of the catalogue.
ENGLISH_PROFILE = {"age": 30, "where": "Schaerbeek", "housing": "housed", "needs": ["mental-health"]}


def check_expectations(result: dict[str, Any], expect: dict[str, Any]) -> None:
    """The same checks as tests/js/orient.test.mjs, one per kind of expectation."""
    matches = [m["service"] for m in result["matches"]]
    near = {n["service"]: n for n in result["near_misses"]}
    if "first_match" in expect:
        assert matches[:1] == [expect["first_match"]]
    for service in expect.get("matches_include", []):
        assert service in matches
    for service in expect.get("matches_exclude", []):
        assert service not in matches
    for service, criteria in expect.get("near_misses", {}).items():
        assert service in near, f"{service} is not a near miss"
        assert [f["criterion"] for f in near[service]["failed"]] == criteria
    for service, details in expect.get("near_miss_details", {}).items():
        assert [f["detail"] for f in near[service]["failed"]] == details
    for service, texts in expect.get("to_check", {}).items():
        match = next(m for m in result["matches"] if m["service"] == service)
        assert match["to_check"] == texts
    if "no_match" in expect:
        assert (not matches) == expect["no_match"]
        assert bool(result["fallbacks"]) == expect["no_match"]
    fallback_services = [f["service"] for f in result["fallbacks"]]
    for service in expect.get("fallbacks_include", []):
        assert service in fallback_services
    kinds = [f["kind"] for f in result["fallbacks"]]
    for kind in expect.get("fallback_kinds_include", []):
        assert kind in kinds
    if "gap_segment" in expect:
        assert result["profile"]["segment"] == expect["gap_segment"]
        assert kinds[-1] == "gap"
    check_ranking(result, expect)
    check_entries(result, expect)
    check_fallbacks(result, expect)


def check_ranking(result: dict[str, Any], expect: dict[str, Any]) -> None:
    """Issue 17's ranking: the order, the groups, the reasons of the ranks."""
    matches = {m["service"]: m for m in result["matches"]}
    order = [m["service"] for m in result["matches"]]
    if "order" in expect:
        assert order[: len(expect["order"])] == expect["order"]
    if "last_matches" in expect:
        assert order[-len(expect["last_matches"]) :] == expect["last_matches"]
    for service, group in expect.get("groups", {}).items():
        assert matches[service]["group"] == group, service
    # The known-and-met group comes first, the one to check after it.
    groups = [m["group"] for m in result["matches"]]
    assert groups == sorted(groups, key=lambda g: g != "fit")
    for service, reason in expect.get("rank_reason", {}).items():
        assert matches[service]["rank_reason"] == reason
    for service, reasons in expect.get("reasons", {}).items():
        assert matches[service]["reasons"] == reasons


def check_entries(result: dict[str, Any], expect: dict[str, Any]) -> None:
    """Contacts and unknown criteria, on whichever list the service is in."""
    entries: dict[str, dict[str, Any]] = {}
    for kind in ("fallbacks", "near_misses", "matches"):
        entries.update({e["service"]: e for e in result[kind] if e["service"]})
    for service, criteria in expect.get("unknown", {}).items():
        assert entries[service]["unknown"] == criteria, service
    for service, line in expect.get("unknown_text", {}).items():
        assert entries[service]["unknown_text"] == line
    for service, contacts in expect.get("contacts", {}).items():
        assert [[c["kind"], c["value"]] for c in entries[service]["contacts"]] == contacts, service


def check_fallbacks(result: dict[str, Any], expect: dict[str, Any]) -> None:
    """Issue 17's fallbacks: which, how far, the gap in words and its report line."""
    fallbacks = result["fallbacks"]
    kinds = [f["kind"] for f in fallbacks]
    services = [f["service"] for f in fallbacks]
    if "fallback_kinds" in expect:
        assert kinds == expect["fallback_kinds"]
    for service in expect.get("fallbacks_exclude", []):
        assert service not in services
    if "max_nearest_km" in expect:
        assert all(f["distance_km"] <= expect["max_nearest_km"] for f in fallbacks if f["kind"] == "nearest")
    for service, km in expect.get("nearest_km", {}).items():
        assert next(f for f in fallbacks if f["service"] == service)["distance_km"] == km
    for kind, detail in expect.get("fallback_details", {}).items():
        assert next(f for f in fallbacks if f["kind"] == kind)["detail"] == detail
    gap = [f for f in fallbacks if f["kind"] == "gap"]
    if "gap_text" in expect:
        assert gap[0]["detail"] == expect["gap_text"]
    if "gaps_url" in expect:
        assert gap[0]["gaps_url"] == expect["gaps_url"]


def test_at_least_thirty_vectors() -> None:
    assert len(vectors()) >= 30


@pytest.mark.parametrize("vector", vectors(), ids=lambda v: str(v["name"]))
def test_vector_python(data_json: dict[str, Any], vector: dict[str, Any]) -> None:
    check_expectations(run_vector(data_json, vector["profile"]), vector["expect"])


def write_js_fixture(out: Path, raw: dict[str, Any] | None = None) -> None:
    """What the JavaScript test reads: the emitted data, and Python's full results to equal."""
    if raw is None:
        registry = for_audience(load_registry(ROOT), "public")
        raw = emitted(registry)
    assert raw is not None
    out.mkdir(parents=True, exist_ok=True)
    (out / "orient.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    expected = [run_vector(raw, v["profile"]) for v in vectors()]
    (out / "python-results.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    english = run_vector(raw, ENGLISH_PROFILE, "en")
    (out / "python-english.json").write_text(json.dumps(english, ensure_ascii=False), encoding="utf-8")
    (out / "words-en.json").write_text(json.dumps(matcher_words("en"), ensure_ascii=False), encoding="utf-8")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_vectors_javascript_agree(data_json: dict[str, Any], tmp_path: Path) -> None:
    write_js_fixture(tmp_path, data_json)
    env = {"ORIENT_FIXTURE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    run = subprocess.run(["node", "--test", str(JS_TEST)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"# pass {len(vectors()) + 4}" in run.stdout


def test_json_round_trip(registry: Registry) -> None:
    data = build_data(registry)
    main, details = json.loads(json.dumps(data_to_json(data))), json.loads(json.dumps(details_to_json(data)))
    places = json.loads(json.dumps(places_to_json(data)))
    assert data_from_json(main, details, places.values()) == data
    # Every commune no service names is in the files its code, names and postcodes point to.
    held = main_codes(main)
    for place in data.territories.values():
        if place.code not in held:
            assert place.level == "commune"
            for key in place_keys(place):
                assert place.code in [row[0] for row in places[key]]
    assert [len(c) for c in details[:-1]] == [DETAILS_CHUNK] * (len(details) - 1)
    # Without its details a service still matches the same way; only what is shown lacks.
    light = data_from_json(main, (), places.values())
    assert [s.id for s in light.services] == [s.id for s in data.services]
    assert all(not s.next_steps and not s.organisation for s in light.services)


def main_codes(main: dict[str, Any]) -> set[str]:
    codes = set(data_from_json(main).territories)
    return codes


def test_main_data_holds_no_display_text(data_json: dict[str, Any]) -> None:
    """Next steps, contacts, how to ask and organisations are in the details chunks only."""
    main = json.dumps({k: v for k, v in data_json.items() if k not in ("details", "places")}, ensure_ascii=False)
    details = json.dumps(data_json["details"], ensure_ascii=False)
    for shown in ("Par téléphone ou par e-mail.", "helpdesk@brusano.brussels", "Qui peut demander : "):
        assert shown not in main
        assert shown in details


def test_data_is_compact_and_for_the_audience(registry: Registry, data_json: dict[str, Any]) -> None:
    size = len(orient_json(SiteContext(registry=registry, config=SiteConfig())))
    assert size < 200_000
    text = json.dumps(data_json, ensure_ascii=False)
    # Bru-Stars' case managers' direct lines are public in the seed; nothing professional-only leaks.
    registry = load_registry(ROOT)
    for service in registry.services.values():
        for contact in service.contacts:
            if contact.visibility == "professional":
                assert contact.value not in text
    territories = data_from_json(data_json, (), data_json["places"].values()).territories
    assert "be-commune-21015" in territories  # Schaerbeek, inside a service area
    assert "fr-commune-59512" in territories  # Roubaix, next to Lille (same EPCI)
    assert "fr-commune-01001" not in territories  # far from every service


def test_unknown_criteria_never_exclude(data_json: dict[str, Any]) -> None:
    result = run_vector(data_json, {"age": 99, "where": "Schaerbeek", "housing": "inadequate", "needs": ["addiction"]})
    dune = next(m for m in result["matches"] if m["service"] == "dune-liaison")
    assert "âge : à vérifier" in dune["to_check"]
    assert "logement : à vérifier" in dune["to_check"]


def test_page_and_assets(registry: Registry) -> None:
    items = list(orient_page(SiteContext(registry=registry, config=SiteConfig())))
    pages = [i for i in items if isinstance(i, GeneratedPage)]
    assets = {i.uri: i for i in items if isinstance(i, Asset)}
    assert [p.uri for p in pages] == ["orient/index.md"]
    assert 'data-src="../assets/maillage/orient.json"' in pages[0].content
    fixed = {DATA_URI, SCRIPT_URI, f"{DETAILS_DIR}details-0.json"}
    assert fixed <= set(assets)
    # Beside its data: the scripts the results use (share, selection, hours), shipped once.
    scripts = {u for u in assets if u.endswith(".js")} - fixed
    assert {u.rsplit("/", 1)[1] for u in scripts} >= {"share.js", "selection.js"}
    assert all(u.startswith(f"{DETAILS_DIR}places-") for u in set(assets) - fixed - scripts)
    assert f"{DETAILS_DIR}places-p-10.json" in assets  # Brussels postcodes outside any service area
    assert 'data-details="../assets/maillage/orient/"' in pages[0].content
    assert "Âge" in pages[0].content
    nl = list(orient_page(SiteContext(registry=registry, config=SiteConfig(), lang="nl")))
    assert [i.uri for i in nl] == ["nl/orient/index.md"]
    nl_page = nl[0]
    assert isinstance(nl_page, GeneratedPage)
    assert 'src="../../assets/maillage/orient.js"' in nl_page.content
    assert "Leeftijd" in nl_page.content and "Verwijsbrief" in nl_page.content
    assert "in het Frans" in nl_page.content  # the matcher's reasons stay French, and the page says so
    en = next(iter(orient_page(SiteContext(registry=registry, config=SiteConfig(), lang="en"))))
    assert isinstance(en, GeneratedPage)
    assert "Find services" in en.content and "stay in French" in en.content
    assert "Trouver les services" not in en.content


def maillage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )


def test_cli_json_shape() -> None:
    run = maillage("orient", "--age", "16", "--where", "Ixelles", "--format", "json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert set(result) == {"profile", "matches", "near_misses", "fallbacks"}
    assert result["matches"][0]["service"] == "bru-stars-case-management"
    assert {"service", "name", "reasons"} <= set(result["matches"][0])
    near = {n["service"]: n["failed"] for n in result["near_misses"]}
    assert near["brusano-case-management"][0]["criterion"] == "age"


def test_cli_agrees_with_the_page_data(data_json: dict[str, Any]) -> None:
    """The CLI builds a smaller digest (only the place asked about) but must answer the same."""
    profile = {"age": 45, "where": "1060", "housing": "roofless", "needs": ["mental-health"], "crisis": True}
    run = maillage("orient", "--age", "45", "--where", "1060", "--housing", "roofless", "--need", "mental-health",
                   "--crisis", "--audience", "public", "--format", "json")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == run_vector(data_json, profile)


def test_cli_text_and_errors() -> None:
    run = maillage("orient", "--age", "45", "--where", "1060", "--housing", "roofless")
    assert run.returncode == 0
    assert "Équipe mobile 107" in run.stdout and "✓" in run.stdout
    ambiguous = maillage("orient", "--age", "45", "--where", "Saint-Gilles")
    assert ambiguous.returncode == 1
    assert "1060" in ambiguous.stderr and "Traceback" not in ambiguous.stderr
    bad = maillage("orient", "--age", "45", "--where", "1060", "--need", "mental")
    assert bad.returncode == 1 and "mental-health" in bad.stderr


def test_service_rows_are_service_row_arrays(data_json: dict[str, Any]) -> None:
    """Each service is a plain JSON array of ``ServiceRow``'s fields, read back by name."""
    rows = data_json["services"]
    assert rows and all(isinstance(row, list) and len(row) == len(ServiceRow._fields) for row in rows)
    first = ServiceRow(*rows[0])
    assert first.shared == 0 and data_json["names"][first.name]


def test_condition_checks_are_the_browsers() -> None:
    """orient.js checks the same conditions with the same words as the Python matcher."""
    script = (ROOT / "generator" / "site" / "assets" / "orient.js").read_text(encoding="utf-8")
    table = re.search(r"var CONDITION_CHECKS = (\[.*?\]);", script, re.DOTALL)
    assert table is not None
    rows = json.loads(re.sub(r",\s*\]$", "]", table.group(1)))
    assert rows == [[c.criterion, c.field, c.flag, c.failing] for c in CONDITION_CHECKS]


# --- issue 17: the text a helpdesk reads, the JSON shape, the fallback distance ----------------

GOLDEN = ROOT / "tests" / "golden" / "orient"
GOLDEN_PROFILES = {
    # The issue's own profiles, and a roofless person whose nearest site is 11 km away.
    "schaerbeek-30-housed-mental-health": {
        "age": 30,
        "where": "Schaerbeek",
        "housing": "housed",
        "needs": ("mental-health",),
    },
    "ixelles-16": {"age": 16, "where": "Ixelles"},
    "saint-gilles-45-roofless-crisis": {"age": 45, "where": "1060", "housing": "roofless", "crisis": True},
    "roubaix-30-roofless-relative": {"age": 30, "where": "Roubaix", "housing": "roofless", "referrer": "relative"},
}


def report_of(registry: Registry, fields: dict[str, Any], lang: str = "fr", fallback_km: int = 100) -> Result:
    """What ``maillage orient`` computes: a digest for the one place asked about."""
    code = registry.gazetteer.resolve(fields["where"]).code
    data = build_data(registry, places=[code], fallback_km=fallback_km, lang=lang)
    profile = Profile(place=code, **{k: v for k, v in fields.items() if k != "where"})
    return orient(data, profile, lang)


@pytest.mark.parametrize("name", sorted(GOLDEN_PROFILES))
def test_text_report_golden(registry: Registry, name: str, update_goldens: bool) -> None:
    """The French text of ``orient --format text``: no raw id, contacts phone first."""
    text = text_report(report_of(registry, GOLDEN_PROFILES[name])) + "\n"
    compare_golden(GOLDEN / f"{name}.txt", text, update_goldens)
    ids = {s for s in registry.services} | {"housed", "roofless", "mental-health", "relative", "be-commune-21015"}
    said = "\n".join(line for line in text.splitlines() if "gaps/" not in line)  # the report's URL names the need
    words = set(re.findall(r"[\w-]+", said))
    assert not ids & words, ids & words


def test_text_report_english(registry: Registry) -> None:
    text = text_report(report_of(registry, GOLDEN_PROFILES["schaerbeek-30-housed-mental-health"], "en"), "en")
    assert "No service fits." in text
    assert "No service listed in Schaerbeek for adults aged 25 to 59 in ordinary housing, for mental health" in text
    assert "No other service listed within 100 km of Schaerbeek" in text
    assert "Aucun" not in text and "réside" not in text


def test_never_met_and_to_check(data_json: dict[str, Any]) -> None:
    """No criterion is both met (✓) and to check for one service, in any vector."""
    data = data_from_json(data_json, data_json["details"], data_json["places"].values())
    for vector in vectors():
        fields = {k: v for k, v in vector["profile"].items() if k != "where"}
        fields["needs"] = tuple(fields.get("needs", ()))
        result = orient(data, Profile(place=data.resolve(vector["profile"]["where"]), **fields))
        for e in (*result.matches, *result.near_misses):
            met = {c.criterion for c in e.checks if c.status == "ok"}
            assert not met & set(e.unknown_criteria), (vector["name"], e.service.id)
            assert all("à vérifier" not in r for r in e.reasons)


def test_json_entries_carry_contacts_and_unknown(registry: Registry) -> None:
    """DESIGN.md's shape: every match, near miss and fallback has contacts and unknown."""
    result = report_of(registry, GOLDEN_PROFILES["schaerbeek-30-housed-mental-health"]).to_json()
    assert set(result) == {"profile", "matches", "near_misses", "fallbacks"}
    entries = [*result["matches"], *result["near_misses"], *result["fallbacks"]]
    assert entries
    for entry in entries:
        assert {"contacts", "unknown", "service", "name"} <= set(entry)
        for contact in entry["contacts"]:
            assert {"kind", "value", "label"} <= set(contact) and contact["kind"] in ("phone", "email", "web")
    helpdesk = next(f for f in result["fallbacks"] if f["service"] == "brusano-helpdesk")
    assert helpdesk["contacts"][0] == {"kind": "phone", "value": "02 880 29 80", "label": None, "visibility": "public"}
    assert helpdesk["unknown"] == ["age", "housing", "referrer"]
    assert helpdesk["access"]["how"] == "Par téléphone ou par e-mail."
    gap = result["fallbacks"][-1]
    assert gap["kind"] == "gap" and gap["gaps_url"] == "gaps/needs/mental-health/#be-region-04000"
    assert all(f["distance_km"] is None or f["distance_km"] <= 100 for f in result["fallbacks"])


def test_professional_contacts_marked(registry: Registry) -> None:
    """A professional build lists the case managers' direct lines, marked, after the public one."""
    professional = for_audience(load_registry(ROOT), "professional")
    result = report_of(professional, GOLDEN_PROFILES["ixelles-16"]).to_json()
    contacts = result["matches"][0]["contacts"]
    phones = [c for c in contacts if c["kind"] == "phone"]
    assert phones[0]["visibility"] == "public" and phones[0]["value"] == "0485 71 19 42"
    assert {c["visibility"] for c in phones[1:]} == {"professional"}
    text = text_report(report_of(professional, GOLDEN_PROFILES["ixelles-16"]))
    assert "réservé aux professionnels" in text
    public = report_of(registry, GOLDEN_PROFILES["ixelles-16"]).to_json()
    assert {c["visibility"] for c in public["matches"][0]["contacts"]} == {"public"}


def test_fallback_distance(registry: Registry) -> None:
    """Dunkerque's nearest service (Lille) is 71 km away: a fallback at 100 km, not at 50."""
    roofless = {"age": 30, "where": "Dunkerque", "housing": "roofless"}
    kinds = [(f.kind, f.distance_km) for f in report_of(registry, roofless).fallbacks]
    assert kinds == [("nearest", 71), ("gap", None)]
    kinds = [(f.kind, f.distance_km) for f in report_of(registry, roofless, fallback_km=50).fallbacks]
    assert kinds == [("none-nearby", None), ("gap", None)]
    # Mouscron is 17 km from Lille, across the border: only Brussels' services, in Belgium.
    mouscron = report_of(registry, {"age": 30, "where": "Mouscron", "housing": "roofless"})
    assert "ucsd-lille" not in [f.service for f in mouscron.fallbacks]
    assert "ucsd-lille" not in [e.service.id for e in mouscron.near_misses]


def test_cli_reads_the_fallback_distance(tmp_path: Path) -> None:
    """``maillage orient`` takes ``orient_fallback_km`` from the project's mkdocs.yml."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"\n +orient_fallback_km:[^\n]*", "", config)
    config = config.replace("      stale_months:", "      orient_fallback_km: 50\n      stale_months:", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    args = ("orient", "--age", "30", "--where", "Dunkerque", "--housing", "roofless", "--format", "json")
    here = json.loads(maillage(*args).stdout)
    assert [f["kind"] for f in here["fallbacks"]] == ["nearest", "gap"]
    run = subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(project), *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert [f["kind"] for f in json.loads(run.stdout)["fallbacks"]] == ["none-nearby", "gap"]


def test_gaps_url_points_at_a_row_of_the_report(registry: Registry, data_json: dict[str, Any]) -> None:
    """Every gap fallback of the vectors links to a page of the gap report and a row it has."""
    from generator.site.gaps_page import gaps_report_pages

    pages = {p.uri: p.content for p in gaps_report_pages(SiteContext(registry=registry, config=SiteConfig()))}
    urls = set()
    for vector in vectors():
        result = run_vector(data_json, vector["profile"])
        urls |= {f["gaps_url"] for f in result["fallbacks"] if f["kind"] == "gap"}
    assert len(urls) >= 3
    for url in sorted(urls):
        page, _, anchor = url.partition("#")
        assert f'id="{anchor}"' in pages[page + "index.md"], url


def test_professional_contacts_round_trip() -> None:
    """A professional build's details carry the direct lines, marked, and read back the same."""
    professional = for_audience(load_registry(ROOT), "professional")
    data = build_data(professional)
    main, details = json.loads(json.dumps(data_to_json(data))), json.loads(json.dumps(details_to_json(data)))
    places = json.loads(json.dumps(places_to_json(data)))
    assert data_from_json(main, details, places.values()) == data
    rows = [c for chunk in details for row in chunk for c in row[2]]
    assert any(len(c) == 4 and c[3] == "professional" for c in rows)
    assert all(len(c) == 3 for c in rows if len(c) != 4)
