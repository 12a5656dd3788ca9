// The browser's matcher against the shared vectors, on the data the build emits.
//
// Run by tests/test_orient.py (which writes the fixture and sets ORIENT_FIXTURE_DIR), or
// alone with `node --test tests/js/` from the project root: the fixture is then written by
// a small Python step from the real registry in data/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const require = createRequire(import.meta.url);
const { orient, resolve, expand, addDetails, chunksOf, addPlaces, placeKey } = require(path.join(root, "generator", "site", "assets", "orient.js"));

let dir = process.env.ORIENT_FIXTURE_DIR;
if (!dir) {
  dir = mkdtempSync(path.join(tmpdir(), "orient-"));
  const code = "import sys; from pathlib import Path; from tests.test_orient import write_js_fixture; " +
    "write_js_fixture(Path(sys.argv[1]))";
  execFileSync("python3", ["-c", code, dir], { cwd: root, stdio: "inherit" });
}
// The main data, every details chunk and places file, as the page holds them once all are fetched.
const raw = JSON.parse(readFileSync(path.join(dir, "orient.json"), "utf8"));
const data = expand(raw, raw.details, Object.values(raw.places));
const pythonResults = JSON.parse(readFileSync(path.join(dir, "python-results.json"), "utf8"));
const { vectors } = JSON.parse(readFileSync(path.join(root, "tests", "vectors", "orient.json"), "utf8"));
// Python's result for one profile with English phrases (write_js_fixture's ENGLISH_PROFILE).
const pythonEnglish = JSON.parse(readFileSync(path.join(dir, "python-english.json"), "utf8"));

function run(profile) {
  const { where, ...fields } = profile;
  return orient(data, { ...fields, place: resolve(data, where) });
}

// The same checks as check_expectations in tests/test_orient.py.
function checkExpectations(result, expect) {
  const matches = result.matches.map((m) => m.service);
  const near = Object.fromEntries(result.near_misses.map((n) => [n.service, n]));
  if ("first_match" in expect) assert.deepEqual(matches.slice(0, 1), [expect.first_match]);
  for (const s of expect.matches_include ?? []) assert.ok(matches.includes(s), `${s} should match`);
  for (const s of expect.matches_exclude ?? []) assert.ok(!matches.includes(s), `${s} should not match`);
  for (const [s, criteria] of Object.entries(expect.near_misses ?? {})) {
    assert.ok(s in near, `${s} is not a near miss`);
    assert.deepEqual(near[s].failed.map((f) => f.criterion), criteria);
  }
  for (const [s, details] of Object.entries(expect.near_miss_details ?? {})) {
    assert.deepEqual(near[s].failed.map((f) => f.detail), details);
  }
  for (const [s, texts] of Object.entries(expect.to_check ?? {})) {
    assert.deepEqual(result.matches.find((m) => m.service === s).to_check, texts);
  }
  if ("no_match" in expect) {
    assert.equal(matches.length === 0, expect.no_match);
    assert.equal(result.fallbacks.length > 0, expect.no_match);
  }
  const fallbackServices = result.fallbacks.map((f) => f.service);
  for (const s of expect.fallbacks_include ?? []) assert.ok(fallbackServices.includes(s), `${s} is no fallback`);
  const kinds = result.fallbacks.map((f) => f.kind);
  for (const k of expect.fallback_kinds_include ?? []) assert.ok(kinds.includes(k), `no ${k} fallback`);
  if ("gap_segment" in expect) {
    assert.equal(result.profile.segment, expect.gap_segment);
    assert.equal(kinds[kinds.length - 1], "gap");
  }
  checkRanking(result, expect);
  checkEntries(result, expect);
  checkFallbacks(result, expect);
}

// As check_ranking, check_entries and check_fallbacks in tests/test_orient.py.
function checkRanking(result, expect) {
  const matches = Object.fromEntries(result.matches.map((m) => [m.service, m]));
  const order = result.matches.map((m) => m.service);
  if ("order" in expect) assert.deepEqual(order.slice(0, expect.order.length), expect.order);
  if ("last_matches" in expect) assert.deepEqual(order.slice(-expect.last_matches.length), expect.last_matches);
  for (const [s, group] of Object.entries(expect.groups ?? {})) assert.equal(matches[s].group, group, s);
  const groups = result.matches.map((m) => m.group);
  assert.deepEqual(groups, [...groups].sort((a, b) => (a !== "fit") - (b !== "fit")));
  for (const [s, reason] of Object.entries(expect.rank_reason ?? {})) assert.equal(matches[s].rank_reason, reason);
  for (const [s, reasons] of Object.entries(expect.reasons ?? {})) assert.deepEqual(matches[s].reasons, reasons);
}

