/* Maillage orientation: the browser's matcher and the form of the orient/ page.
 *
 * The matcher is a line-by-line port of generator/orient.py and must give exactly the
 * same output on the same compact data (tests/vectors/orient.json is run against both).
 * Nothing typed in the form leaves the page: the only request is the data file itself.
 */
(function (root) {
  "use strict";

  var NEAR_KM = 50;
  var NEAREST_FALLBACKS = 3;
  var FALLBACK_KM = 100;
  var MAX_NEAR_MISSES = 10;
  var LEVEL_RANK = { country: 0, region: 1, dep: 2, province: 2, epci: 3, commune: 4 };
  var PRECISE_RANK = LEVEL_RANK.epci;
  var GAPS_LEVEL = "dep";
  var GAPS_DIR = "gaps/";
  var PUBLIC_CRITERIA = ["age", "housing"];
  var PHRASES = "js.orient.m.";
  var OK = " ✓";
  var APPROXIMATE_OK = " ≈";
  var SEPARATOR = " ; ";
  /* [criterion, field of the registry's conditions, flag of the profile, failing value];
   * the phrases are js.orient.m.cond.<criterion>.ok|fail|unknown. */
  var CONDITION_CHECKS = [
    ["health_insurance", "health_insurance_required", "no_insurance", true],
    ["residence_permit", "residence_permit_required", "no_residence_permit", true],
    ["crisis", "crisis_accepted", "crisis", false],
    ["non_demand", "non_demand_accepted", "non_demand", false],
  ];
  /* The phrases of the search under way: the data's French ones, under the page's own. */
  var phrases = {};

  function has(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  function cmp(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function lowerFirst(s) {
    return s.slice(0, 1).toLowerCase() + s.slice(1);
  }

  // As generator/registry/text.py's fold: Python's casefold also makes "ß" "ss".
  function fold(value) {
    var plain = value.toLowerCase().replace(/ß/g, "ss").normalize("NFKD").replace(/\p{M}/gu, "");
    plain = plain.replace(/œ/g, "oe").replace(/æ/g, "ae");
    return plain.replace(/[^a-z0-9]+/g, " ").trim();
  }

  function frontDecode(rows) {
    var out = [], previous = "";
    rows.forEach(function (row) { previous = previous.slice(0, row[0]) + row[1]; out.push(previous); });
    return out;
  }

  /* The compact JSON (tables, front-coded ids: see data_to_json in generator/analysis/orient.py) to
   * the objects the matcher reads; `details` is the array of chunks loaded so far. */
  function expand(raw, details, places) {
    var lists = raw.lists;
    var ids = frontDecode(raw.services);
    var services = raw.services.map(function (row, i) {
      // row: ServiceRow of generator/analysis/orient.py, by position.
      var area = raw.areas[row[3]];
      var s = {
        index: i, id: ids[i], name: raw.names[row[2]], area: area[0], area_text: area[1],
        needs: lists[row[4]], functions: lists[row[5]], org: "", steps: [], contacts: [], access: ["", "", ""],
        hours: null, alerts: [],
      };
      if (row[6] >= 0) s.age = raw.ages[row[6]].slice(0, 2);
      if (row[7] >= 0) s.housing = lists[row[7]];
      if (row[8] >= 0) s.referrers = lists[row[8]];
      s.cond = raw.conditions[row[9]];
      if (row[10] & 1) s.approx = true;
      if (row[10] & 2) s.generalist = true;
      if (row[11] !== null) s.pros = row[11];
      return s;
    });
    var codes = frontDecode(raw.territories);
    var territories = {};
    raw.territories.forEach(function (e, i) {
      var t = { n: e[2], l: raw.levels[e[3]] };
      if (e.length > 7) t.nl = e[7];
      if (e[4].length) t.p = e[4].map(function (c) { return typeof c === "number" ? codes[c] : c; });
      if (e[5]) t.pc = e[5].split(" ");
      if (e[6]) t.c = e[6];
      territories[codes[i]] = t;
    });
    var data = { chunk: raw.chunk, age_bands: raw.age_bands, labels: raw.labels, territories: territories,
      services: services, loaded: {}, mainCodes: codes, placesLoaded: {}, words: raw.words || {},
      fallback_km: has(raw, "fallback_km") ? raw.fallback_km : FALLBACK_KM };
    (details || []).forEach(function (chunk, k) { addDetails(data, k, chunk); });
    (places || []).forEach(function (rows) { addPlaces(data, null, rows); });
    return data;
  }

  /* One places file (places_to_json in generator/orient.py): communes no service names. */
  function addPlaces(data, key, rows) {
    rows.forEach(function (row) {
      var t = { n: row[1], l: "commune" };
      if (row.length > 5) t.nl = row[5];
      if (row[2].length) t.p = row[2].map(function (c) { return typeof c === "number" ? data.mainCodes[c] : c; });
      if (row[3]) t.pc = row[3].split(" ");
      if (row[4]) t.c = row[4];
      data.territories[row[0]] = t;
    });
    if (key) data.placesLoaded[key] = true;
  }

  /* The places file that holds every commune `typed` may name (place_keys in orient.py),
   * or null when the main data is enough (a code it holds, nothing typed). */
  function placeKey(data, typed) {
    var value = typed.trim();
    if (!value || has(data.territories, value.toLowerCase())) return null;
    if (/^[0-9]{4,5}$/.test(value)) return "p-" + value.slice(0, 2);
    if (/-commune-/.test(value.toLowerCase())) return "c-" + value.toLowerCase().slice(0, -2).replace(/ /g, "_");
    var key = fold(value).slice(0, 2);
    return key ? "n-" + key.replace(/ /g, "_") : null;
  }

  /* One details file (details_to_json in orient.py: organisation, next steps, contacts,
   * [who, how, delay] of `chunk` services from k * chunk). */
  function addDetails(data, k, rows) {
    rows.forEach(function (row, i) {
      var s = data.services[k * data.chunk + i];
      s.org = row[0]; s.steps = row[1];
      s.contacts = row[2].map(function (c) {
        var contact = { kind: c[0], value: c[1], label: c[2], visibility: c.length > 3 ? c[3] : "public" };
        if (c.length > 4 && c[4]) contact.extension = c[4];  // a phone's extension
        return contact;
      });
      s.access = row[3] || ["", "", ""];
      s.hours = row.length > 5 ? row[4] : null;   // opening hours (OSM syntax) and alerts, when it has either
      s.alerts = row.length > 5 ? row[5] : [];
    });
    data.loaded[k] = true;
  }

  /* The details files a result needs before it is shown (services are numbered in order):
   * the first `limit` matches (all by default), the near misses and the fallbacks. */
  function chunksOf(data, result, limit) {
    var byId = {};
    data.services.forEach(function (s) { byId[s.id] = s.index; });
    var wanted = {};
    var shown = result.matches.slice(0, limit === undefined ? result.matches.length : limit);
    shown.concat(result.near_misses, result.fallbacks).forEach(function (m) {
      if (!m.service || !has(byId, m.service)) return;
      var k = Math.floor(byId[m.service] / data.chunk);
      if (!data.loaded[k]) wanted[k] = true;
    });
    return Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
  }

  function ancestors(data, code) {
    var seen = {};
    seen[code] = true;
    var stack = [code];
    while (stack.length) {
      var current = stack.pop();
      var place = data.territories[current];
      /* An EPCI spanning several départements lists them all: do not go up through it. */
      if (!place || (place.l === "epci" && current !== code)) continue;
      var parents = place.p || [];
      for (var i = 0; i < parents.length; i++) {
        if (!seen[parents[i]]) {
          seen[parents[i]] = true;
          stack.push(parents[i]);
        }
      }
    }
    return seen;
  }

  /* A code, postcode or name to a code; throws {candidates} when none or several. */
  function resolve(data, typed) {
    var value = typed.trim();
    var codes = [];
    if (has(data.territories, value.toLowerCase())) return value.toLowerCase();
    var code;
    if (/^[0-9]{4,5}$/.test(value)) {
      for (code in data.territories) {
        if ((data.territories[code].pc || []).indexOf(value) >= 0) codes.push(code);
      }
    } else {
      var key = fold(value);
      for (code in data.territories) {
        var t = data.territories[code];
        if (key && (fold(t.n) === key || fold(t.nl || "") === key)) codes.push(code);
      }
      var communes = codes.filter(function (c) { return data.territories[c].l === "commune"; });
      if (communes.length === 1 && codes.length > 1) codes = communes;
    }
    codes.sort(cmp);
    if (codes.length === 1) return codes[0];
    var error = new Error((codes.length ? "ambiguous" : "unknown") + " place '" + typed + "'");
    error.candidates = codes;
    throw error;
  }

  function distanceKm(a, b) {
    if (!a || !b || !a.c || !b.c) return null;
    var rad = Math.PI / 180;
    var lat1 = a.c[0] * rad, lat2 = b.c[0] * rad;
    var dlat = lat2 - lat1, dlon = (b.c[1] - a.c[1]) * rad;
    var h = Math.pow(Math.sin(dlat / 2), 2) + Math.cos(lat1) * Math.cos(lat2) * Math.pow(Math.sin(dlon / 2), 2);
    return Math.floor(6371 * 2 * Math.asin(Math.sqrt(Math.min(1, h))) + 0.5);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && has(values, key) ? String(values[key]) : whole;
    });
  }

  /* The matcher's phrase js.orient.m.<key> (generator/locale's catalogue). */
  function say(key, values) {
    var full = PHRASES + key;
    return format(has(phrases, full) ? phrases[full] : full, values);
  }

  function criterionName(criterion) {
    var key = "criterion." + criterion;
    return has(phrases, key) ? phrases[key] : criterion;
  }

  function years(n) {
    return say(n === 1 ? "years_one" : "years", { n: n });
  }

  function ageRange(low, high) {
    if (low !== null && high !== null) return say("age_between", { min: low, max: high });
    if (low) return say("age_from", { min: low });
    if (high !== null) return say("age_to", { max: high });
    return say("age_all");
  }

  function check(criterion, status, text) {
    return { criterion: criterion, status: status, text: text };
  }

  function ageChecks(s, p) {
    if (!s.age) return [check("age", "unknown", say("age_unknown"))];
    var limits = ageRange(s.age[0], s.age[1]);
    if (p.age === null || p.age === undefined) {
      return [check("age", "unknown", say("age_person_unknown", { range: limits }))];
    }
    if (s.age[0] !== null && p.age < s.age[0]) {
      return [check("age", "fail", say("age_below", { age: p.age, gap: years(s.age[0] - p.age), range: limits }))];
    }
    if (s.age[1] !== null && p.age > s.age[1]) {
      return [check("age", "fail", say("age_above", { age: p.age, gap: years(p.age - s.age[1]), range: limits }))];
    }
    return [check("age", "ok", limits + OK)];
  }

  function areaChecks(data, s, place, anc) {
    var covering = s.area.filter(function (c) { return anc[c]; });
    var values = { place: place.n, area: s.area_text };
    if (covering.length) {
      var rank = Math.max.apply(null, covering.map(function (c) {
        var t = data.territories[c];
        return t && has(LEVEL_RANK, t.l) ? LEVEL_RANK[t.l] : -1;
      }));
      var text = s.approx ? say("area_approximate", values) + APPROXIMATE_OK : say("area_ok", values) + OK;
      return { checks: [check("area", "ok", text)], specificity: rank, distance: null };
    }
    var inside = s.area.filter(function (c) { return ancestors(data, c)[place.code]; });
    if (inside.length) {
      return { checks: [check("area", "unknown", say("area_partial", values))], specificity: -1, distance: null };
    }
    var distances = [];
    s.area.forEach(function (c) {
      if (has(data.territories, c)) {
        var d = distanceKm(place, data.territories[c]);
        if (d !== null) distances.push(d);
      }
    });
    var nearest = distances.length ? Math.min.apply(null, distances) : null;
    if (nearest === null) return { checks: [check("area", "fail", say("area_out", values))], specificity: -1, distance: null };
    values.km = nearest;
    return { checks: [check("area", "fail", say("area_out_km", values))], specificity: -1, distance: nearest };
  }

  function housingChecks(data, s, p) {
    var names = data.labels.housing;
    var label = function (h) { return has(names, h) ? names[h] : h; };
    if (!s.housing) return p.housing ? [check("housing", "unknown", say("housing_unknown"))] : [];
    var admitted = s.housing.map(function (h) { return lowerFirst(label(h)); }).join(", ");
    if (!p.housing) return [check("housing", "unknown", say("housing_admitted_unknown", { admitted: admitted }))];
    var mine = label(p.housing);
    if (s.housing.indexOf(p.housing) >= 0) {
      return [check("housing", "ok", say("housing_ok", { housing: lowerFirst(mine) }) + OK)];
    }
    return [check("housing", "fail", say("housing_fail", { housing: mine, admitted: admitted }))];
  }

  function referrerChecks(data, s, p) {
    /* Who may ask is what a referral needs first: unknown, it is to check for everyone. */
    if (!s.referrers) return [check("referrer", "unknown", say("referrer_unknown"))];
    if (!p.referrer) return [];
    var names = data.labels.referrers;
    var label = function (r) { return lowerFirst(has(names, r) ? names[r] : r); };
    var mine = label(p.referrer);
    if (s.referrers.indexOf(p.referrer) < 0) {
      return [check("referrer", "fail", say("referrer_fail", { who: mine, allowed: s.referrers.map(label).join(", ") }))];
    }
    var checks = [check("referrer", "ok", say("referrer_ok", { who: mine }) + OK)];
    var required = has(s, "pros") ? s.pros : null;
    if (p.referrer === "professional" && required !== null && required > 1) {
      var wanted = say("pros_wanted", { n: required });
      if (p.professionals === null || p.professionals === undefined) {
        checks.push(check("professional_requesters", "unknown", say("pros_unknown", { wanted: wanted })));
      } else if (p.professionals < required) {
        var key = p.professionals > 1 ? "pros_fail" : "pros_fail_one";
        checks.push(check("professional_requesters", "fail", say(key, { wanted: wanted, n: p.professionals })));
      } else {
        checks.push(check("professional_requesters", "ok", wanted + OK));
      }
    }
    return checks;
  }

  function conditionChecks(s, p) {
    var checks = [];
    var cond = s.cond || {};
    CONDITION_CHECKS.forEach(function (c) {
      if (!p[c[2]]) return;
      var key = "cond." + c[0] + ".";
      if (!has(cond, c[1])) checks.push(check(c[0], "unknown", say(key + "unknown")));
      else if (cond[c[1]] === c[3]) checks.push(check(c[0], "fail", say(key + "fail")));
      else checks.push(check(c[0], "ok", say(key + "ok") + OK));
    });
    return checks;
  }

  /* The person's criteria the service narrows its public to, and meets. */
  function madeFor(data, s, checks, needsMet) {
    var met = {};
    checks.forEach(function (c) { if (c.status === "ok") met[c.criterion] = true; });
    var found = [];
    if (met.age && !(!s.age[0] && s.age[1] === null)) found.push("age");
    if (met.housing && s.housing && s.housing.length < Object.keys(data.labels.housing).length) found.push("housing");
    if (needsMet) found.push("needs");
    return found;
  }

  function countryOf(data, code) {
    /* Asked for each service's area at every search: remembered (territories only grow). */
    if (!data.countries) data.countries = {};
    if (!has(data.countries, code)) {
      var found = Object.keys(ancestors(data, code)).filter(function (c) {
        return has(data.territories, c) && data.territories[c].l === "country";
      }).sort(cmp);
      data.countries[code] = found.length ? found[0] : null;
    }
    return data.countries[code];
  }

  /* A service out of reach (farther than a near miss or a nearest fallback may be, or in
   * another country) is judged on its area alone, as in orient.py. */
  function evaluate(data, s, p, anc) {
    var place = Object.assign({ code: p.place }, data.territories[p.place]);
    var area = areaChecks(data, s, place, anc);
    var country = countryOf(data, p.place);
    var same = area.specificity >= 0 || s.area.some(function (c) { return countryOf(data, c) === country; });
    if (area.checks[0].status === "fail" &&
        (area.distance === null || area.distance > Math.max(NEAR_KM, data.fallback_km) || !same)) {
      return { service: s, checks: area.checks, failed: area.checks, unknown: [], specificity: area.specificity,
        distance: area.distance, needsMet: 0, madeFor: [], sameCountry: same };
    }
    var checks = ageChecks(s, p);
    checks = checks.concat(area.checks, housingChecks(data, s, p));
    var met = s.needs.filter(function (n) { return p.needs.indexOf(n) >= 0; });
    if (met.length) {
      var names = data.labels.needs;
      checks.push(check("needs", "ok", say("needs_ok", { needs:
        met.map(function (n) { return lowerFirst(has(names, n) ? names[n] : n); }).join(", ") }) + OK));
    }
    checks = checks.concat(referrerChecks(data, s, p), conditionChecks(s, p));
    return {
      service: s, checks: checks,
      failed: checks.filter(function (c) { return c.status === "fail"; }),
      unknown: checks.filter(function (c) { return c.status === "unknown"; }),
      specificity: area.specificity, distance: area.distance, needsMet: met.length,
      madeFor: madeFor(data, s, checks, met.length), sameCountry: same,
    };
  }

  function unknownCriteria(e) {
    var seen = [];
    e.unknown.forEach(function (c) { if (seen.indexOf(c.criterion) < 0) seen.push(c.criterion); });
    return seen;
  }

  function groupOf(e) {
    return e.unknown.length ? "to_check" : "fit";
  }

  /* 0 precise, 1 wide, 2 approximate, 3 partial (the area holds only part of the place). */
  function areaRank(e) {
    if (e.specificity < 0) return 3;
    if (e.service.approx) return 2;
    return e.specificity >= PRECISE_RANK ? 0 : 1;
  }

  /* 0 made for this person's public or need, 1 generalist or helpline, 2 public not stated. */
  function tier(e) {
    if (e.service.generalist || e.service.functions.indexOf("helpline") >= 0) return 1;
    return e.madeFor.length ? 0 : 2;
  }

  /* Known and met first; made for this public before generalist; precise area first. */
  function byRank(a, b) {
    return ((groupOf(a) !== "fit") - (groupOf(b) !== "fit")) || (tier(a) - tier(b)) ||
      (b.madeFor.length - a.madeFor.length) || (areaRank(a) - areaRank(b)) || cmp(a.service.id, b.service.id);
  }

  function unknownPhrase(criteria) {
    return criteria.length ? say("unknown_line", { criteria: criteria.map(criterionName).join(", ") }) : "";
  }

  function rankReason(e) {
    var who;
    if (e.service.generalist) who = say("rank_generalist");
    else if (e.service.functions.indexOf("helpline") >= 0) who = say("fb_helpline");
    else if (e.madeFor.length) who = say("rank_specific", { criteria: e.madeFor.map(criterionName).join(", ") });
    else who = say("rank_unstated");
    var area = ["rank_area", "rank_area_wide", "rank_area_approximate", "rank_area_partial"][areaRank(e)];
    return who + SEPARATOR + say(area, { area: e.service.area_text });
  }

  function bandOf(data, p) {
    if (p.age === null || p.age === undefined) return null;
    for (var i = 0; i < data.age_bands.length; i++) {
      var b = data.age_bands[i];
      if (p.age >= b[1] && (b[2] === null || p.age <= b[2])) return b;
    }
    return null;
  }

  function segmentOf(data, p) {
    var band = bandOf(data, p);
    var id = band ? band[0] : "?";
    return p.housing ? id + "/" + p.housing : id;
  }

  function normalise(profile) {
    var p = {
      place: profile.place, age: profile.age === undefined ? null : profile.age,
      housing: profile.housing || null, needs: (profile.needs || []).slice(),
      referrer: profile.referrer || null,
      professionals: profile.professionals === undefined ? null : profile.professionals,
      no_insurance: !!profile.no_insurance, no_residence_permit: !!profile.no_residence_permit,
      crisis: !!profile.crisis, non_demand: !!profile.non_demand,
    };
    return p;
  }

  /* Matches, near misses and fallbacks: the same JSON as `maillage orient --format json`.
   *
   * orient(data, profile[, words]) returns (issue 17; `words`: optional {key: template} of the
   * page's language for the js.orient.m.* and criterion.* phrases, full keys, as orient.py's
   * matcher_words(lang) gives them; French from the data (data.words) otherwise):
   * {
   *   profile: {place, place_name, segment, age, housing, needs: [], referrer, professionals,
   *             no_insurance, no_residence_permit, crisis, non_demand},
   *   matches: [ENTRY + {
   *     group: "fit" | "to_check",   // "fit" first: every criterion known and met; "to_check":
   *                                  // depends on criteria the registry does not state
   *     rank_reason: "conçu pour ce public (âge) ; zone étendue : Région de Bruxelles-Capitale",
   *     reasons: ["de 0 à 23 ans ✓", ...],   // met criteria only (never also "à vérifier")
   *     to_check: ["âge : à vérifier", ...], // the unknown criteria as phrases
   *   }],                                    // already ranked: fit, then to_check, each best first
   *   near_misses: [ENTRY + {failed: [{criterion, detail}], reasons: [...]}],
   *   fallbacks: [ENTRY-or-nulls + {kind, detail}]
   *     kind: "case-manager" | "helpline" | "generalist"  (services covering the place)
   *         | "nearest"      (same country, within data.fallback_km; + distance_km)
   *         | "none-nearby"  (service: null; detail says nothing lies within fallback_km)
   *         | "gap"          (service: null, name: place name; detail is the plain gap line;
   *                           + gaps_url: "gaps/needs/mental-health/#be-region-04000", from the
   *                           site root, no language prefix)
   * }
   * ENTRY = {service: ID, name, organisation,
   *   unknown: ["age", "referrer"],           // criterion ids the registry does not state
   *   unknown_text: "non renseigné dans les sources : âge, qui fait la demande" ("" when none),
   *   contacts: [{kind: "phone"|"email"|"web", value, label (or null), visibility:
   *               "public"|"professional", extension (a phone's, when it has one)}],
   *                                           // phone first; professional only in that build
   *   access: {who, how, delay},              // short phrases ("" when unknown to the registry)
   *   next_steps: [...],
   *   opening_hours: "Mo-Fr 09:00-17:00" | null,
   *   alerts: [{kind, from, until, text, upcoming}]}  // in effect today or within UPCOMING_DAYS
   * organisation, contacts, access and next_steps come from the details chunks: call
   * chunksOf(data, result) and addDetails for each, then orient() again (empty until loaded).
   */
  function orient(data, profile, words) {
    phrases = Object.assign({}, data.words || {}, words || {});
    var p = normalise(profile);
    if (!has(data.territories, p.place)) {
      var error = new Error("unknown place '" + p.place + "'");
      error.candidates = [];
      throw error;
    }
    var place = Object.assign({ code: p.place }, data.territories[p.place]);
    var anc = ancestors(data, p.place);
    var evaluations = [];
    data.services.forEach(function (s) {
      if (p.needs.length && !s.needs.some(function (n) { return p.needs.indexOf(n) >= 0; })) return;
      evaluations.push(evaluate(data, s, p, anc));
    });
    var matches = evaluations.filter(function (e) { return !e.failed.length; });
    matches.sort(byRank);
    var near = evaluations.filter(function (e) {
      if (e.failed.length < 1 || e.failed.length > 2) return false;
      var area = e.failed.some(function (c) { return c.criterion === "area"; });
      return !(area && (e.distance === null || e.distance > NEAR_KM || !e.sameCountry));
    });
    near.sort(function (a, b) {
      return (a.failed.length - b.failed.length) || ((a.distance || 0) - (b.distance || 0)) ||
        cmp(a.service.id, b.service.id);
    });
    var segment = segmentOf(data, p);
    var fallbacks = matches.length ? [] : fallbacksOf(data, p, place, anc, evaluations);
    var profileOut = Object.assign({}, p, { place_name: place.n, segment: segment });
    return {
      profile: profileOut,
      matches: matches.map(function (e) {
        return Object.assign(entry(e.service, e), {
          group: groupOf(e), rank_reason: rankReason(e),
          reasons: reasons(e), to_check: e.unknown.map(function (c) { return c.text; }),
        });
      }),
      near_misses: near.slice(0, MAX_NEAR_MISSES).map(function (e) {
        return Object.assign(entry(e.service, e), {
          failed: e.failed.map(function (c) { return { criterion: c.criterion, detail: c.text }; }),
          reasons: reasons(e),
        });
      }),
      fallbacks: fallbacks,
    };
  }

  /* What every entry carries: the service, its contacts, how to ask, what is not known. */
  function entry(s, e) {
    var unknown = e ? unknownCriteria(e) : [];
    var access = s && s.access ? s.access : ["", "", ""];
    return {
      service: s ? s.id : null, name: s ? s.name : null, organisation: s ? s.org : "",
      unknown: unknown, unknown_text: unknownPhrase(unknown),
      contacts: s ? s.contacts.map(function (c) { return Object.assign({}, c); }) : [],
      access: { who: access[0], how: access[1], delay: access[2] },
      next_steps: s ? s.steps.slice() : [],
      opening_hours: s && s.hours ? s.hours : null,
      alerts: s ? currentAlerts(s.alerts) : [],
    };
  }

  var UPCOMING_DAYS = 15;  // as current_alerts in orient.py and hours.js

  function isoDay(d) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  /* The alerts ([kind, from, until, text]) in effect today or starting within UPCOMING_DAYS. */
  function currentAlerts(alerts) {
    var now = new Date();
    var today = isoDay(now);
    var horizon = isoDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() + UPCOMING_DAYS));
    return (alerts || []).filter(function (a) { return a[2] >= today && a[1] <= horizon; }).map(function (a) {
      return { kind: a[0], from: a[1], until: a[2], text: a[3], upcoming: a[1] > today };
    });
  }

  function reasons(e) {
    return e.checks.filter(function (c) { return c.status === "ok"; }).map(function (c) { return c.text; });
  }

  function fallbacksOf(data, p, place, anc, evaluations) {
    var kinds = { generalist: 0, helpline: 1, "case-manager": 2 };
    var found = [];
    data.services.forEach(function (s) {
      if (!s.area.some(function (c) { return anc[c]; })) return;
      var kind, key;
      if (s.functions.indexOf("case-management") >= 0 && s.generalist) {
        kind = "case-manager"; key = "fb_case_manager";
      } else if (s.functions.indexOf("helpline") >= 0) {
        kind = "helpline"; key = "fb_helpline";
      } else if (s.generalist) {
        kind = "generalist"; key = "fb_generalist";
      } else {
        return;
      }
      /* Whatever the need, a fallback must still take this person's public (age, housing). */
      var e = evaluate(data, s, p, anc);
      if (e.failed.some(function (c) { return PUBLIC_CRITERIA.indexOf(c.criterion) >= 0; })) return;
      found.push({ rank: kinds[kind], item: { kind: kind, service: s.id, name: s.name, detail: say(key), e: e } });
    });
    found.sort(function (a, b) { return (a.rank - b.rank) || cmp(a.item.service, b.item.service); });
    var out = found.map(function (f) { return f.item; });
    var outside = evaluations.filter(function (e) {
      return e.distance !== null && e.distance <= data.fallback_km && e.sameCountry && e.failed.length &&
        e.failed.every(function (c) { return c.criterion === "area"; });
    });
    outside.sort(function (a, b) { return (a.distance - b.distance) || cmp(a.service.id, b.service.id); });
    outside.slice(0, NEAREST_FALLBACKS).forEach(function (e) {
      out.push({
        kind: "nearest", service: e.service.id, name: e.service.name, e: e, distance: e.distance,
        detail: say("fb_nearest", { area: e.service.area_text, km: e.distance }),
      });
    });
    if (!outside.length) {
      out.push({ kind: "none-nearby", service: null, name: null,
        detail: say("fb_none_nearby", { km: data.fallback_km, place: place.n }) });
    }
    out.push({ kind: "gap", service: null, name: place.n, detail: gapLine(data, p, place), url: gapsUrl(data, p) });
    return out.map(function (f) {
      return Object.assign(entry(f.e ? f.e.service : null, f.e), {
        service: f.service, name: f.name, kind: f.kind, detail: f.detail,
        distance_km: f.distance === undefined ? null : f.distance, gaps_url: f.url || null,
      });
    });
  }

  /* « les adultes de 25 à 59 ans logés »: the person's public segment in words. */
  function publicPhrase(data, p) {
    var band = bandOf(data, p), people;
    if (!band) {
      people = say("public_any");
    } else {
      var low = band[1], high = band[2];
      var ages = high !== null ? say("band_between", { min: low, max: high }) : say("band_from", { min: low });
      var noun = high !== null && high <= 17 ? "public_minors" : low >= 18 ? "public_adults" : "public_people";
      people = say(noun, { range: ages });
    }
    if (p.housing) {
      /* « les personnes » is feminine in French: « logées », where « les adultes » are « logés ». */
      var key = PHRASES + (band ? "public_housing." : "public_housing_people.") + p.housing;
      var names = data.labels.housing;
      people += " " + (has(phrases, key) ? phrases[key] : lowerFirst(has(names, p.housing) ? names[p.housing] : p.housing));
    }
    return people;
  }

  function gapLine(data, p, place) {
    var needs = "";
    if (p.needs.length) {
      var names = data.labels.needs;
      needs = say("gap_needs", { needs: p.needs.map(function (n) {
        return lowerFirst(has(names, n) ? names[n] : n);
      }).join(" " + say("or") + " ") });
    }
    return say("fb_gap", { place: place.n, public: publicPhrase(data, p), needs: needs });
  }

  /* The gap report's row for a place: its département or province (Brussels: the region). */
  function gapUnit(data, code) {
    var rank = LEVEL_RANK[GAPS_LEVEL], best = null;
    Object.keys(ancestors(data, code)).sort(cmp).forEach(function (c) {
      var t = data.territories[c];
      if (!t) return;
      var r = has(LEVEL_RANK, t.l) ? LEVEL_RANK[t.l] : -1;
      if (r <= rank && (best === null || r > best[0])) best = [r, c];
    });
    return best ? best[1] : code;
  }

  function gapsUrl(data, p) {
    var page = GAPS_DIR;
    if (p.needs.length === 1 && data.services.some(function (s) { return s.needs.indexOf(p.needs[0]) >= 0; })) {
      page = GAPS_DIR + "needs/" + p.needs[0] + "/";
    }
    return page + "#" + gapUnit(data, p.place);
  }

  var api = { orient: orient, resolve: resolve, expand: expand, addDetails: addDetails, chunksOf: chunksOf,
    addPlaces: addPlaces, placeKey: placeKey, fold: fold, distanceKm: distanceKm };

  /* ---- the page ------------------------------------------------------------------------ */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function placeLabel(code, t) {
    return t.n + (t.pc && t.pc.length ? " (" + t.pc[0] + ")" : "") + (t.l === "commune" ? "" : " — " + t.l);
  }

  /* The page's words: data-labels, built from the catalogue (js.orient.*, criterion.*) in the
   * page's language at build time, with the matcher's phrases (`matcher`: js.orient.m.* and
   * criterion.*, full keys) that orient() takes as its third argument. */
  var L = { words: {}, criteria: {}, options: {}, flags: {}, matcher: {}, lang: "fr" };
  var FLAGS = ["no_insurance", "no_residence_permit", "crisis", "non_demand"];

  function w(key, values) {
    var text = has(L.words, key) ? L.words[key] : key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }

  /* A sentence about a count: the words' variant for n in the page's language (CLDR's
     plural categories, by Intl.PluralRules; "other" when the category has no entry), n
     written as the language writes numbers. */
  function wn(key, n, values) {
    var form = key + "." + new Intl.PluralRules(L.lang).select(n);
    var all = Object.assign({}, values || {}, { n: new Intl.NumberFormat(L.lang).format(n) });
    return w(has(L.words, form) ? form : key + ".other", all);
  }

  /* A node holding the registry's own text (French) inside results in another language. */
  function registryText(node) {
    if (L.lang !== "fr") node.setAttribute("lang", "fr");
    return node;
  }

  function option(name, term) {
    var names = L.options[name] || {};
    return has(names, term) ? names[term] : term;
  }

  function profileText(result) {
    var p = result.profile;
    var parts = [p.age !== null ? w("years", { n: p.age }) : w("age_unknown"), w("lives", { place: p.place_name })];
    if (p.housing) parts.push(w("line", { label: w("housing"), value: option("housing", p.housing) }));
    if (p.needs.length) {
      parts.push(w("line", { label: w("needs"), value: p.needs.map(function (n) { return option("needs", n); }).join(", ") }));
    }
    if (p.referrer) {
      var who = option("referrers", p.referrer) + (p.professionals ? " (" + p.professionals + ")" : "");
      parts.push(w("line", { label: w("referrer"), value: who }));
    }
    FLAGS.forEach(function (flag) { if (p[flag]) parts.push(L.flags[flag]); });
    return parts.join(", ");
  }

  function serviceOf(data, id) {
    if (!data.byId) {
      data.byId = {};
      data.services.forEach(function (s) { data.byId[s.id] = s; });
    }
    return id && has(data.byId, id) ? data.byId[id] : null;
  }

  /* The entry's contacts ({kind, value, label, visibility}, phone first, as the matcher gives them). */
  function contactsOf(entry) {
    return entry.contacts || [];
  }

  function firstOf(contacts, kind) {
    return contacts.filter(function (c) { return c.kind === kind; })[0] || null;
  }

  /* Who may ask, how and the delay ("" when the registry does not say). */
  function accessOf(entry) {
    return entry.access || { who: "", how: "", delay: "" };
  }

  function areaOf(data, entry) {
    var s = serviceOf(data, entry.service);
    return s ? s.area_text : "";
  }

  /* RFC 3966: the extension as ";ext=". */
  function telHref(value, extension) {
    return "tel:" + value.replace(/[^0-9+]/g, "") + (extension ? ";ext=" + extension : "");
  }

  function contactLink(c) {
    if (c.kind === "phone") return el("a", { href: telHref(c.value, c.extension) }, [c.value]);
    if (c.kind === "email") return el("a", { href: "mailto:" + c.value }, [c.value]);
    if (c.kind === "web") {
      return el("a", { href: c.value, rel: "noopener" }, [c.value.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "")]);
    }
    return document.createTextNode(c.value);
  }

  /* Two or three short lines: the contacts (phone first), who may ask and how, the delay. */
  function contactBlock(data, entry) {
    var block = el("div", { class: "maillage-orient-contact" });
    var contacts = contactsOf(entry);
    if (contacts.length) {
      var line = el("p", {});
      contacts.forEach(function (c, i) {
        if (i) line.appendChild(document.createTextNode(" · "));
        if (c.kind === "phone") line.appendChild(document.createTextNode("☎ "));
        line.appendChild(contactLink(c));
        if (c.extension) line.appendChild(document.createTextNode(", " + w("extension", { extension: c.extension })));
        var notes = [];
        if (c.label) notes.push(c.label);
        if (c.visibility === "professional") notes.push(w("pro_contact"));
        if (notes.length) line.appendChild(document.createTextNode(" (" + notes.join(", ") + ")"));
      });
      block.appendChild(line);
    } else {
      block.appendChild(el("p", {}, [w("no_contact")]));
    }
    var a = accessOf(entry);
    var ask = [];
    if (a.who) ask.push(w("line", { label: w("who"), value: a.who }));
    if (a.how) ask.push(w("line", { label: w("how"), value: a.how }));
    if (ask.length) block.appendChild(registryText(el("p", {}, [ask.join(" — ")])));
    if (a.delay) block.appendChild(registryText(el("p", {}, [w("line", { label: w("delay"), value: a.delay })])));
    return block;
  }

  /* The facts share.js words the short text for the person with: the service, its first
   * public phone, e-mail and web address, its area, how to ask (share.js's `info`). */
  function shareInfo(data, entry) {
    var contacts = contactsOf(entry).filter(function (c) { return c.visibility !== "professional"; });
    var info = { name: entry.name };
    ["phone", "email", "web"].forEach(function (kind) {
      var first = firstOf(contacts, kind);
      if (first) info[kind] = first.value + (first.extension ? ", " + w("extension", { extension: first.extension }) : "");
    });
    var area = areaOf(data, entry);
    if (area) info.area = area;
    var a = accessOf(entry);
    if (a.how || a.who) info.how = a.how || a.who;
    return info;
  }

  /* The page's words under their catalogue keys, as share.js reads them. */
  function shareWords() {
    var out = {};
    Object.keys(L.words).forEach(function (k) { out["js.orient." + k] = L.words[k]; });
    return out;
  }

  function personLines(data, entry) {
    return root.MaillageShare.lines(shareInfo(data, entry), shareWords());
  }

  function copyText(text) {
    return root.MaillageShare.copy(text);
  }

  /* "Envoyer à la personne" (share.js: copy, SMS and e-mail carry the same short text); the
   * note is a page to print and hand over (the fiche de liaison is for the professionals);
   * the star keeps the service in « Ma sélection » (selection.js). */
  function sendBlock(data, entry) {
    var note = el("button", { type: "button", "data-action": "note" }, [w("note")]);
    note.addEventListener("click", function () { showNote(data, entry); });
    var star = el("button", { type: "button", "class": "maillage-star", "data-maillage-star": entry.service,
      "data-maillage-name": entry.name, hidden: "" }, []);
    return root.MaillageShare.block(shareInfo(data, entry), shareWords(), "maillage-orient-send", [" ", note, " ", star]);
  }

  function showNote(data, entry) {
    var section = document.getElementById("maillage-orient-note");
    var box = section.querySelector(".maillage-orient-note-text");
    box.textContent = "";
    box.appendChild(el("p", {}, [w("note_title")]));
    var lines = personLines(data, entry);
    box.appendChild(el("h3", {}, [lines[0]]));
    lines.slice(1).forEach(function (line) { box.appendChild(el("p", {}, [line])); });
    var a = accessOf(entry);
    if (a.delay) box.appendChild(el("p", {}, [w("line", { label: w("delay"), value: a.delay })]));
    var date = new Date().toLocaleDateString(L.lang, { day: "numeric", month: "long", year: "numeric" });
    if (/^fr/.test(L.lang)) date = date.replace(/^1 /, "1er ");  /* "1er juillet" */
    box.appendChild(el("p", {}, [w("note_date", { date: date })]));
    section.hidden = false;
    section.querySelector("[data-action=print-note]").focus();
  }

  function contactLine(c) {
    var value = c.value + (c.extension ? ", " + w("extension", { extension: c.extension }) : "");
    value += c.visibility === "professional" ? " (" + w("pro_contact") + ")" : "";
    return c.label ? w("line", { label: c.label, value: value }) : value;
  }

  function liaisonText(result, match) {
    var organisation = match.organisation && match.organisation !== match.name ? " — " + match.organisation : "";
    function heading(key) { return w("line", { label: w(key), value: "" }).trim(); }
    var lines = [w("liaison").toUpperCase(), "", w("line", { label: w("service"), value: match.name + organisation }), "",
      w("line", { label: w("person"), value: profileText(result) }), "", heading("criteria")];
    match.reasons.forEach(function (r) { lines.push("  - " + r); });
    (match.to_check || []).forEach(function (r) { if (match.reasons.indexOf(r) < 0) lines.push("  - " + r); });
    lines.push("", heading("steps"));
    var a = accessOf(match);
    [["who", a.who], ["how", a.how], ["delay", a.delay]].forEach(function (pair) {
      /* (the next steps may already open with these three lines: not twice) */
      var said = match.next_steps.some(function (s) { return s.slice(-pair[1].length - 2) === ": " + pair[1]; });
      if (pair[1] && !said) lines.push("  - " + w("line", { label: w(pair[0]), value: pair[1] }));
    });
    match.next_steps.forEach(function (s) { lines.push("  - " + s); });
    if (match.contacts.length) {
      lines.push("", heading("contact"));
      match.contacts.forEach(function (c) { lines.push("  - " + contactLine(c)); });
    }
    return lines.join("\n");
  }

  function toCheck(m) {
    return m.group === "to_check";
  }

  /* "Non renseigné dans les sources : âge, qui peut demander", in the page's language. */
  function unknownLine(m) {
    if (!m.unknown || !m.unknown.length) return "";
    return w("unknown_line", { criteria: m.unknown.map(function (c) { return L.criteria[c] || c; }).join(", ") });
  }

  /* A link to a service's page: in the page's language, else (a national directory's Dutch
   * or English site, L.french) straight to its French page, said so. */
  function serviceLink(id, name) {
    if (!L.french || L.own[id]) return [el("a", { href: "../services/" + id + "/" }, [name])];
    return [el("a", { href: "../../services/" + id + "/", hreflang: L.french.lang, lang: L.french.lang }, [name]),
      " ", el("small", { class: "maillage-french-only" }, ["(" + L.french.hint + ")"])];
  }

  function matchItem(data, result, m, first, box) {
    var children = [el("h4", {}, serviceLink(m.service, m.name))];
    if (m.organisation) children.push(el("p", { class: "maillage-orient-org" }, [m.organisation]));
    var why = m.rank_reason || (toCheck(m) ? "" : w("why_default"));
    if (first && why) children.push(el("p", { class: "maillage-orient-why" }, [w("why_first", { reason: why })]));
    children.push(contactBlock(data, m));
    var unknown = unknownLine(m);
    if (unknown) children.push(el("p", { class: "maillage-orient-unknown" }, [unknown]));
    children.push(el("ul", { class: "maillage-orient-reasons" }, m.reasons.map(function (r) { return el("li", {}, [r]); })));
    children.push(sendBlock(data, m));
    var button = el("button", { type: "button", "data-action": "liaison" }, [w("liaison")]);
    button.addEventListener("click", function () {
      var s = serviceOf(data, m.service);
      loadChunk(data, Math.floor(s.index / data.chunk)).then(function () {
        var full = Object.assign({}, m, { organisation: s.org, next_steps: s.steps });
        full.contacts = s.contacts;
        full.access = { who: s.access[0], how: s.access[1], delay: s.access[2] };
        showLiaison(box, liaisonText(result, full));
      });
    });
    children.push(el("p", {}, [button]));
    var attrs = { class: "maillage-orient-match", "data-service": m.service, "data-group": toCheck(m) ? "to_check" : "fit" };
    if (why) attrs["data-why"] = why;  // whyOnFirst moves the line to the entry that ends up first
    return el("li", attrs, children);
  }

  function nearItem(data, n) {
    var failed = n.failed.map(function (f) { return w("line", { label: L.criteria[f.criterion] || f.criterion, value: f.detail }); });
    return el("li", { "data-service": n.service }, serviceLink(n.service, n.name).concat([" — " + failed.join(" ; "),
      contactBlock(data, n), sendBlock(data, n)]));
  }

  function fallbackItem(data, f) {
    if (f.service) {
      var attrs = { "data-kind": f.kind, "data-service": f.service };
      if (f.distance_km !== null && f.distance_km !== undefined) attrs["data-distance-km"] = String(f.distance_km);
      return el("li", attrs, serviceLink(f.service, f.name).concat([" — " + f.detail,
        contactBlock(data, f), sendBlock(data, f)]));
    }
    var detail = f.gaps_url ? el("a", { href: "../" + f.gaps_url }, [f.detail]) : f.detail;
    return el("li", { "data-kind": f.kind }, [detail]);
  }

  /* The age band, not the age: the report must not identify the person. */
  function bandText(data, age) {
    if (age === null || age === undefined) return w("band_unknown");
    for (var i = 0; i < data.age_bands.length; i++) {
      var b = data.age_bands[i];
      if (age >= b[1] && (b[2] === null || age <= b[2])) {
        return b[2] === null ? w("band_open", { min: b[1] }) : w("band", { min: b[1], max: b[2] });
      }
    }
    return w("band_unknown");
  }

  /* "Signaler cette zone grise": a new issue on the directory's forge, or an e-mail to its
   * maintainers, carrying the anonymised profile (age band, place, housing, needs) and the
   * date, nothing else (not the age, not the conditions, not who asks). */
  function gapReport(rootNode, data, result) {
    var kind = rootNode.getAttribute("data-gap-kind"), target = rootNode.getAttribute("data-gap-target");
    if (!kind || !target) return null;
    var p = result.profile;
    var parts = [bandText(data, p.age), p.place_name];
    if (p.housing) parts.push(option("housing", p.housing));
    if (p.needs.length) parts.push(p.needs.map(function (n) { return option("needs", n); }).join(", "));
    var profile = parts.join(", ");
    var title = w("report_title", { profile: profile });
    var body = [w("report_intro"), "", w("report_profile", { profile: profile }),
      w("report_date", { date: new Date().toISOString().slice(0, 10) }), "", w("report_hint")].join("\n");
    var enc = encodeURIComponent, href;
    if (kind === "email") href = "mailto:" + target + "?subject=" + enc(title) + "&body=" + enc(body);
    else if (kind === "gitlab") href = target + "?issue%5Btitle%5D=" + enc(title) + "&issue%5Bdescription%5D=" + enc(body);
    else href = target + "?title=" + enc(title) + "&body=" + enc(body);
    return el("p", { class: "maillage-orient-report" }, [
      el("a", { href: href, "data-action": "report-gap", rel: "noopener" }, [w("report_gap")]), " ",
      el("small", {}, [w("report_hint")])]);
  }

  function renderResults(box, data, result, rootNode) {
    box.textContent = "";
    var out = [];
    var heading = result.matches.length ? wn("matches", result.matches.length) : w("none");
    out.push(el("h2", { id: "maillage-orient-summary", tabindex: "-1" }, [heading]));
    out.push(el("p", {}, [w("line", { label: w("profile"), value: profileText(result) })]));
    var fit = result.matches.filter(function (m) { return !toCheck(m); });
    var check = result.matches.filter(toCheck);
    [[fit, "group_known", "maillage-orient-fit"], [check, "group_unknown", "maillage-orient-to-check"]].forEach(function (g, k) {
      if (!g[0].length) return;
      out.push(el("h3", { class: g[2] }, [w(g[1])]));
      var list = el("ol", { class: "maillage-orient-matches " + g[2], start: String(k ? fit.length + 1 : 1) });
      g[0].forEach(function (m, i) { list.appendChild(matchItem(data, result, m, i === 0 && (k === 0 || !fit.length), box)); });
      out.push(list);
    });
    var near = [], leads = [];
    if (result.near_misses.length) {
      near.push(el("h2", {}, [w("near")]));
      near.push(el("ul", { class: "maillage-orient-near" }, result.near_misses.map(function (n) { return nearItem(data, n); })));
    }
    if (result.fallbacks.length) {
      leads.push(el("h2", {}, [w("fallbacks")]));
      leads.push(el("ul", { class: "maillage-orient-fallbacks" }, result.fallbacks.map(function (f) { return fallbackItem(data, f); })));
    }
    if (!result.matches.length) {
      var report = gapReport(rootNode, data, result);
      if (report) leads.push(report);
    }
    /* When nothing fits, the leads to call now (helplines, generalists, the gap) come before
     * the services to negotiate with. */
    out = out.concat(result.matches.length ? near.concat(leads) : leads.concat(near));
    out.forEach(function (n) { box.appendChild(n); });
    decorateHours(box);
    var summary = box.querySelector("#maillage-orient-summary");
    if (summary) {
      /* The results at the top of the screen: the first phone number is on the first screen. */
      summary.focus({ preventScroll: true });
      summary.scrollIntoView({ block: "start" });
    }
  }

  /* Hours, current alerts, closed-today services moved down and the "Ouvert maintenant" box
   * (issue 22): hours.js (next to this script), loaded when the first results are shown. */
  function decorateHours(box) {
    function decorate() {
      Promise.resolve(window.MaillageHours.decorateOrient(box)).then(function () { whyOnFirst(box); });
    }
    if (window.MaillageHours) { decorate(); return; }
    var own = document.querySelector('script[src$="orient.js"]');
    if (!own) return;
    var script = document.createElement("script");
    script.src = own.src.replace(/orient\.js(\?.*)?$/, "hours.js");
    script.onload = decorate;
    document.head.appendChild(script);
  }

  /* The "why first" line on the entry that is first once the services closed all day today
   * have moved down (with its own reason), as `maillage orient` prints it. */
  function whyOnFirst(box) {
    var list = box.querySelector("ol.maillage-orient-matches");
    var first = list ? list.firstElementChild : null;
    if (!first || first.querySelector(".maillage-orient-why")) return;
    box.querySelectorAll("ol.maillage-orient-matches .maillage-orient-why").forEach(function (p) { p.remove(); });
    var why = first.getAttribute("data-why");
    if (!why) return;
    var line = el("p", { class: "maillage-orient-why" }, [w("why_first", { reason: why })]);
    first.insertBefore(line, first.querySelector(".maillage-orient-contact"));
  }

  function showLiaison(box, text) {
    var area = document.getElementById("maillage-orient-liaison");
    area.hidden = false;
    var textarea = area.querySelector("textarea");
    textarea.value = text;
    textarea.focus();
    textarea.select();
  }

  var detailsBase = "";

  function loadChunk(data, k) {
    if (data.loaded[k]) return Promise.resolve();
    return fetch(detailsBase + "details-" + k + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (rows) { addDetails(data, k, rows); });
  }

  /* The orientation in the address (DESIGN.md): age, where, housing, need (repeated),
   * referrer, professionals and the flags as =1. */
  function formQuery(form) {
    var q = new URLSearchParams();
    var e = form.elements;
    if (e.age.value !== "") q.append("age", e.age.value);
    if (e.where.value.trim()) q.append("where", e.where.value.trim());
    if (e.housing.value) q.append("housing", e.housing.value);
    Array.prototype.forEach.call(form.querySelectorAll("input[name=need]"), function (box) {
      if (box.checked) q.append("need", box.value);
    });
    if (e.referrer.value) q.append("referrer", e.referrer.value);
    if (e.professionals.value !== "") q.append("professionals", e.professionals.value);
    FLAGS.forEach(function (flag) { if (e[flag].checked) q.append(flag, "1"); });
    return q.toString();
  }

  function fillForm(form, search) {
    var q = new URLSearchParams(search);
    var e = form.elements;
    e.age.value = q.get("age") || "";
    e.where.value = q.get("where") || "";
    e.housing.value = q.get("housing") || "";
    if (e.housing.value !== (q.get("housing") || "")) e.housing.value = "";
    var needs = q.getAll("need");
    Array.prototype.forEach.call(form.querySelectorAll("input[name=need]"), function (box) {
      box.checked = needs.indexOf(box.value) >= 0;
    });
    e.referrer.value = q.get("referrer") || "";
    if (e.referrer.value !== (q.get("referrer") || "")) e.referrer.value = "";
    e.professionals.value = q.get("professionals") || "";
    FLAGS.forEach(function (flag) { e[flag].checked = !!q.get(flag) && q.get(flag) !== "0"; });
    /* The optional criteria fold away; an address that sets one shows them. */
    var more = form.querySelector(".maillage-orient-more");
    if (more && (e.referrer.value || e.professionals.value || FLAGS.some(function (f) { return e[f].checked; }))) {
      more.open = true;
    }
    return !!e.where.value;
  }

  function start(rootNode, data) {
    detailsBase = rootNode.getAttribute("data-details");
    var form = rootNode.querySelector("form");
    var results = rootNode.querySelector(".maillage-orient-results");
    var list = rootNode.querySelector("datalist");
    var byLabel = {}, listed = {};
    /* The suggestions: the places the data holds so far (communes come with what is typed). */
    function listPlaces() {
      Object.keys(data.territories).sort().forEach(function (code) {
        var t = data.territories[code];
        if (t.l === "country" || listed[code]) return;
        listed[code] = true;
        var text = placeLabel(code, t);
        byLabel[text] = code;
        list.appendChild(el("option", { value: text }));
      });
    }
    function loadPlaces(typed) {
      var key = has(byLabel, typed) ? null : placeKey(data, typed);
      if (!key || data.placesLoaded[key]) return Promise.resolve();
      return fetch(detailsBase + "places-" + key + ".json", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) { addPlaces(data, key, rows); listPlaces(); });
    }
    listPlaces();
    form.elements.where.addEventListener("input", function () {
      loadPlaces(form.elements.where.value).catch(function () {});
    });
    var message = rootNode.querySelector(".maillage-orient-message");
    /* On the phone, Enter anywhere in the form searches (a select or checkbox does not submit by itself). */
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && (target.tagName === "SELECT" || target.type === "checkbox")) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    /* Each search is a history entry: back and forward re-run it, a reload or a shared link too. */
    /* An error about one field (RGAA 11.10): said in the alert, tied to the field
     * (aria-describedby, aria-invalid), the field focused, and the previous results cleared:
     * they answered another question. */
    var noted = rootNode.querySelectorAll("#maillage-orient-liaison, #maillage-orient-note");
    function fieldError(field, text) {
      results.textContent = "";
      Array.prototype.forEach.call(noted, function (section) { section.hidden = true; });
      message.textContent = text;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", message.id);
      var folded = field.closest("details");
      if (folded) folded.open = true;
      field.focus();
    }
    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      });
    }
    /* A whole number within the field's min and max, or nothing (the age is optional). */
    function badNumber(field) {
      if (field.validity && field.validity.badInput) return true;
      if (field.value.trim() === "") return false;
      var n = Number(field.value);
      return !(Math.floor(n) === n && n >= Number(field.min) && n <= Number(field.max));
    }
    function run() {
      message.textContent = "";
      clearErrors();
      var typed = form.elements.where.value;
      loadPlaces(typed).catch(function () {}).then(function () { search(typed); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = formQuery(form);
      var url = location.pathname + (query ? "?" + query : "");
      if ("?" + query !== location.search) history.pushState({ orient: query }, "", url);
      run();
    });
    window.addEventListener("popstate", function () {
      if (!document.body.contains(rootNode)) return;
      if (fillForm(form, location.search)) run();
      else { results.textContent = ""; message.textContent = ""; }
    });
    function search(typed) {
      var e = form.elements;
      if (badNumber(e.age)) return fieldError(e.age, w("age_invalid"));
      if (badNumber(e.professionals)) return fieldError(e.professionals, w("professionals_invalid"));
      var code;
      try {
        code = has(byLabel, typed) ? byLabel[typed] : resolve(data, typed);
      } catch (error) {
        fieldError(e.where, error.candidates && error.candidates.length
          ? w("ambiguous", { places: error.candidates.map(function (c) {
            return placeLabel(c, data.territories[c]);
          }).join(" ; ") })
          : w("unknown_place"));
        return;
      }
      var profile = {
        place: code, age: e.age.value === "" ? null : parseInt(e.age.value, 10), housing: e.housing.value || null,
        needs: Array.prototype.filter.call(form.querySelectorAll("input[name=need]"), function (box) { return box.checked; })
          .map(function (box) { return box.value; }),
        referrer: e.referrer.value || null,
        professionals: e.professionals.value === "" ? null : parseInt(e.professionals.value, 10),
        no_insurance: e.no_insurance.checked, no_residence_permit: e.no_residence_permit.checked,
        crisis: e.crisis.checked, non_demand: e.non_demand.checked,
      };
      var result = orient(data, profile, L.matcher);
      /* Contacts and next steps live in small files, fetched from this site for every service
       * shown: a result without its phone number would send the worker to another page. */
      Promise.all(chunksOf(data, result).map(function (k) { return loadChunk(data, k); })).then(function () {
        renderResults(results, data, orient(data, profile, L.matcher), rootNode);
      }).catch(function () {
        message.textContent = w("details_failed");
        renderResults(results, data, result, rootNode);
      });
    }
    var liaison = rootNode.querySelector("#maillage-orient-liaison");
    liaison.querySelector("[data-action=copy]").addEventListener("click", function () {
      var textarea = liaison.querySelector("textarea");
      textarea.select();
      copyText(textarea.value).catch(function () {});
    });
    function printOnly(kind) {
      document.body.classList.add("mo-print-" + kind);
      window.print();
      document.body.classList.remove("mo-print-" + kind);
    }
    liaison.querySelector("[data-action=print]").addEventListener("click", function () { printOnly("liaison"); });
    rootNode.querySelector("[data-action=print-note]").addEventListener("click", function () { printOnly("note"); });
    rootNode.classList.add("maillage-orient-ready");
    if (fillForm(form, location.search)) run();
  }

  function boot() {
    var rootNode = document.getElementById("maillage-orient");
    if (!rootNode || rootNode.getAttribute("data-booted")) return;
    rootNode.setAttribute("data-booted", "1");
    try {
      var given = JSON.parse(rootNode.getAttribute("data-labels") || "{}");
      L = { words: given.words || {}, criteria: given.criteria || {}, options: given.options || {},
        matcher: given.matcher || {}, flags: {}, lang: rootNode.getAttribute("lang") || "fr",
        french: given.french || null, own: {} };
      /* A national directory's Dutch and English sites: the services with a page of their own
       * in this language (the others link to their French page, docs/national-scale.md). */
      (given.pages || []).forEach(function (id) { L.own[id] = true; });
    } catch (error) { /* the keys show: a build fault, not a reason to stop */ }
    FLAGS.forEach(function (flag) {
      var box = rootNode.querySelector("input[name=" + flag + "]");
      L.flags[flag] = box && box.parentNode ? box.parentNode.textContent.trim() : flag;
    });
    var message = rootNode.querySelector(".maillage-orient-message");
    /* Opened from the disk, the browser refuses the data files: say how to look at the site. */
    if (location.protocol === "file:") {
      message.textContent = w("file_protocol");
      rootNode.classList.add("maillage-orient-file");
      return;
    }
    fetch(rootNode.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (raw) { start(rootNode, expand(raw)); })
      .catch(function () { message.textContent = w("load_failed"); });
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.MaillageOrient = api;
    if (typeof document !== "undefined") {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
      else boot();
      /* mkdocs-material's instant navigation swaps pages without reloading scripts. */
      if (root.document$ && root.document$.subscribe) root.document$.subscribe(boot);
    }
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
