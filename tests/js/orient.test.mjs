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
}

vectors.forEach((vector, i) => {
  test(vector.name, () => {
    const result = run(vector.profile);
    checkExpectations(result, vector.expect);
    // One behaviour in two languages: the whole output, every phrase, equals Python's.
    assert.deepEqual(result, pythonResults[i]);
  });
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