function checkEntries(result, expect) {
  const entries = {};
  for (const kind of ["fallbacks", "near_misses", "matches"]) {
    for (const e of result[kind]) if (e.service) entries[e.service] = e;
  }
  for (const [s, criteria] of Object.entries(expect.unknown ?? {})) assert.deepEqual(entries[s].unknown, criteria, s);
  for (const [s, line] of Object.entries(expect.unknown_text ?? {})) assert.equal(entries[s].unknown_text, line);
  for (const [s, contacts] of Object.entries(expect.contacts ?? {})) {
    assert.deepEqual(entries[s].contacts.map((c) => [c.kind, c.value]), contacts, s);
  }
}

function checkFallbacks(result, expect) {
  const fallbacks = result.fallbacks;
  const kinds = fallbacks.map((f) => f.kind);
  const services = fallbacks.map((f) => f.service);
  if ("fallback_kinds" in expect) assert.deepEqual(kinds, expect.fallback_kinds);
  for (const s of expect.fallbacks_exclude ?? []) assert.ok(!services.includes(s), `${s} should be no fallback`);
  if ("max_nearest_km" in expect) {
    assert.ok(fallbacks.every((f) => f.kind !== "nearest" || f.distance_km <= expect.max_nearest_km));
  }
  for (const [s, km] of Object.entries(expect.nearest_km ?? {})) {
    assert.equal(fallbacks.find((f) => f.service === s).distance_km, km);
  }
  for (const [kind, detail] of Object.entries(expect.fallback_details ?? {})) {
    assert.equal(fallbacks.find((f) => f.kind === kind).detail, detail);
  }
  const gap = fallbacks.filter((f) => f.kind === "gap");
  if ("gap_text" in expect) assert.equal(gap[0].detail, expect.gap_text);
  if ("gaps_url" in expect) assert.equal(gap[0].gaps_url, expect.gaps_url);
}

vectors.forEach((vector, i) => {
  test(vector.name, () => {
    const result = run(vector.profile);
    checkExpectations(result, vector.expect);
    // One behaviour in two languages: the whole output, every phrase, equals Python's.
    assert.deepEqual(result, pythonResults[i]);
  });
});

test("no nearest fallback beyond the data's fallback distance", () => {
  const near = { ...data, fallback_km: 5 };
  const result = orient(near, { age: 30, housing: "roofless", place: resolve(data, "Roubaix") });
  assert.deepEqual(result.fallbacks.map((f) => f.kind), ["none-nearby", "gap"]);
  assert.equal(result.fallbacks[0].detail, "Aucun autre service recensé à moins de 5 km de Roubaix");
});

test("the page's words make the matcher speak its language", () => {
  const english = JSON.parse(readFileSync(path.join(dir, "words-en.json"), "utf8"));
  const result = orient(data, { age: 30, housing: "housed", needs: ["mental-health"], place: resolve(data, "Schaerbeek") }, english);
  assert.equal(result.fallbacks.at(-1).detail, pythonEnglish.fallbacks.at(-1).detail);
  assert.deepEqual(result, pythonEnglish);
});

test("an ambiguous place lists its candidates", () => {
  assert.throws(() => resolve(data, "Saint-Gilles"), (error) => error.candidates.includes("be-commune-21013"));
});

test("places and next steps fetched on demand give the same result", () => {
  // What the page does: fetch the places file of what is typed, match on the main data,
  // then add the details chunks the matches need.
  const light = expand(raw);
  vectors.forEach((vector, i) => {
    const { where, ...fields } = vector.profile;
    const key = placeKey(light, where);
    if (key) addPlaces(light, key, raw.places[key] ?? []);
    const profile = { ...fields, place: resolve(light, where) };
    const first = orient(light, profile);
    chunksOf(light, first).forEach((k) => addDetails(light, k, raw.details[k]));
    assert.deepEqual(orient(light, profile), pythonResults[i]);
  });
});
