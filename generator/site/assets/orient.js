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
  var MAX_NEAR_MISSES = 10;
  var LEVEL_RANK = { country: 0, region: 1, dep: 2, province: 2, epci: 3, commune: 4 };
  var OK = " ✓";
  var CRITERIA_FR = {
    age: "âge",
    area: "zone couverte",
    housing: "logement",
    needs: "besoins",
    referrer: "qui fait la demande",
    professional_requesters: "nombre de professionnels demandeurs",
    health_insurance: "couverture santé",
    residence_permit: "titre de séjour",
    crisis: "situation de crise",
    non_demand: "non-demande",
  };
  var CONDITION_CHECKS = [
    ["health_insurance", "health_insurance_required", "no_insurance", true,
      "pas besoin de couverture santé", "couverture santé (mutuelle) requise", "couverture santé : à vérifier"],
    ["residence_permit", "residence_permit_required", "no_residence_permit", true,
      "pas besoin de titre de séjour", "titre de séjour requis", "titre de séjour : à vérifier"],
    ["crisis", "crisis_accepted", "crisis", false,
      "intervient en situation de crise", "n'intervient pas en situation de crise",
      "intervention en situation de crise : à vérifier"],
    ["non_demand", "non_demand_accepted", "non_demand", false,
      "accepte les personnes en « non-demande »", "la personne doit être demandeuse (pas de « non-demande »)",
      "« non-demande » : à vérifier"],
  ];

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
        needs: lists[row[4]], functions: lists[row[5]], org: "", steps: [], contacts: [],
      };
      if (row[6] >= 0) { s.age = raw.ages[row[6]].slice(0, 2); s.age_text = raw.ages[row[6]][2]; }
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
      services: services, loaded: {}, mainCodes: codes, placesLoaded: {} };
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

  /* One details file (organisation, next steps, contacts of `chunk` services from k * chunk). */
  function addDetails(data, k, rows) {
    rows.forEach(function (row, i) {
      var s = data.services[k * data.chunk + i];
      s.org = row[0]; s.steps = row[1]; s.contacts = row[2];
    });
    data.loaded[k] = true;
  }

  /* The details files a result needs before it is shown (services are numbered in order). */
  function chunksOf(data, result, limit) {
    var byId = {};
    data.services.forEach(function (s) { byId[s.id] = s.index; });
    var wanted = {};
    result.matches.slice(0, limit === undefined ? result.matches.length : limit).forEach(function (m) {
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

  function years(n) {
    return n === 1 ? n + " an" : n + " ans";
  }

  function check(criterion, status, text) {
    return { criterion: criterion, status: status, text: text };
  }

  function ageChecks(s, p) {
    if (!s.age) return [check("age", "unknown", "âge : à vérifier")];
    if (p.age === null || p.age === undefined) {
      return [check("age", "unknown", s.age_text + " : âge de la personne à vérifier")];
    }
    if (s.age[0] !== null && p.age < s.age[0]) {
      return [check("age", "fail", p.age + " ans : " + years(s.age[0] - p.age) +
        " en dessous de l'âge minimum (" + s.age_text + ")")];
    }
    if (s.age[1] !== null && p.age > s.age[1]) {
      return [check("age", "fail", p.age + " ans : " + years(p.age - s.age[1]) +
        " au-dessus de la limite (" + s.age_text + ")")];
    }
    return [check("age", "ok", s.age_text + OK)];
  }

  function areaChecks(data, s, place, anc) {
    var covering = s.area.filter(function (c) { return anc[c]; });
    if (covering.length) {
      var rank = Math.max.apply(null, covering.map(function (c) {
        var t = data.territories[c];
        return t && has(LEVEL_RANK, t.l) ? LEVEL_RANK[t.l] : -1;
      }));
      var checks = [check("area", "ok", "réside à " + place.n + ", dans la zone couverte (" + s.area_text + ")" + OK)];
      if (s.approx) checks.push(check("area", "unknown", "zone couverte approximative : à vérifier"));
      return { checks: checks, specificity: rank, distance: null };
    }
    var inside = s.area.filter(function (c) { return ancestors(data, c)[place.code]; });
    if (inside.length) {
      return {
        checks: [check("area", "unknown", place.n + " : la zone couverte (" + s.area_text +
          ") n'en couvre qu'une partie, à vérifier")],
        specificity: -1, distance: null,
      };
    }
    var distances = [];
    s.area.forEach(function (c) {
      if (has(data.territories, c)) {
        var d = distanceKm(place, data.territories[c]);
        if (d !== null) distances.push(d);
      }
    });
    var nearest = distances.length ? Math.min.apply(null, distances) : null;
    var message = "réside à " + place.n + ", hors de la zone couverte (" + s.area_text + ")";
    if (nearest !== null) message += ", à " + nearest + " km";
    return { checks: [check("area", "fail", message)], specificity: -1, distance: nearest };
  }

  function housingChecks(data, s, p) {
    var names = data.labels.housing;
    var label = function (h) { return has(names, h) ? names[h] : h; };
    if (!s.housing) return p.housing ? [check("housing", "unknown", "logement : à vérifier")] : [];
    var admitted = s.housing.map(function (h) { return lowerFirst(label(h)); }).join(", ");
    if (!p.housing) return [check("housing", "unknown", "logement admis : " + admitted + " — à vérifier")];
    var mine = label(p.housing);
    if (s.housing.indexOf(p.housing) >= 0) return [check("housing", "ok", "logement : " + lowerFirst(mine) + OK)];
    return [check("housing", "fail", mine + " : non admis (admis : " + admitted + ")")];
  }

  function referrerChecks(data, s, p) {
    if (!p.referrer) return [];
    var names = data.labels.referrers;
    var label = function (r) { return lowerFirst(has(names, r) ? names[r] : r); };
    if (!s.referrers) return [check("referrer", "unknown", "qui peut faire la demande : à vérifier")];
    var mine = label(p.referrer);
    if (s.referrers.indexOf(p.referrer) < 0) {
      return [check("referrer", "fail", "demande par " + mine + " non prévue (demande par : " +
        s.referrers.map(label).join(", ") + ")")];
    }
    var checks = [check("referrer", "ok", "demande possible par " + mine + OK)];
    var required = has(s, "pros") ? s.pros : null;
    if (p.referrer === "professional" && required !== null && required > 1) {
      var wanted = required + " professionnels d'institutions distinctes";
      if (p.professionals === null || p.professionals === undefined) {
        checks.push(check("professional_requesters", "unknown", wanted + " requis : à vérifier"));
      } else if (p.professionals < required) {
        checks.push(check("professional_requesters", "fail", wanted + " requis (" + p.professionals + " indiqué" +
          (p.professionals > 1 ? "s" : "") + ")"));
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
      if (!has(cond, c[1])) checks.push(check(c[0], "unknown", c[6]));
      else if (cond[c[1]] === c[3]) checks.push(check(c[0], "fail", c[5]));
      else checks.push(check(c[0], "ok", c[4] + OK));
    });
    return checks;
  }

  function evaluate(data, s, p, anc) {
    var place = Object.assign({ code: p.place }, data.territories[p.place]);
    var checks = ageChecks(s, p);
    var area = areaChecks(data, s, place, anc);
    checks = checks.concat(area.checks, housingChecks(data, s, p));
    var met = s.needs.filter(function (n) { return p.needs.indexOf(n) >= 0; });
    if (met.length) {
      var names = data.labels.needs;
      checks.push(check("needs", "ok", "répond au besoin : " +
        met.map(function (n) { return lowerFirst(has(names, n) ? names[n] : n); }).join(", ") + OK));
    }
    checks = checks.concat(referrerChecks(data, s, p), conditionChecks(s, p));
    var failed = checks.filter(function (c) { return c.status === "fail"; });
    var unknown = checks.filter(function (c) { return c.status === "unknown"; });
    return {
      service: s, checks: checks, failed: failed, unknown: unknown,
      specificity: area.specificity, distance: area.distance, needsMet: met.length,
    };
  }

  function segmentOf(data, p) {
    var band = "?";
    if (p.age !== null && p.age !== undefined) {
      for (var i = 0; i < data.age_bands.length; i++) {
        var b = data.age_bands[i];
        if (p.age >= b[1] && (b[2] === null || p.age <= b[2])) { band = b[0]; break; }
      }
    }
    return p.housing ? band + "/" + p.housing : band;
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
   * page's language for the js.orient.m.* phrases, French from the data otherwise):
   * {
   *   profile: {place, place_name, segment, age, housing, needs: [], referrer, professionals,
   *             no_insurance, no_residence_permit, crisis, non_demand},
   *   matches: [ENTRY + {
   *     group: "fit" | "to_check",   // "fit" first: every criterion known and met; "to_check":
   *                                  // depends on criteria the registry does not state
   *     rank_reason: "conçu pour ce public : âge ; zone précise : Région de Bruxelles-Capitale",
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
   *               "public"|"professional"}],   // phone first; professional only in that build
   *   access: {who, how, delay},              // short phrases ("" when unknown to the registry)
   *   next_steps: [...]}
   * organisation, contacts, access and next_steps come from the details chunks: call
   * chunksOf(data, result) and addDetails for each, then orient() again (empty until loaded).
   */
  function orient(data, profile) {
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
    matches.sort(function (a, b) {
      return (b.specificity - a.specificity) || (a.unknown.length - b.unknown.length) ||
        (b.needsMet - a.needsMet) || cmp(a.service.id, b.service.id);
    });
    var near = evaluations.filter(function (e) {
      if (e.failed.length < 1 || e.failed.length > 2) return false;
      var area = e.failed.some(function (c) { return c.criterion === "area"; });
      return !(area && (e.distance === null || e.distance > NEAR_KM));
    });
    near.sort(function (a, b) {
      return (a.failed.length - b.failed.length) || ((a.distance || 0) - (b.distance || 0)) ||
        cmp(a.service.id, b.service.id);
    });
    var segment = segmentOf(data, p);
    var fallbacks = matches.length ? [] : fallbacksOf(data, p, place, anc, evaluations, segment);
    var profileOut = Object.assign({}, p, { place_name: place.n, segment: segment });
    return {
      profile: profileOut,
      matches: matches.map(function (e) {
        return {
          service: e.service.id, name: e.service.name, organisation: e.service.org,
          reasons: reasons(e), to_check: e.unknown.map(function (c) { return c.text; }),
          next_steps: e.service.steps.slice(), contacts: (e.service.contacts || []).slice(),
        };
      }),
      near_misses: near.slice(0, MAX_NEAR_MISSES).map(function (e) {
        return {
          service: e.service.id, name: e.service.name,
          failed: e.failed.map(function (c) { return { criterion: c.criterion, detail: c.text }; }),
          reasons: reasons(e),
        };
      }),
      fallbacks: fallbacks,
    };
  }

  function reasons(e) {
    return e.checks.filter(function (c) { return c.status !== "fail"; }).map(function (c) { return c.text; });
  }

  function fallbacksOf(data, p, place, anc, evaluations, segment) {
    var kinds = { generalist: 0, helpline: 1, "case-manager": 2 };
    var found = [];
    data.services.forEach(function (s) {
      if (!s.area.some(function (c) { return anc[c]; })) return;
      var kind, detail;
      if (s.functions.indexOf("case-management") >= 0 && s.generalist) {
        kind = "case-manager";
        detail = "case manager « des zones grises » : pour une situation qui n'entre dans aucune case";
      } else if (s.functions.indexOf("helpline") >= 0) {
        kind = "helpline"; detail = "ligne d'aide à l'orientation";
      } else if (s.generalist) {
        kind = "generalist"; detail = "service généraliste du territoire";
      } else {
        return;
      }
      found.push({ rank: kinds[kind], item: { kind: kind, service: s.id, name: s.name, detail: detail } });
    });
    found.sort(function (a, b) { return (a.rank - b.rank) || cmp(a.item.service, b.item.service); });
    var out = found.map(function (f) { return f.item; });
    var outside = evaluations.filter(function (e) {
      return e.distance !== null && e.failed.length && e.failed.every(function (c) { return c.criterion === "area"; });
    });
    outside.sort(function (a, b) { return (a.distance - b.distance) || cmp(a.service.id, b.service.id); });
    outside.slice(0, NEAREST_FALLBACKS).forEach(function (e) {
      out.push({
        kind: "nearest", service: e.service.id, name: e.service.name,
        detail: "le plus proche hors zone : " + e.service.area_text + ", à " + e.distance + " km",
      });
    });
    out.push({
      kind: "gap", service: null, name: place.n,
      detail: "aucun service ne correspond au segment " + segment + " à " + place.n + " : zone grise à signaler",
    });
    return out;
  }

  var api = { orient: orient, resolve: resolve, expand: expand, addDetails: addDetails, chunksOf: chunksOf,
    addPlaces: addPlaces, placeKey: placeKey, fold: fold, distanceKm: distanceKm, CRITERIA_FR: CRITERIA_FR };

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

  /* The page's words (data-labels, in the page's language); the matcher's phrases stay French. */
  var L = { words: {}, criteria: CRITERIA_FR, options: {}, flags: {} };

  function w(key, values) {
    var text = has(L.words, key) ? L.words[key] : key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }

  function option(name, term) {
    var names = L.options[name] || {};
    return has(names, term) ? names[term] : term;
  }

  function profileText(result) {
    var p = result.profile;
    var parts = [p.age !== null ? w("years", { n: p.age }) : w("age_unknown"), w("lives", { place: p.place_name })];
    if (p.housing) parts.push(w("housing") + " : " + option("housing", p.housing));
    if (p.needs.length) parts.push(w("needs") + " : " + p.needs.map(function (n) { return option("needs", n); }).join(", "));
    if (p.referrer) {
      parts.push(w("referrer") + " : " + option("referrers", p.referrer) + (p.professionals ? " (" + p.professionals + ")" : ""));
    }
    ["no_insurance", "no_residence_permit", "crisis", "non_demand"].forEach(function (flag) {
      if (p[flag]) parts.push(L.flags[flag]);
    });
    return parts.join(", ");
  }

  function liaisonText(result, match) {
    var lines = [w("liaison").toUpperCase(), "", w("service") + " : " + match.name + " — " + match.organisation, "",
      w("person") + " : " + profileText(result), "", w("criteria") + " :"];
    match.reasons.forEach(function (r) { lines.push("  - " + r); });
    lines.push("", w("steps") + " :");
    match.next_steps.forEach(function (s) { lines.push("  - " + s); });
    if (match.contacts.length) {
      lines.push("", w("contact") + " :");
      match.contacts.forEach(function (c) { lines.push("  - " + c); });
    }
    return lines.join("\n");
  }

  function renderResults(box, data, result) {
    box.textContent = "";
    var out = [];
    var heading = result.matches.length ? w("matches", { n: result.matches.length }) : w("none");
    out.push(el("h2", { id: "maillage-orient-summary", tabindex: "-1" }, [heading]));
    out.push(el("p", {}, [w("profile") + " : " + profileText(result)]));
    var list = el("ol", { class: "maillage-orient-matches" });
    result.matches.forEach(function (m, i) {
      var reasons = el("ul", {}, m.reasons.map(function (r) { return el("li", {}, [r]); }));
      var steps = el("ul", { class: "maillage-orient-steps" }, m.next_steps.map(function (s) { return el("li", {}, [s]); }));
      var button = el("button", { type: "button", "data-index": String(i) }, [w("liaison")]);
      button.addEventListener("click", function () {
        var s = data.services.filter(function (x) { return x.id === m.service; })[0];
        loadChunk(data, Math.floor(s.index / data.chunk)).then(function () {
          var full = Object.assign({}, m, { organisation: s.org, next_steps: s.steps, contacts: s.contacts });
          showLiaison(box, liaisonText(result, full));
        });
      });
      var link = el("a", { href: "../services/" + m.service + "/" }, [m.name]);
      list.appendChild(el("li", { class: "maillage-orient-match", "data-service": m.service },
        [el("h3", {}, [link])].concat(m.organisation ? [el("p", {}, [m.organisation])] : [], [reasons, steps, button])));
    });
    out.push(list);
    if (result.near_misses.length) {
      out.push(el("h2", {}, [w("near")]));
      out.push(el("ul", { class: "maillage-orient-near" }, result.near_misses.map(function (n) {
        var failed = n.failed.map(function (f) { return (L.criteria[f.criterion] || f.criterion) + " : " + f.detail; });
        return el("li", { "data-service": n.service }, [
          el("a", { href: "../services/" + n.service + "/" }, [n.name]), " — " + failed.join(" ; ")]);
      })));
    }
    if (result.fallbacks.length) {
      out.push(el("h2", {}, [w("fallbacks")]));
      out.push(el("ul", { class: "maillage-orient-fallbacks" }, result.fallbacks.map(function (f) {
        var items = f.service ? [el("a", { href: "../services/" + f.service + "/" }, [f.name]), " — "] : [];
        return el("li", { "data-kind": f.kind }, items.concat([f.detail]));
      })));
    }
    out.forEach(function (n) { box.appendChild(n); });
    var summary = box.querySelector("#maillage-orient-summary");
    if (summary) summary.focus();
  }

  function showLiaison(box, text) {
    var area = document.getElementById("maillage-orient-liaison");
    area.hidden = false;
    var textarea = area.querySelector("textarea");
    textarea.value = text;
    textarea.focus();
    textarea.select();
  }

  /* The first matches get their next steps at once; the others when their note is asked for. */
  var DETAILED = 10;
  var detailsBase = "";

  function loadChunk(data, k) {
    if (data.loaded[k]) return Promise.resolve();
    return fetch(detailsBase + "details-" + k + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (rows) { addDetails(data, k, rows); });
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
    var housing = form.querySelector("select[name=housing]");
    Object.keys(data.labels.housing).forEach(function (h) {
      housing.appendChild(el("option", { value: h }, [option("housing", h) === h ? data.labels.housing[h] : option("housing", h)]));
    });
    var needs = form.querySelector("select[name=needs]");
    Object.keys(data.labels.needs).forEach(function (n) {
      needs.appendChild(el("option", { value: n }, [option("needs", n) === n ? data.labels.needs[n] : option("needs", n)]));
    });
    var referrer = form.querySelector("select[name=referrer]");
    Object.keys(data.labels.referrers).forEach(function (r) {
      referrer.appendChild(el("option", { value: r }, [option("referrers", r) === r ? data.labels.referrers[r] : option("referrers", r)]));
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
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      message.textContent = "";
      var typed = form.elements.where.value;
      loadPlaces(typed).catch(function () {}).then(function () { search(typed); });
    });
    function search(typed) {
      var code;
      try {
        code = has(byLabel, typed) ? byLabel[typed] : resolve(data, typed);
      } catch (error) {
        message.textContent = error.candidates && error.candidates.length
          ? w("ambiguous", { places: error.candidates.map(function (c) {
            return placeLabel(c, data.territories[c]);
          }).join(" ; ") })
          : w("unknown_place");
        form.elements.where.focus();
        return;
      }
      var age = form.elements.age.value === "" ? null : parseInt(form.elements.age.value, 10);
      var pros = form.elements.professionals.value === "" ? null : parseInt(form.elements.professionals.value, 10);
      var chosen = Array.prototype.filter.call(needs.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      var profile = {
        place: code, age: age, housing: housing.value || null, needs: chosen,
        referrer: referrer.value || null, professionals: pros,
        no_insurance: form.elements.no_insurance.checked,
        no_residence_permit: form.elements.no_residence_permit.checked,
        crisis: form.elements.crisis.checked, non_demand: form.elements.non_demand.checked,
      };
      var result = orient(data, profile);
      /* Next steps and contacts live in small files, fetched from this site for the matches shown. */
      Promise.all(chunksOf(data, result, DETAILED).map(function (k) { return loadChunk(data, k); })).then(function () {
        renderResults(results, data, orient(data, profile));
      }).catch(function () {
        message.textContent = w("details_failed");
        renderResults(results, data, result);
      });
    }
    var liaison = rootNode.querySelector("#maillage-orient-liaison");
    liaison.querySelector("[data-action=copy]").addEventListener("click", function () {
      var textarea = liaison.querySelector("textarea");
      textarea.select();
      if (navigator.clipboard) navigator.clipboard.writeText(textarea.value).catch(function () {});
      else document.execCommand("copy");
    });
    liaison.querySelector("[data-action=print]").addEventListener("click", function () { window.print(); });
    rootNode.classList.add("maillage-orient-ready");
  }

  function boot() {
    var rootNode = document.getElementById("maillage-orient");
    if (!rootNode || rootNode.getAttribute("data-booted")) return;
    rootNode.setAttribute("data-booted", "1");
    try {
      var given = JSON.parse(rootNode.getAttribute("data-labels") || "{}");
      L = { words: given.words || {}, criteria: given.criteria || CRITERIA_FR, options: given.options || {}, flags: {} };
    } catch (error) { /* French words of the matcher remain */ }
    ["no_insurance", "no_residence_permit", "crisis", "non_demand"].forEach(function (flag) {
      var box = rootNode.querySelector("input[name=" + flag + "]");
      L.flags[flag] = box && box.parentNode ? box.parentNode.textContent.trim() : flag;
    });
    fetch(rootNode.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (raw) { start(rootNode, expand(raw)); })
      .catch(function () {
        rootNode.querySelector(".maillage-orient-message").textContent = w("load_failed");
      });
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
