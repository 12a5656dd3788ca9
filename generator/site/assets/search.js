/*
 * Maillage search: the Pagefind search panel in the Material header.
 * Owned by the search module (generator/site/search.py); markup in overrides/partials/search.html.
 *
 * - Pagefind is loaded on first use, from this site only (pagefind/pagefind.js), with the
 *   extra shards of the page's language when the index is sharded (withShards, Shards),
 *   and with the words of the page's language (loadWords): no table of words here.
 * - Facets are Pagefind filters; checking several narrows the results (all must hold);
 *   each value shows how many of the current results it keeps.
 * - A plain query downloads only what its results need: Pagefind's word index chunks and
 *   the fragments of the results shown. The data of every facet (pagefind.filters(), the
 *   part that grows with the site: 4.8 MB at 100,000 services) is fetched only when the
 *   person opens the filters. A facet already in use (checked, or preselected by a link)
 *   is fetched by the search itself, so it is shown, with exact counts, even while the
 *   filters are closed.
 * - A misspelt word that Pagefind does not know is ignored by it; when nothing at all is
 *   found, the query is retried with the start of each long word ("precarte" -> "preca").
 * - The state lives in the address (?q=...&filter=need:Santé mentale), so a link can open
 *   the search with a facet checked and a search can be shared.
 * - The query is read (readQuery): places (communes in French and Dutch, postcodes,
 *   EPCIs, départements, provinces, regions, "Bruxelles"), from the places files the
 *   words of the query name (assets/maillage/search/places-<key>.json, fetched on demand),
 *   and terms of the vocabularies with their synonyms (needs, functions, publics: the
 *   language's reading-<lang>.json). Both come from generator/site/search.py. The reading
 *   is shown above the results as chips, each a button that stops reading it; a place
 *   of several of that name offers the others.
 * - Results come by tiers: first the services whose area contains the place read (the
 *   "place" values: "a:" their area codes, "i:" what those lie in, spread over the
 *   filters "place_<n>" so that a query fetches only those of its place) and that work on the
 *   needs, functions and publics read; then the services of that place that only share
 *   words; then the other services with the words; then every other page (organisations
 *   first). The later tiers are searched only when the earlier ones do not fill the page,
 *   or when more results are asked for.
 * - The services read are searched by hidden narrowing words (narrowing_words in
 *   generator/site/search.py: the place's region, each need and function read, each housing
 *   situation and age band known or not; the region and the first need or function read
 *   as one word, pairWord), which Pagefind matches all at once, and the place filter: a
 *   Pagefind search takes a time that grows with the pages its words match, and
 *   these words match few. No facet's data is fetched for them. The other words of the
 *   query rank them from their pages' text when they are few (rankByText), without
 *   fetching those words' part of the word index.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  // The results a first page shows before it searches by words (see byWords): the first
  // three are the ones a person reads.
  var FIRST_SEEN = 3;
  var FACETS = ["need", "function", "territory", "age", "housing", "language", "accessibility", "self_referral"];
  // Each facet's name, by its key (N_ marks a key for Babel's extraction, as in Python).
  var FACET_NAMES = {
    need: N_("js.search.need"), "function": N_("js.search.function"), territory: N_("js.search.territory"),
    age: N_("js.search.age"), housing: N_("js.search.housing"), language: N_("js.search.language"),
    accessibility: N_("js.search.accessibility"),
    self_referral: N_("js.search.self_referral")
  };
  var AGE_ORDER = ["0-17", "18-24", "25-59", "60+"];
  // The hidden word of every service page (EVERY_SERVICE_WORD in generator/site/search.py):
  // searched instead of nothing, since a Pagefind search without words fetches the whole
  // word index, and only service pages carry the facets and the place filter.
  var EVERY_SERVICE = "maillageservice";

  function N_(key) { return key; }

  /*
   * The words: assets/maillage/words/<lang>.json, compiled from the gettext catalogues at
   * each build (generator/site/words.py), fetched once per language, with Pagefind, when
   * the search is first used. Until it has arrived, or if it cannot (a site opened from
   * file://), a word is the one the server wrote into the panel, in the page's language
   * (the data-maillage-word elements of overrides/partials/search.html); a word neither has
   * is left out (a count shows as its number), never shown as its key.
   */
  var words = {};  // lang -> promise of {key: text}
  var loaded = {};  // lang -> {key: text}, once arrived
  var written = {};  // key -> text of the panel's markup

  function pageLang() {
    return (document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
  }

  function loadWords(base) {
    var lang = pageLang();
    if (!words[lang]) {
      words[lang] = fetch(new URL("assets/maillage/words/" + lang + ".json", base).href).then(function (response) {
        return response.ok ? response.json() : {};
      }).catch(function () { return {}; }).then(function (found) {
        loaded[lang] = found || {};
        return loaded[lang];
      });
    }
    return words[lang];
  }

  function readWords(root) {
    written = {};
    root.querySelectorAll("[data-maillage-word]").forEach(function (node) {
      var text = node.textContent.trim();
      if (text) written[node.getAttribute("data-maillage-word")] = text;
    });
  }

  /* Why there are no results: opened from disk, browsers refuse the index to the page. */
  function unavailable() {
    return location.protocol === "file:" ? t("js.search.file") : t("js.search.error");
  }

  /* The word `key` of the page's language, "{n}" filled with `n` (or each "{name}" with
   * the values of an object `n`). */
  function t(key, n) {
    var own = loaded[pageLang()] || {};
    var text = own[key] || written[key];
    if (n !== null && typeof n === "object") {
      if (!text) return "";
      Object.keys(n).forEach(function (name) { text = text.split("{" + name + "}").join(String(n[name])); });
      return text;
    }
    if (!text) return n === undefined ? "" : String(n);
    return n === undefined ? text : text.replace("{n}", String(n));
  }

  function siteBase() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* Pagefind's excerpt is HTML with <mark>: keep its text and marks, nothing else. */
  function safeExcerpt(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) out.appendChild(document.createTextNode(node.textContent));
      else if (node.nodeName === "MARK") out.appendChild(el("mark", { text: node.textContent }));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  /* The start of each long word, for a retry when an exact search finds nothing. */
  function relaxed(query) {
    return query.split(/\s+/).filter(Boolean).map(function (word) {
      var letters = Array.from(word);
      if (letters.length < 5) return word;
      return letters.slice(0, Math.max(4, Math.ceil(letters.length * 0.6))).join("");
    }).join(" ");
  }


  /* ---- reading a query ------------------------------------------------------------------ */

  var MAX_PHRASE = 6;  // words of the longest place or term name read
  var readingData = {};  // lang -> promise of the prepared reading data (null if none)
  var placeFiles = {};  // key -> promise of rows (places_files in generator/site/search.py)

  // As generator/registry/text.py's fold (and orient.js's).
  function fold(value) {
    var plain = value.toLowerCase().replace(/ß/g, "ss").normalize("NFKD").replace(/\p{M}/gu, "");
    plain = plain.replace(/œ/g, "oe").replace(/æ/g, "ae");
    return plain.replace(/[^a-z0-9]+/g, " ").trim();
  }

  function setOf(list) {
    var out = {};
    (list || []).forEach(function (item) { out[item] = true; });
    return out;
  }

  function loadReading(base) {
    var lang = pageLang();
    if (!readingData[lang]) {
      readingData[lang] = fetch(new URL("assets/maillage/search/reading-" + lang + ".json", base).href).then(function (r) {
        return r.ok ? r.json() : null;
      }).catch(function () { return null; }).then(function (raw) {
        if (!raw) return null;
        var terms = {}, longest = 1, byLength = {};
        // [facet, value, phrases, label]: the label only where it is not the value.
        raw.terms.forEach(function (row) {
          row[2].forEach(function (phrase) {
            terms[phrase] = { facet: row[0], value: row[1], label: row.length > 3 ? row[3] : row[1] };
            var n = phrase.split(" ").length;
            longest = Math.max(longest, n);
            (byLength[n] = byLength[n] || []).push(phrase);
          });
        });
        var aliases = {};
        raw.places.forEach(function (row) {
          (aliases[row[0]] = aliases[row[0]] || []).push({ code: row[1], name: row[2], context: row[3], up: row[4] });
        });
        return { terms: terms, longest: Math.min(longest, MAX_PHRASE), byLength: byLength, aliases: aliases, names: raw.names || {},
          parents: raw.parents || {},
          stop: setOf(raw.stopwords), notPlaces: setOf(raw.not_places), split: setOf(raw.split),
          unused: setOf((raw.unused || []).map(function (pair) { return pair.join(":"); })),
          letters: raw.key_letters || 4, nameStop: setOf(raw.name_stopwords) };
      });
    }
    return readingData[lang];
  }

  /* The places file a word of the query may be in (place_keys, postcode_key in search.py). */
  function placeKey(data, word) {
    if (/^[0-9]{4,5}$/.test(word)) return "p-" + word.slice(0, 3);
    if (/^[0-9]+$/.test(word) || word.length < 3 || data.stop[word] || data.nameStop[word]) return null;
    var letters = data.letters;
    while (data.split["n-" + word.slice(0, letters)] && word.length > letters) letters++;
    return "n-" + word.slice(0, letters);
  }

  function loadPlaceFile(base, key) {
    if (!placeFiles[key]) {
      placeFiles[key] = fetch(new URL("assets/maillage/search/places-" + key + ".json", base).href).then(function (r) {
        return r.ok ? r.json() : [];
      }).catch(function () { delete placeFiles[key]; return []; });
    }
    return placeFiles[key];
  }

  function placeOf(row, lang) {
    return { code: row[0], name: lang === "nl" && row[2] ? row[2] : row[1], context: row[4], up: row[5],
      postcodes: row[3] ? row[3].split(" ") : [] };
  }

  /*
   * The reading of `query`: {chips, rest, place} where chips are the places and terms read
   * (in the order of the query), rest the words left for the text search (without the
   * words that say nothing alone). `dismissed`: phrases not to read; `chosen`: phrase ->
   * code of the place picked among several of that name. `rows`: the places files' rows.
   * `exact`: no misspelt term read (before the places are known).
   */
  function readQuery(data, query, rows, dismissed, chosen, exact) {
    var words = fold(query).split(" ").filter(Boolean);
    var used = words.map(function () { return false; });
    var chips = [];
    if (!data) return { chips: [], rest: words, place: null };
    var lang = pageLang();
    function free(i, n) {
      for (var k = i; k < i + n; k++) if (used[k]) return false;
      return true;
    }
    function take(i, n, chip) {
      for (var k = i; k < i + n; k++) used[k] = true;
      chip.at = i;
      chips.push(chip);
    }
    // Terms first: "à la rue" is a housing situation, not the commune of Rue.
    for (var i = 0; i < words.length; i++) {
      for (var n = Math.min(data.longest, words.length - i); n >= 1; n--) {
        var phrase = words.slice(i, i + n).join(" ");
        var term = data.terms[phrase];
        if (term && !dismissed[phrase] && free(i, n)) {
          take(i, n, { kind: "term", phrase: phrase, facet: term.facet, value: term.value, label: term.label });
          i += n - 1;
          break;
        }
        // A phrase a letter off ("aidants proches") before a shorter exact one ("aidants").
        var near = n > 1 && !exact && !dismissed[phrase] && nearTerm(data, words.slice(i, i + n));
        if (near) {
          term = data.terms[near];
          take(i, n, { kind: "term", phrase: phrase, words: near, facet: term.facet, value: term.value, label: term.label });
          i += n - 1;
          break;
        }
      }
    }
    var byName = {}, byPostcode = {}, seen = {};
    rows.forEach(function (row) {
      if (seen[row[0]]) return;
      seen[row[0]] = true;
      var place = placeOf(row, lang);
      [row[1], row[2]].forEach(function (name) {
        var key = name && fold(name);
        if (key && (byName[key] = byName[key] || []).indexOf(place) < 0) byName[key].push(place);
      });
      place.postcodes.forEach(function (pc) { (byPostcode[pc] = byPostcode[pc] || []).push(place); });
    });
    var place = null;
    for (var j = 0; j < words.length; j++) {
      for (var m = Math.min(MAX_PHRASE, words.length - j); m >= 1; m--) {
        if (!free(j, m)) continue;
        var name = words.slice(j, j + m).join(" ");
        if (dismissed[name]) continue;
        var found;
        if (m === 1 && /^[0-9]{4,5}$/.test(name)) found = byPostcode[name] || [];
        else if (m === 1 && (data.notPlaces[name] || data.stop[name] || name.length < 3)) found = [];
        else found = (data.aliases[name] || []).concat(byName[name] || []);
        var unique = [], codes = {};
        found.forEach(function (p) { if (!codes[p.code]) { codes[p.code] = true; unique.push(p); } });
        if (!unique.length) continue;
        var pick = unique.filter(function (p) { return p.code === chosen[name]; })[0] || unique[0];
        var chip = { kind: "place", phrase: name, place: pick, others: unique.filter(function (p) { return p !== pick; }) };
        take(j, m, chip);
        if (!place) place = chip;
        j += m - 1;
        break;
      }
    }
    // Last, a misspelt term ("santé mentalle", "aidants proches"): each of its words at
    // most one letter off a term's, a word of five letters or more (a place read wins).
    for (var f = 0; f < words.length && !exact; f++) {
      for (var l = Math.min(data.longest, words.length - f); l >= 1; l--) {
        if (!free(f, l)) continue;
        var typed = words.slice(f, f + l);
        if (dismissed[typed.join(" ")]) continue;
        var near = nearTerm(data, typed);
        if (near) {
          var known = data.terms[near];
          take(f, l, { kind: "term", phrase: typed.join(" "), words: near, facet: known.facet, value: known.value,
            label: known.label });
          f += l - 1;
          break;
        }
      }
    }
    chips.sort(function (a, b) { return a.at - b.at; });
    var rest = words.filter(function (w, k) { return !used[k] && !data.stop[w]; });
    return { chips: chips, rest: rest, place: place };
  }

  /* The term `typed` (folded words) is a letter away from, if any: each word equal or at
   * one edit (a letter added, dropped, changed, or two swapped), at least one word off,
   * and every word off has five letters or more. */
  function nearTerm(data, typed) {
    var found = null;
    (data.byLength[typed.length] || []).some(function (phrase) {
      var parts = phrase.split(" "), off = 0;
      for (var i = 0; i < parts.length; i++) {
        if (parts[i] === typed[i]) continue;
        if (typed[i].length < 5 || parts[i].length < 5 || !oneEdit(typed[i], parts[i])) return false;
        off++;
      }
      if (off) found = phrase;
      return off > 0;
    });
    return found;
  }

  /* Whether `a` becomes `b` by one edit: a letter added, dropped or changed, or two swapped. */
  function oneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /* The words of a place chip: « à Schaerbeek (Région de Bruxelles-Capitale) ». */
  function placeText(data, place) {
    var context = place.context && data.names[place.context];
    var name = context ? place.name + " (" + context + ")" : place.name;
    return t("js.search.inPlace", { place: name }) || name;
  }

  function placeName(data, place) {
    var context = place.context && data.names[place.context];
    return context ? place.name + " (" + context + ")" : place.name;
  }

  // The "place" values are spread over this many filters (PLACE_BUCKETS in search.py).
  var PLACE_BUCKETS = 64;

  /* A 32-bit hash of a value's UTF-16 code units (narrowing_hash in generator/site/search.py). */
  function hash31(value) {
    var number = 0;
    for (var i = 0; i < value.length; i++) number = (Math.imul(number, 31) + value.charCodeAt(i)) >>> 0;
    return number;
  }

  /* The filter that holds a "place" value (place_bucket in generator/site/search.py). */
  function placeBucket(value) {
    return "place_" + (hash31(value) % PLACE_BUCKETS);
  }

  /* A hidden narrowing word of service pages (narrowing_word in generator/site/search.py):
   * "r" a region or country, "n" a need, "f" a function, "h"/"a" a known housing situation
   * or age band, "hu"/"au" those unknown. */
  var NARROWING_PREFIX = "maillagez";

  function narrowingWord(kind, value) {
    var number = String(value ? hash31(value) : 0);
    return NARROWING_PREFIX + kind + "0000000000".slice(number.length) + number;
  }

  // Narrowing words but a region's are also filter values (TERM_FILTER in search.py):
  // Pagefind answers a word its index lacks with the nearest it has, the filter is exact.
  var TERM_BUCKETS = 32;

  function termBucket(word) {
    return "term_" + (hash31(word) % TERM_BUCKETS);
  }

  /* The filters that keep the pages with every one of `words` (narrowing words). */
  function termFilter(words) {
    return { all: words.map(function (word) {
      var one = {};
      one[termBucket(word)] = word;
      return one;
    }) };
  }

  /* The word of the region a place lies in (of its country for a country, or a place in
   * several regions): every service whose area contains the place or lies in it has it. */
  function regionWord(place) {
    return narrowingWord("r", regionCode(place));
  }

  function regionCode(place) {
    var country = place.code.split("-")[0];
    if (place.code === country || /-region-/.test(place.code)) return place.code;
    var regions = (place.up || []).filter(function (code) { return /-region-/.test(code); });
    return regions.length === 1 ? regions[0] : country;
  }

  /* The word of a region and a need ("n") or function ("f") together (pair_word in
   * generator/site/search.py): one word, one part of the word index per shard, for what
   * the region's word and the term's would fetch two. */
  function pairWord(region, kind, value) {
    return narrowingWord("q", region + "|" + kind + "|" + value);
  }

  /* The narrowing words of a reading: {all: words every service read has (the place's
   * region, the needs and functions read), open: for each housing situation or age read,
   * [its word when known, the word of services where it is unknown], pairs: the word of
   * the place's region with each need and function read, by that term's word}. */
  function narrowing(reading) {
    var region = reading.place ? regionCode(reading.place.place) : null;
    var all = region ? [regionWord(reading.place.place)] : [];
    var open = [];
    var pairs = {};
    reading.chips.forEach(function (chip) {
      if (chip.kind !== "term") return;
      if (chip.facet === "need" || chip.facet === "function") {
        var kind = chip.facet.charAt(0);
        var word = narrowingWord(kind, chip.value);
        all.push(word);
        if (region) pairs[word] = pairWord(region, kind, chip.value);
      }
      else if (chip.facet === "housing") open.push([narrowingWord("h", chip.value), narrowingWord("hu")]);
      else if (chip.facet === "age") open.push([narrowingWord("a", chip.value), narrowingWord("au")]);
    });
    return { all: all, open: open, pairs: pairs };
  }

  /* The words to search for `words` (narrowing words, the region's first): the region's
   * word and the first need or function word as their pair word, when there is one. */
  function paired(words, pairs) {
    for (var i = 1; i < words.length; i++) {
      if (pairs[words[i]]) {
        var rest = words.slice(1);
        rest.splice(i - 1, 1);
        return [pairs[words[i]]].concat(rest);
      }
    }
    return words;
  }

  /* Every choice of one word of each pair of `open` (see narrowing), those with more
   * known criteria first: a service known to take people without a home before one that
   * does not say. */
  function choices(open) {
    var out = [{ words: [], unknown: 0 }];
    open.forEach(function (pair) {
      var next = [];
      out.forEach(function (choice) {
        pair.forEach(function (word, unknown) {
          next.push({ words: choice.words.concat([word]), unknown: choice.unknown + unknown });
        });
      });
      out = next;
    });
    out.sort(function (a, b) { return a.unknown - b.unknown; });
    return out.map(function (choice) { return choice.words; });
  }

  function unique(list) {
    return list.filter(function (item, i) { return list.indexOf(item) === i; });
  }

  // Read services are ranked by the words left from their pages' text only when they are
  // this few (their fragments are fetched to be shown anyway): searching those words in
  // Pagefind's word index costs 30 to 130 kB a common word at 10,000 services.
  var RANK_LIMIT = 20;

  /* Whether a folded text has a word that starts like `word` (its last two letters may
   * differ: "precarite" and "précaire", "social" and "sociale"). */
  function says(words, word) {
    var stem = word.length > 5 ? word.slice(0, word.length - 2) : word;
    return words.some(function (w) { return w.slice(0, stem.length) === stem; });
  }

  /* Pagefind results ranked by how many of `words` their pages say (the order kept among
   * equals), when they are at most RANK_LIMIT; their fragments are loaded for it. */
  function rankByText(found, words) {
    if (!words.length || !found.results.length || found.results.length > RANK_LIMIT) return Promise.resolve(found);
    return Promise.all(found.results.map(function (result) { return result.data(); })).then(function (pages) {
      var scored = found.results.map(function (result, i) {
        var page = pages[i] || {}, meta = page.meta || {};
        var text = fold([meta.title, meta.organisation, page.content].join(" ")).split(" ");
        return { result: result, at: i, score: words.filter(function (w) { return says(text, w); }).length };
      });
      scored.sort(function (a, b) { return b.score - a.score || a.at - b.at; });
      return { results: scored.map(function (s) { return s.result; }), filters: found.filters };
    });
  }

  /* The filters that keep the services covering `place` (see the header): any of its values. */
  function placeFilter(place) {
    var country = place.code.split("-")[0];
    var values = ["a:" + place.code, "a:" + country, "i:" + place.code];
    place.up.forEach(function (code) { values.push("a:" + code); });
    return { any: values.map(function (value) {
      var one = {};
      one[placeBucket(value)] = value;
      return one;
    }) };
  }

  /* Material's permalink sign and blanks around a title or excerpt. */
  function clean(text) {
    return (text || "").replace(/\s*¶\s*/g, " ").replace(/\s+/g, " ").trim();
  }

  function Search(root) {
    this.root = root;
    this.toggle = document.getElementById("__search");
    this.input = root.querySelector("[data-maillage-search-input]");
    this.form = root.querySelector("[data-maillage-search-form]");
    this.status = root.querySelector("[data-maillage-search-status]");
    this.facetsBox = root.querySelector("[data-maillage-search-facets]");
    this.list = root.querySelector("[data-maillage-search-results]");
    this.moreButton = root.querySelector("[data-maillage-search-more]");
    this.base = siteBase();
    this.selected = {};  // facet -> array of values
    this.pagefind = null;
    this.results = [];
    this.shown = 0;
    this.generation = 0;
    this.open = {};  // facet -> whether its list is unfolded
    this.facetsToggle = root.querySelector("[data-maillage-search-facets-toggle]");
    this.facetsShown = false;  // whether the person opened the filters (all facets loaded)
    this.allFilters = null;  // promise of pagefind.filters(): every value's count over the site
    this.pendingMore = null;  // the next page of results on its way (showMore)
    this.used = {};  // facet -> checked at some point: its data is loaded, so it stays shown
    this.readingBox = root.querySelector("[data-maillage-search-reading]");
    this.dismissed = {};  // phrase -> not to be read (its chip was removed)
    this.chosen = {};  // phrase -> code of the place picked among several of that name
    this.tiers = [];  // searches still to make for more results (see run)
    this.seen = {};  // Pagefind ids already listed
    readWords(root);
    this.renderStatus(t("js.search.start"));
    this.renderToggle();
    this.moreButton.textContent = t("js.search.more");
    this.bind();
    this.readAddress();
  }

  Search.prototype.load = function () {
    if (!this.loading) {
      var self = this;
      var bundle = new URL("pagefind/", this.base);
      var index = import(new URL("pagefind.js", bundle).href).then(function (pagefind) {
        // Result URLs are site-absolute; a site served from a sub-path needs its base.
        // No pagefind.filters() here: it fetches every facet's data (see the header).
        return pagefind.options({ baseUrl: self.base.pathname, excerptLength: 24 }).then(function () {
          return self.withShards(pagefind, bundle);
        }).then(function (shards) {
          self.pagefind = shards;
          return shards;
        });
      });
      // The words come with the index: results are shown in them (loadWords never fails).
      this.loading = Promise.all([index, loadWords(this.base)]).then(function (both) { return both[0]; });
    }
    return this.loading;
  };

  /*
   * A large site's language is indexed in several bundles ("shards", one Pagefind run
   * each: generator/search.py); pagefind/maillage-shards.json lists the extra ones by
   * language. They are merged into the one Pagefind this page loaded (Pagefind's
   * mergeIndex: one script and one WebAssembly module for all, fetched once; each shard's
   * own index files as searches need them), each shard's pages marked with a filter of
   * their own (SHARD_FILTER: "0" the main bundle, "1"… the extra ones), which Shards uses
   * to search them as one index. The shards listed under "later" hold the pages other than
   * services (organisations, territories…): they are merged only when a search goes beyond
   * the services (Shards.widen), so that a « need + place » search does not fetch them.
   */
  Search.prototype.withShards = function (pagefind, bundle) {
    var self = this;
    var lang = (document.documentElement.lang || "").toLowerCase();
    return fetch(new URL("maillage-shards.json", bundle).href).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (shards) {
      var pick = function (list) { return (list && (list[lang] || list[lang.slice(0, 2)])) || []; };
      var paths = pick(shards);
      var later = pick(shards.later);
      var merge = function (path, i) {
        return pagefind.mergeIndex(new URL(path, bundle).href, {
          baseUrl: self.base.pathname, excerptLength: 24, mergeFilter: shardFilter(i)
        });
      };
      if (!paths.length && !later.length) return new Shards(pagefind, 1, [], merge);
      return pagefind.options({ mergeFilter: shardFilter(0) }).then(function () {
        return Promise.all(paths.map(function (path, i) { return merge(path, i + 1); }));
      }).then(function () { return new Shards(pagefind, paths.length + 1, later, merge); });
    });
  };

  // The filter that tells a result's shard (never shown: see withoutShards).
  var SHARD_FILTER = "maillage_shard";

  function shardFilter(i) {
    var filter = {};
    filter[SHARD_FILTER] = String(i);
    return filter;
  }

  /*
   * One search over the shards of one Pagefind: results merged by score and facet counts
   * added, as Pagefind's own mergeIndex does, with one difference. Pagefind ignores a
   * query word an index does not know, so a shard without "bruxelles" would answer
   * "case management bruxelles" with every case-management page it has. Here a shard's
   * results count only if it knows every word that some shard knows (each word searched
   * alone in each shard, by its filter): the results are those of one index over the
   * whole site.
   */
  function Shards(pagefind, count, later, merge) {
    this.pagefind = pagefind;
    this.count = count;
    this.later = later;  // shards merged by widen
    this.merge = merge;  // (path, shard number) -> promise: one shard merged in
    this.widened = null;
  }

  /* Every shard merged in, the "later" ones too (once): before a search beyond the services. */
  Shards.prototype.widen = function () {
    var self = this;
    if (!this.widened) {
      var first = this.count;
      this.widened = Promise.all(this.later.map(function (path, i) { return self.merge(path, first + i); }))
        .then(function () { self.count = first + self.later.length; });
    }
    return this.widened;
  };

  Shards.prototype.filters = function () {
    return this.count === 1 ? this.pagefind.filters() : this.pagefind.filters().then(withoutShards);
  };

  Shards.prototype.search = function (query, options) {
    var pagefind = this.pagefind;
    var count = this.count;
    var plain = function (found) {
      return found && { results: found.results, filters: withoutShards(found.filters) };
    };
    if (count === 1) return pagefind.search(query, options);
    // Narrowing words need no such check: the filters they come with are exact (see
    // TERM_BUCKETS), and each word alone matches hundreds of pages (a slow search).
    var words = query ? query.split(/\s+/).filter(function (word) {
      return word && word.indexOf(NARROWING_PREFIX) !== 0;
    }) : [];
    var shards = [];
    for (var i = 0; i < count; i++) shards.push(i);
    var known = words.length < 2 ? Promise.resolve(null) : Promise.all(shards.map(function (i) {
      return Promise.all(words.map(function (word) {
        return pagefind.search(word, { filters: shardFilter(i) }).then(function (found) {
          return found.results.length > 0;
        });
      }));
    }));
    return known.then(function (table) {
      var counting = shards.filter(function (i) {
        return !table || words.every(function (_, w) {
          return table[i][w] || !table.some(function (row) { return row[w]; });
        });
      });
      var chosen = Object.assign({}, options || {});
      if (counting.length < count) {
        chosen.filters = Object.assign({}, chosen.filters || {});
        chosen.filters[SHARD_FILTER] = { any: counting.map(String) };
      }
      return pagefind.search(query, chosen).then(plain);
    });
  };

  /* Facet counts without the shards' own filter. */
  function withoutShards(filters) {
    var copy = Object.assign({}, filters || {});
    delete copy[SHARD_FILTER];
    return copy;
  }

  /* Every facet's data, fetched once; afterwards every search returns all facets' counts. */
  Search.prototype.loadFilters = function () {
    var self = this;
    if (!this.allFilters) {
      this.allFilters = this.load().then(function (pagefind) { return pagefind.filters(); });
      this.allFilters.catch(function () { self.allFilters = null; });  // try again next time
    }
    return this.allFilters;
  };

  Search.prototype.renderToggle = function () {
    if (!this.facetsToggle) return;
    var chosen = 0;
    var self = this;
    Object.keys(this.selected).forEach(function (facet) { chosen += self.selected[facet].length; });
    this.facetsToggle.textContent = t("js.search.filters") + (chosen ? " (" + chosen + ")" : "");
    this.facetsToggle.setAttribute("aria-expanded", this.facetsShown ? "true" : "false");
  };

  Search.prototype.bind = function () {
    var self = this;
    var timer = null;
    if (this.facetsToggle) {
      this.facetsToggle.addEventListener("click", function () {
        self.facetsShown = !self.facetsShown;
        self.renderToggle();
        self.run();
      });
    }
    // The panel opens when the person types or asks for it, never on focus alone: on a
    // phone it covers the page, and every later focus stop with it (RGAA 10.7, 12.8).
    this.input.addEventListener("input", function () {
      if (self.input.value.trim()) self.setOpen(true);
      clearTimeout(timer);
      // The same query again (a space added, a letter typed and erased): nothing to redo.
      timer = setTimeout(function () { if (self.input.value.trim() !== self.ran) self.run(); }, 180);
    });
    this.input.addEventListener("focus", function () {
      self.load().catch(function () { /* reported on search */ });
    });
    // A click or tap on the field asks for the panel (Tab into it does not).
    this.input.addEventListener("click", function () { self.setOpen(true); });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      self.setOpen(true);
      self.run();
    });
    // Focus leaving the panel for another control closes it (not a click on its text,
    // nor a redraw that removes the focused control: no control receives the focus then).
    this.root.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !self.root.contains(next) && next !== self.opener) self.setOpen(false);
    });
    this.bindOpener();
    this.form.addEventListener("reset", function () {
      self.selected = {};
      setTimeout(function () { self.run(); self.setOpen(false); }, 0);
    });
    this.moreButton.addEventListener("click", function () { self.showMore(); });
    if (this.toggle) {
      this.toggle.addEventListener("change", function () {
        if (self.opener) self.opener.setAttribute("aria-expanded", self.toggle.checked ? "true" : "false");
        if (self.toggle.checked) {
          self.input.focus();
          if (!self.results.length) self.run();
        }
      });
    }
    // Escape closes the panel and gives the focus back to the field, or to the button that
    // opens the panel where the field is hidden with it (a phone). No single-key shortcut
    // opens it (RGAA 12.10): "/" and "s" are letters like the others.
    document.addEventListener("keydown", function (event) {
      var open = self.toggle && self.toggle.checked;
      if (event.key !== "Escape" || !(open || self.root.contains(document.activeElement))) return;
      self.setOpen(false);
      var back = self.opener && self.opener.getClientRects().length ? self.opener : self.input;
      back.focus();
    });
  };

  /*
   * The header's magnifier (partials/header.html: a button, shown where the field is not):
   * opens the panel and puts the focus in its field; says whether the panel is open.
   */
  Search.prototype.bindOpener = function () {
    var self = this;
    var opener = document.querySelector("[data-maillage-search-open]");
    this.opener = opener;
    if (!opener) return;
    opener.setAttribute("aria-expanded", this.toggle && this.toggle.checked ? "true" : "false");
    opener.addEventListener("click", function () {
      var open = !(self.toggle && self.toggle.checked);
      self.setOpen(open);
      if (open) self.input.focus();
    });
  };

  Search.prototype.setOpen = function (open) {
    if (this.toggle && this.toggle.checked !== open) {
      this.toggle.checked = open;
    }
    if (this.opener) this.opener.setAttribute("aria-expanded", open ? "true" : "false");
  };

  Search.prototype.readAddress = function () {
    var params = new URLSearchParams(location.search);
    if (!params.has("q") && !params.has("filter")) return;
    var self = this;
    this.input.value = params.get("q") || "";
    params.getAll("filter").forEach(function (item) {
      var at = item.indexOf(":");
      if (at < 1) return;
      var facet = item.slice(0, at), value = item.slice(at + 1);
      if (FACETS.indexOf(facet) < 0 || !value) return;
      (self.selected[facet] = self.selected[facet] || []).push(value);
      self.open[facet] = true;
      self.used[facet] = true;
    });
    this.setOpen(true);
    this.run();
  };

  Search.prototype.writeAddress = function (query) {
    var params = new URLSearchParams(location.search);
    params.delete("q");
    params.delete("filter");
    var self = this;
    var filters = [];
    FACETS.forEach(function (facet) {
      (self.selected[facet] || []).forEach(function (value) { filters.push(facet + ":" + value); });
    });
    if (query || filters.length) {
      params.set("q", query);
      filters.forEach(function (item) { params.append("filter", item); });
    }
    var search = params.toString();
    history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
  };

  Search.prototype.filters = function () {
    var out = {};
    var self = this;
    Object.keys(this.selected).forEach(function (facet) {
      if (self.selected[facet].length) out[facet] = { all: self.selected[facet].slice() };
    });
    return out;
  };

  /* Filters: the person's (this.filters()) with `more` added; a facet in both keeps all. */
  function withFilters(base, more) {
    var out = {};
    Object.keys(base).forEach(function (key) { out[key] = base[key]; });
    Object.keys(more).forEach(function (key) {
      if (out[key] && out[key].all && more[key].all) out[key] = { all: out[key].all.concat(more[key].all) };
      else if (out[key]) out[key] = { all: [out[key], more[key]] };
      else out[key] = more[key];
    });
    return out;
  }

  /* The facet filters of the terms read: each term must hold. */
  function termFilters(reading) {
    var out = {};
    reading.chips.forEach(function (chip) {
      if (chip.kind !== "term") return;
      var list = (out[chip.facet] = out[chip.facet] || { all: [] }).all;
      if (list.indexOf(chip.value) < 0) list.push(chip.value);
    });
    return out;
  }

  /* The places files the words of `query` may be in, loaded (rows of all of them). */
  Search.prototype.placeRows = function (data, query) {
    var self = this;
    if (!data) return Promise.resolve([]);
    // The words of a term ("santé mentale") are not looked up as places.
    var terms = {};
    readQuery(data, query, [], this.dismissed, this.chosen, true).chips.forEach(function (chip) {
      chip.phrase.split(" ").forEach(function (word) { terms[word] = true; });
    });
    var keys = {};
    fold(query).split(" ").forEach(function (word) {
      var key = word && !terms[word] && placeKey(data, word);
      if (key) keys[key] = true;
    });
    return Promise.all(Object.keys(keys).sort().map(function (key) { return loadPlaceFile(self.base, key); }))
      .then(function (files) { return [].concat.apply([], files); });
  };

  Search.prototype.run = function () {
    var self = this;
    var query = this.input.value.trim();
    var generation = ++this.generation;
    this.ran = query;
    var filters = this.filters();
    var hasFilters = Object.keys(filters).length > 0;
    this.writeAddress(query);
    this.renderToggle();
    if (!query && !hasFilters) {
      this.results = [];
      this.tiers = [];
      this.renderStatus(t("js.search.start"));
      this.renderReading(null, null);
      this.list.replaceChildren();
      this.moreButton.hidden = true;
      this.renderFacets(null);
      if (!this.facetsShown) return Promise.resolve();
      // Nothing asked yet, filters open: each value with its number of pages on the site.
      this.root.setAttribute("aria-busy", "true");
      return Promise.all([this.loadFilters(), loadReading(this.base)]).then(function (both) {
        self.readingData = both[1];
        if (generation === self.generation) self.renderFacets(both[0]);
      }).catch(function (error) {
        if (generation !== self.generation) return;
        self.renderStatus(unavailable());
        if (window.console) console.error(error);
      }).finally(function () {
        if (generation === self.generation) self.root.removeAttribute("aria-busy");
      });
    }
    this.renderStatus(t("js.search.loading"));
    this.root.setAttribute("aria-busy", "true");
    var ready = this.facetsShown ? this.loadFilters().then(function () { return self.load(); }) : this.load();
    var read = loadReading(this.base).then(function (data) {
      return self.placeRows(data, query).then(function (rows) {
        return { data: data, reading: readQuery(data, query, rows, self.dismissed, self.chosen) };
      });
    });
    return Promise.all([ready, read]).then(function (both) {
      var pagefind = both[0], data = both[1].data, reading = both[1].reading;
      self.readingData = data;
      if (generation !== self.generation) return;
      self.startTiers(pagefind, query, filters, reading);
      return self.nextTier().then(function (first) {
        if (generation !== self.generation) return;
        self.renderReading(data, reading);
        self.results = [];
        self.shown = 0;
        self.lastGroup = null;
        self.list.replaceChildren();
        self.addTier(first);
        // With facets in view, every tier is searched: their counts are of all the results.
        var facetsInView = self.facetsShown || Object.keys(self.used).length > 0;
        return self.fill(facetsInView ? Infinity : PAGE_SIZE, !facetsInView).then(function () {
          if (generation !== self.generation) return;
          return facetsInView ? self.countFacets(pagefind) : null;
        }).then(function (counts) {
          if (generation !== self.generation) return;
          self.renderFacets(counts || {});
          var n = self.results.length;
          // n is given to all three: without the words file, the count is at least its number.
          var count = n === 0 ? t("js.search.results0", n) : n === 1 ? t("js.search.results1", n) : t("js.search.resultsN", n);
          var approx = self.approx && t("js.search.approx");
          var said = self.readingSaid ? t("js.search.reading") + " " + self.readingSaid + ". " : "";
          self.renderStatus(said + (approx ? count + " — " + approx.replace("{q}", self.approx) : count));
          return self.showMore(!facetsInView);
        });
      });
    }).catch(function (error) {
      if (generation !== self.generation) return;
      self.renderStatus(unavailable());
      if (window.console) console.error(error);
    }).finally(function () {
      if (generation === self.generation) self.root.removeAttribute("aria-busy");
    });
  };

  /*
   * The searches of a query, best first (see the header): each a function that returns a
   * promise of {results, filters, group}. Only service pages carry the "place" and "kind"
   * filters and the facets, so the first tiers hold services only.
   */
  Search.prototype.startTiers = function (pagefind, query, filters, reading) {
    var self = this;
    var terms = termFilters(reading);
    var hasTerms = Object.keys(terms).length > 0;
    var place = reading.place && placeFilter(reading.place.place);
    var wordsOnly = reading.chips.filter(function (c) { return c.kind === "term"; })
      .map(function (c) { return c.words || c.phrase; }).concat(reading.rest).join(" ");
    this.tiers = [];
    this.seen = {};
    this.valueNames = {};
    this.approx = null;
    // A text search, with its prefixes when it finds nothing (a misspelt word), unless
    // `exact` (the prefixes of a word fetch every part of the word index they start).
    function search(text, more, exact) {
      var options = { filters: withFilters(filters, more) };
      // Without words, the word every service page carries (see EVERY_SERVICE).
      return pagefind.search(text || EVERY_SERVICE, options).then(function (found) {
        if (exact || found.results.length || !text || relaxed(text) === text) return found;
        return pagefind.search(relaxed(text), options).then(function (again) {
          if (again.results.length) self.approx = relaxed(query);
          return again;
        });
      });
    }
    if (place || hasTerms) {
      var group = place ? N_("js.search.covers") : N_("js.search.matching");
      // The services read: those with the narrowing words of the place's region and of the
      // terms read, among them those whose area covers the place (its filter). A need or
      // function read is matched exactly; a housing situation or age band read keeps the
      // services where it is not known, after those where it is.
      var narrow = narrowing(reading);
      var within = place || {};
      // The words left, and those of a housing situation or age read, rank within.
      var scoring = reading.chips.filter(function (c) {
        return c.kind === "term" && (c.facet === "housing" || c.facet === "age");
      }).map(function (c) { return c.words || c.phrase; }).concat(reading.rest).join(" ").split(" ").filter(Boolean);
      var region = reading.place ? narrow.all[0] : null;
      // A need or function no service works on: no service to search for (its word is in
      // no page, and Pagefind would fetch the nearest part of its word index).
      var unused = (this.readingData && this.readingData.unused) || {};
      var none = reading.chips.some(function (c) { return c.kind === "term" && unused[c.facet + ":" + c.value]; });
      if (!none) choices(narrow.open).forEach(function (extra) {
        var words = unique(narrow.all.concat(extra));
        var exact = Object.assign({}, within, termFilter(words.filter(function (w) { return w !== region; })));
        var searched = region ? paired(words, narrow.pairs) : words;
        self.tiers.push(function () {
          return search(searched.join(" "), exact, true).then(function (found) { return rankByText(found, scoring); })
            .then(function (found) { return { found: found, group: group }; });
        });
      });
      // Several terms read and the place: the place's services with some of them, each
      // term with the place's region (their pair word, or the region's word narrow.all[0]).
      var termChips = reading.chips.filter(function (c) { return c.kind === "term"; });
      if (place && termChips.length > 1) {
        var each = narrowing({ place: null, chips: termChips });
        unique(each.all.concat(each.open.map(function (pair) { return pair[0]; }))).forEach(function (word) {
          self.tiers.push(function () {
            var searched = narrow.pairs[word] || region + " " + word;
            return search(searched, Object.assign({}, place, termFilter([word])), true).then(function (found) {
              return { found: found, group: N_("js.search.covers") };
            });
          });
        });
      }
      // Then those of the place that say the words (a service whose needs do not list the
      // one read may still work on it).
      if (place && hasTerms) {
        this.tiers.push(byWords(function () {
          return search(wordsOnly, place).then(function (found) { return { found: found, group: N_("js.search.covers") }; });
        }));
      }
    }
    var wordsGroup = this.tiers.length ? N_("js.search.groupWords") : N_("js.search.groupServices");
    // The words that say something: each other word fetches its part of the word index
    // ("un", "de": large parts, every page has them) for nothing.
    var stop = (this.readingData && this.readingData.stop) || {};
    // The words of the place read are left out when there are others: its services are
    // found by the place filter above, and each word fetches its part of the word index.
    var placeWords = {};
    if (reading.place) reading.place.phrase.split(" ").forEach(function (w) { placeWords[w] = true; });
    var kept = fold(query).split(" ").filter(function (w) { return w && !stop[w]; });
    var others = kept.filter(function (w) { return !placeWords[w]; });
    var text = (others.length ? others : kept).join(" ") || query;
    this.tiers.push(byWords(function () {
      return search(text, { kind: "service" }).then(function (found) { return { found: found, group: wordsGroup }; });
    }));
    this.tiers.push(byWords(function () {
      // Beyond the services: the shards of the other pages are merged first (Shards.widen).
      return pagefind.widen().then(function () { return search(text, {}); }).then(function (found) {
        return { found: found, group: N_("js.search.groupOther"), sort: true };
      });
    }));
  };

  /* A tier that searches by words the reading turned into filters or the place: each
   * word fetches its part of Pagefind's word index (80 to 230 kB for a common word at
   * 10,000 services). On a first page that already has FIRST_SEEN results, it waits for
   * "more". */
  function byWords(tier) {
    tier.words = true;
    return tier;
  }

  /* The next tier's results, or null when none is left. */
  Search.prototype.nextTier = function () {
    var tier = this.tiers.shift();
    if (!tier) return Promise.resolve(null);
    return tier().then(function (out) {
      return { results: out.found.results, filters: out.found.filters, group: out.group, sort: out.sort };
    });
  };

  /* Results not listed yet, with their group; the first tier's facet counts stay shown. */
  Search.prototype.addTier = function (tier) {
    var self = this;
    if (!tier) return;
    var names = this.valueNames || (this.valueNames = {});
    Object.keys(tier.filters || {}).forEach(function (facet) {
      var values = names[facet] || (names[facet] = {});
      Object.keys(tier.filters[facet]).forEach(function (value) { values[value] = true; });
    });
    tier.results.forEach(function (result) {
      if (self.seen[result.id]) return;
      self.seen[result.id] = true;
      self.results.push({ result: result, group: tier.group, sort: tier.sort });
    });
  };

  /*
   * Each facet value's count among all the results (every tier searched): the pages that
   * carry the value (a search by that filter alone, on data already loaded) that are
   * among the results. That is what checking the value leaves, since it narrows each tier.
   */
  Search.prototype.countFacets = function (pagefind) {
    var self = this;
    var names = this.valueNames || {};
    var ids = {};
    this.results.forEach(function (item) { ids[item.result.id] = true; });
    var jobs = [];
    var counts = {};
    Object.keys(names).forEach(function (facet) {
      if (FACETS.indexOf(facet) < 0) return;
      counts[facet] = {};
      Object.keys(names[facet]).forEach(function (value) {
        var only = {};
        only[facet] = value;
        jobs.push(pagefind.search(EVERY_SERVICE, { filters: only }).then(function (found) {
          counts[facet][value] = found.results.filter(function (r) { return ids[r.id]; }).length;
        }));
      });
    });
    return Promise.all(jobs).then(function () { return counts; });
  };

  /* Searches the next tiers until `count` results are known or none is left; `first`:
   * the first page of a query, which does not search by words once it has FIRST_SEEN. */
  Search.prototype.fill = function (count, first) {
    var self = this;
    var generation = this.generation;
    if (this.results.length >= count || !this.tiers.length) return Promise.resolve();
    if (first && this.results.length >= FIRST_SEEN && this.tiers[0].words) return Promise.resolve();
    return this.nextTier().then(function (tier) {
      if (generation !== self.generation) return;
      self.addTier(tier);
      return self.fill(count, first);
    });
  };

  Search.prototype.renderStatus = function (text) {
    this.status.textContent = text;
  };

  /* The chips of the reading: each a button that stops reading its words. */
  Search.prototype.renderReading = function (data, reading) {
    var self = this;
    var box = this.readingBox;
    this.readingSaid = "";
    if (!box) return;
    box.replaceChildren();
    var anyDismissed = Object.keys(this.dismissed).length > 0;
    if (!data || !reading || (!reading.chips.length && !anyDismissed)) { box.hidden = true; return; }
    box.hidden = false;
    var list = el("ul", { "class": "maillage-search__chips" });
    var said = [];
    reading.chips.forEach(function (chip, index) {
      var text = chip.kind === "place" ? placeText(data, chip.place) : chip.label;
      said.push(text);
      var button = el("button", {
        type: "button", "class": "maillage-search__chip", "data-chip": chip.phrase,
        "aria-label": t("js.search.remove", { chip: text }) || text
      }, [el("span", { text: text }), el("span", { "class": "maillage-search__chip-x", "aria-hidden": "true", text: "×" })]);
      button.addEventListener("click", function () {
        self.dismissed[chip.phrase] = true;
        self.focusAfter = index;
        self.run();
      });
      var item = el("li", {}, [button]);
      if (chip.kind === "place" && chip.others.length) {
        var others = el("span", { "class": "maillage-search__others" }, [
          el("span", { text: t("js.search.otherPlaces") + " " })
        ]);
        chip.others.slice(0, 8).forEach(function (other) {
          var pick = el("button", {
            type: "button", "class": "maillage-search__other", "data-code": other.code,
            "aria-label": t("js.search.choosePlace", { place: placeName(data, other) }) || placeName(data, other)
          }, [document.createTextNode(placeName(data, other))]);
          pick.addEventListener("click", function () {
            self.chosen[chip.phrase] = other.code;
            self.focusAfter = index;
            self.run();
          });
          others.appendChild(pick);
        });
        item.appendChild(others);
      }
      list.appendChild(item);
    });
    box.appendChild(el("span", { "class": "maillage-search__reading-label", text: t("js.search.reading") }));
    box.appendChild(list);
    if (anyDismissed) {
      var again = el("button", { type: "button", "class": "maillage-search__read-again", text: t("js.search.readAgain") });
      again.addEventListener("click", function () { self.dismissed = {}; self.chosen = {}; self.focusAfter = 0; self.run(); });
      box.appendChild(again);
    }
    this.readingSaid = said.join(", ");
    // After a chip was pressed, the focus goes to the chip now at its place (or the field).
    if (this.focusAfter !== undefined && this.focusAfter !== null) {
      var buttons = box.querySelectorAll("button.maillage-search__chip, button.maillage-search__read-again");
      var target = buttons[Math.min(this.focusAfter, buttons.length - 1)] || this.input;
      this.focusAfter = null;
      target.focus();
    }
  };

  /*
   * The next page of results; `first`: the query's first page (see fill). One at a time:
   * a press on « more » while the next page is on its way waits for it (a second search
   * meanwhile found no tier left and hid the button until the first one was done), and
   * the panel says it is busy until the page is shown.
   */
  Search.prototype.showMore = function (first) {
    var self = this;
    var generation = this.generation;
    if (this.pendingMore && this.pendingMore.generation === generation) return this.pendingMore.done;
    this.root.setAttribute("aria-busy", "true");
    var done = this.nextPage(first).finally(function () {
      if (self.pendingMore && self.pendingMore.done === done) self.pendingMore = null;
      if (generation === self.generation) self.root.removeAttribute("aria-busy");
    });
    this.pendingMore = { generation: generation, done: done };
    return done;
  };

  Search.prototype.nextPage = function (first) {
    var self = this;
    var generation = this.generation;
    return this.fill(this.shown + PAGE_SIZE + 1, first).then(function () {
      if (generation !== self.generation) return;
      var batch = self.results.slice(self.shown, self.shown + PAGE_SIZE);
      self.shown += batch.length;
      var hadFocus = document.activeElement === self.moreButton;
      self.moreButton.hidden = self.shown >= self.results.length && !self.tiers.length;
      // The last page shown: the focus goes from the gone button to the last result.
      if (hadFocus && self.moreButton.hidden) {
        var links = self.list.querySelectorAll(".maillage-search__link");
        (links[links.length - 1] || self.input).focus();
      }
      return Promise.all(batch.map(function (item) { return item.result.data(); })).then(function (pages) {
        if (generation !== self.generation) return;
        var items = batch.map(function (item, i) { return { item: item, page: pages[i] }; });
        // The last tier (pages that are not services): organisations before the others.
        items.sort(function (a, b) {
          if (a.item.group !== b.item.group || !a.item.sort) return 0;
          return kindRank(a.page.url) - kindRank(b.page.url);
        });
        items.forEach(function (entry) {
          var group = entry.item.group === "js.search.groupOther" && kindRank(entry.page.url) === 0
            ? N_("js.search.groupOrganisations") : entry.item.group;
          if (group !== self.lastGroup) {
            self.lastGroup = group;
            self.list.appendChild(el("li", { "class": "maillage-search__group", "data-group": group }, [
              el("h2", { "class": "maillage-search__group-name", text: t(group) })
            ]));
          }
          self.list.appendChild(self.renderResult(entry.page, group));
        });
      });
    });
  };

  /* Organisation pages before territory, need and other pages. */
  function kindRank(url) {
    return /\/organisations\/[^/]+\/?$/.test(url || "") ? 0 : 1;
  }

  Search.prototype.renderResult = function (page, group) {
    var meta = page.meta || {};
    var url = page.url;
    var title = el("h3", { "class": "maillage-search__title", text: clean(meta.title) || url });
    if (meta.url) {
      /* A national directory's service or organisation without a page in this language
       * (docs/national-scale.md): its French page, said so. */
      url = this.base.pathname + meta.url;
      title.setAttribute("lang", meta.lang || "fr");
      title.appendChild(el("small", { "class": "maillage-french-only", lang: document.documentElement.lang || "",
        text: " (" + t("js.page.french_only") + ")" }));
    }
    var link = el("a", { href: url, "class": "maillage-search__link" }, [title]);
    if (meta.url) link.setAttribute("hreflang", meta.lang || "fr");
    // A service in one line: organisation · area · for whom.
    var details = [meta.organisation, meta.territory].map(clean).filter(Boolean);
    if (details.length || meta.for_whom) {
      var line = el("p", { "class": "maillage-search__org" }, [document.createTextNode(details.join(" · "))]);
      if (meta.for_whom) {
        if (details.length) line.appendChild(document.createTextNode(" · "));
        line.appendChild(el("strong", { text: t("js.search.forWhom") + " " }));
        line.appendChild(document.createTextNode(clean(meta.for_whom)));
      }
      link.appendChild(line);
    } else if (page.excerpt) {
      link.appendChild(el("p", { "class": "maillage-search__excerpt" }, [safeExcerpt(page.excerpt.replace(/¶/g, ""))]));
    }
    // A service's star (« Ma sélection »): selection.js names it and makes it work.
    var service = /\/services\/([^/]+)\/?$/.exec(url || "");
    var star = null;
    if (service) {
      star = el("button", { type: "button", "class": "maillage-star", "data-maillage-star": decodeURIComponent(service[1]),
        "data-maillage-name": clean(meta.title) || url, hidden: "" });
      loadSelection();
    }
    var item = el("li", { "class": "maillage-search__result", "data-url": url, "data-group": group || "" }, [link, star]);
    showHours(item, meta);
    return item;
  };

  /* A service's hours and current alerts (issue 22): hours.js decides them from the
   * visitor's clock; it is loaded when the first result that has either is shown. */
  function showHours(item, meta) {
    if (!meta.hours && !meta.alerts) return;
    if (meta.alerts) {
      item.insertBefore(el("div", { "class": "maillage-alerts", "data-maillage-alerts": meta.alerts, hidden: "" }), item.firstChild);
    }
    if (meta.hours) {
      item.appendChild(el("p", { "class": "maillage-search__hours", "data-maillage-hours": meta.hours,
        "data-maillage-country": meta.country || "fr", hidden: "" }));
    }
    if (window.MaillageHours) { window.MaillageHours.render(item); return; }
    if (!document.querySelector('script[src$="assets/maillage/hours.js"]')) {
      var script = document.createElement("script");
      script.src = new URL("assets/maillage/hours.js", siteBase()).href;
      document.head.appendChild(script);  // renders every hours element of the page on load
    }
  }

  /* share.js and selection.js (the stars), once, when the first service is shown: a page
   * that has them already (service pages, orientation, selection) is left as it is. */
  var selectionAsked = false;

  function loadSelection() {
    if (selectionAsked || window.MaillageSelection || document.querySelector('script[src$="assets/maillage/selection.js"]')) return;
    selectionAsked = true;
    var share = document.createElement("script");
    share.src = new URL("assets/maillage/share.js", siteBase()).href;
    share.onload = function () {
      var selection = document.createElement("script");
      selection.src = new URL("assets/maillage/selection.js", siteBase()).href;
      document.head.appendChild(selection);
    };
    document.head.appendChild(share);
  }

  /*
   * counts: facet -> value -> number of results. Pagefind only counts the facets whose data
   * it has loaded; while the filters are closed, only the facets in use are shown.
   */
  Search.prototype.renderFacets = function (counts) {
    var self = this;
    var box = this.facetsBox;
    // Redrawn after each change: the control that had the focus gets it back (RGAA 12.8).
    var focus = this.facetFocus(box);
    box.replaceChildren();
    if (!counts) { box.hidden = true; this.restoreFocus(box, focus); return; }
    box.hidden = false;
    var any = false;
    FACETS.forEach(function (facet) {
      if (!self.facetsShown && !self.used[facet]) return;
      var values = Object.assign({}, counts[facet] || {});
      (self.selected[facet] || []).forEach(function (value) {
        if (!(value in values)) values[value] = 0;
      });
      var names = Object.keys(values).filter(function (value) {
        return values[value] > 0 || (self.selected[facet] || []).indexOf(value) >= 0;
      });
      if (!names.length) return;
      any = true;
      names.sort(facet === "age" ? function (a, b) {
        return AGE_ORDER.indexOf(a) - AGE_ORDER.indexOf(b);
      } : function (a, b) { return values[b] - values[a] || a.localeCompare(b, "fr"); });
      var chosen = (self.selected[facet] || []).length;
      var summary = el("summary", { "class": "maillage-search__facet-name", id: "maillage-search-facet-" + facet }, [
        document.createTextNode(t(FACET_NAMES[facet]) || facet),
        chosen ? el("span", { "class": "maillage-search__chosen", text: " (" + chosen + ")" }) : null
      ]);
      var list = el("ul", { "class": "maillage-search__values" });
      var depth = {};
      if (facet === "territory") names = self.territoryTree(names, depth);
      names.forEach(function (value) {
        var checked = (self.selected[facet] || []).indexOf(value) >= 0;
        var input = el("input", { type: "checkbox", "data-facet": facet, value: value });
        input.checked = checked;
        input.addEventListener("change", function () { self.toggleValue(facet, value, input.checked); });
        list.appendChild(el("li", { "data-depth": String(depth[value] || 0), "data-folded": fold(value) }, [
          el("label", {}, [
            input, document.createTextNode(" " + value + " "),
            el("span", { "class": "maillage-search__count", text: String(values[value]) })
          ])
        ]));
      });
      var parts = [summary];
      if (facet === "territory" && names.length > 8) parts.push(self.territoryFinder(list));
      parts.push(list);
      // A group named by its summary (a <details> is a group without a name otherwise).
      var details = el("details", { "class": "maillage-search__facet", "data-facet": facet,
        "aria-labelledby": "maillage-search-facet-" + facet }, parts);
      if (self.open[facet] || chosen) details.open = true;
      details.addEventListener("toggle", function () { self.open[facet] = details.open; });
      box.appendChild(details);
    });
    if (Object.keys(this.filters()).length) {
      var clear = el("button", { type: "button", "class": "md-button maillage-search__clear", text: t("js.search.clear") });
      clear.addEventListener("click", function () { self.selected = {}; self.changed = { part: "clear" }; self.run(); });
      box.appendChild(clear);
    }
    if (!any) box.hidden = true;
    this.restoreFocus(box, focus);
  };

  /* What has the focus among the filters (or was just changed): {facet, value, part}. */
  Search.prototype.facetFocus = function (box) {
    var active = document.activeElement;
    var pending = this.changed;
    this.changed = null;
    if (!active || active === document.body) return pending;
    if (!box.contains(active)) return null;
    var group = active.closest("[data-facet]");
    var facet = group && group.getAttribute("data-facet");
    if (active.matches("input[type=checkbox]")) return { facet: facet, value: active.value };
    if (active.matches(".maillage-search__finder")) return { facet: facet, part: "finder" };
    if (active.matches("summary")) return { facet: facet, part: "summary" };
    return { part: "clear" };
  };

  /* The same control in the redrawn filters, else its group's summary, else the toggle. */
  Search.prototype.restoreFocus = function (box, focus) {
    if (!focus) return;
    var target = null;
    var group = focus.facet && box.querySelector("details[data-facet='" + focus.facet + "']");
    if (group && focus.value !== undefined) {
      target = Array.prototype.filter.call(group.querySelectorAll("input[type=checkbox]"), function (input) {
        return input.value === focus.value;
      })[0];
    } else if (group && focus.part === "finder") {
      target = group.querySelector(".maillage-search__finder");
    }
    if (!target && group) target = group.querySelector("summary");
    if (!target && focus.part === "clear") target = box.querySelector(".maillage-search__clear");
    if (!target || target.getClientRects().length === 0) target = this.facetsToggle || this.input;
    if (target && document.activeElement !== target) target.focus();
  };

  /*
   * The territory facet as a hierarchy: country › region › département or province, each
   * under the one it lies in (reading-<lang>.json's names and parents); `depth` gets each
   * value's depth. Values the reading data does not know stay at the end, as they came.
   */
  Search.prototype.territoryTree = function (values, depth) {
    var data = this.readingData;
    if (!data) return values;
    var byName = {};
    Object.keys(data.names).forEach(function (code) { byName[data.names[code]] = code; });
    function path(code) {
      var out = [], seen = {};
      while (code && !seen[code]) {
        seen[code] = true;
        out.unshift(data.names[code] || code);
        code = data.parents[code];
      }
      return out;
    }
    var known = values.filter(function (v) { return byName[v]; });
    var paths = {};
    known.forEach(function (v) { paths[v] = path(byName[v]); depth[v] = paths[v].length - 1; });
    known.sort(function (a, b) {
      var pa = paths[a], pb = paths[b];
      for (var i = 0; i < Math.min(pa.length, pb.length); i++) {
        var c = pa[i].localeCompare(pb[i], pageLang());
        if (c) return c;
      }
      return pa.length - pb.length;
    });
    return known.concat(values.filter(function (v) { return !byName[v]; }));
  };

  /* A field that shows only the territories whose name holds what is typed. */
  Search.prototype.territoryFinder = function (list) {
    var self = this;
    var input = el("input", { type: "search", "class": "maillage-search__finder", "aria-label": t("js.search.findTerritory"),
      placeholder: t("js.search.findTerritory"), autocomplete: "off" });
    input.value = this.territoryTyped || "";
    function apply() {
      var typed = fold(input.value);
      self.territoryTyped = input.value;
      list.querySelectorAll("li").forEach(function (item) {
        var checked = item.querySelector("input").checked;
        item.hidden = !!typed && !checked && item.getAttribute("data-folded").indexOf(typed) < 0;
      });
    }
    input.addEventListener("input", apply);
    setTimeout(apply, 0);
    return input;
  };

  Search.prototype.toggleValue = function (facet, value, on) {
    this.changed = { facet: facet, value: value };
    var values = (this.selected[facet] || []).filter(function (v) { return v !== value; });
    if (on) values.push(value);
    this.selected[facet] = values;
    this.open[facet] = true;
    this.used[facet] = true;
    this.run();
  };

  function start() {
    var root = document.querySelector("[data-maillage-search]");
    if (root && !root.maillageSearch) root.maillageSearch = new Search(root);
  }

  // Material's instant navigation swaps the page without a reload: start again each time.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
