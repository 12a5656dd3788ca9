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
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var FACETS = ["need", "function", "territory", "age", "housing", "language", "self_referral"];
  // Each facet's name, by its key (N_ marks a key for Babel's extraction, as in Python).
  var FACET_NAMES = {
    need: N_("js.search.need"), "function": N_("js.search.function"), territory: N_("js.search.territory"),
    age: N_("js.search.age"), housing: N_("js.search.housing"), language: N_("js.search.language"),
    self_referral: N_("js.search.self_referral")
  };
  var AGE_ORDER = ["0-17", "18-24", "25-59", "60+"];

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

  /* The word `key` of the page's language, "{n}" filled with `n`. */
  function t(key, n) {
    var own = loaded[pageLang()] || {};
    var text = own[key] || written[key];
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
    this.used = {};  // facet -> checked at some point: its data is loaded, so it stays shown
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
   * language. Each is loaded as a Pagefind of its own (its own pagefind.js), and Shards
   * searches them all as one.
   */
  Search.prototype.withShards = function (pagefind, bundle) {
    var self = this;
    var lang = (document.documentElement.lang || "").toLowerCase();
    return fetch(new URL("maillage-shards.json", bundle).href).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (shards) {
      var paths = shards[lang] || shards[lang.slice(0, 2)] || [];
      return Promise.all(paths.map(function (path) {
        return import(new URL("pagefind.js", new URL(path, bundle)).href).then(function (shard) {
          return shard.options({ baseUrl: self.base.pathname, excerptLength: 24 }).then(function () { return shard; });
        });
      }));
    }).then(function (more) { return new Shards([pagefind].concat(more)); });
  };

  /*
   * One search over several Pagefind indexes: results merged by score and facet counts
   * added, as Pagefind's own mergeIndex does, with one difference that makes it by hand.
   * Pagefind ignores a query word its index does not know, so a shard without "bruxelles"
   * would answer "case management bruxelles" with every case-management page it has. Here
   * a shard's results count only if it knows every word that some shard knows: the
   * results are those of one index over the whole site.
   */
  function Shards(instances) {
    this.instances = instances;
  }

  Shards.prototype.filters = function () {
    return Promise.all(this.instances.map(function (p) { return p.filters(); })).then(function (all) {
      return addCounts(all, all.map(function () { return true; }));
    });
  };

  Shards.prototype.search = function (query, options) {
    var instances = this.instances;
    if (instances.length === 1) return instances[0].search(query, options);
    var words = query ? query.split(/\s+/).filter(Boolean) : [];
    var known = words.length < 2 ? Promise.resolve(null) : Promise.all(instances.map(function (p) {
      return Promise.all(words.map(function (word) {
        return p.search(word).then(function (found) { return found.results.length > 0; });
      }));
    }));
    return known.then(function (table) {
      var counts = instances.map(function (_, i) {
        return !table || words.every(function (_, w) {
          return table[i][w] || !table.some(function (row) { return row[w]; });
        });
      });
      return Promise.all(instances.map(function (p) { return p.search(query, options); })).then(function (all) {
        var results = [];
        all.forEach(function (found, i) { if (counts[i]) results = results.concat(found.results); });
        results.sort(function (a, b) { return b.score - a.score; });
        return { results: results, filters: addCounts(all.map(function (f) { return f.filters; }), counts) };
      });
    });
  };

  /* Facet counts of several indexes added up (an index that does not count adds zeros). */
  function addCounts(all, counts) {
    var total = {};
    all.forEach(function (filters, i) {
      Object.keys(filters || {}).forEach(function (facet) {
        var values = total[facet] || (total[facet] = {});
        Object.keys(filters[facet]).forEach(function (value) {
          values[value] = (values[value] || 0) + (counts[i] ? filters[facet][value] : 0);
        });
      });
    });
    return total;
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
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.run(); }, 180);
    });
    this.input.addEventListener("focus", function () {
      self.setOpen(true);
      self.load().catch(function () { /* reported on search */ });
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      self.run();
    });
    this.form.addEventListener("reset", function () {
      self.selected = {};
      setTimeout(function () { self.run(); self.setOpen(false); }, 0);
    });
    this.moreButton.addEventListener("click", function () { self.showMore(); });
    if (this.toggle) {
      this.toggle.addEventListener("change", function () {
        if (self.toggle.checked) {
          self.input.focus();
          if (!self.results.length) self.run();
        }
      });
    }
    document.addEventListener("keydown", function (event) {
      var open = self.toggle && self.toggle.checked;
      if (event.key === "Escape" && open) {
        self.setOpen(false);
        self.input.blur();
      } else if (!open && (event.key === "/" || event.key === "s") && !event.ctrlKey && !event.metaKey &&
                 !/^(INPUT|TEXTAREA|SELECT)$/.test((document.activeElement || {}).tagName || "")) {
        event.preventDefault();
        self.setOpen(true);
        self.input.focus();
      }
    });
  };

  Search.prototype.setOpen = function (open) {
    if (this.toggle && this.toggle.checked !== open) {
      this.toggle.checked = open;
    }
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

  Search.prototype.run = function () {
    var self = this;
    var query = this.input.value.trim();
    var generation = ++this.generation;
    var filters = this.filters();
    var hasFilters = Object.keys(filters).length > 0;
    this.writeAddress(query);
    this.renderToggle();
    if (!query && !hasFilters) {
      this.results = [];
      this.renderStatus(t("js.search.start"));
      this.list.replaceChildren();
      this.moreButton.hidden = true;
      this.renderFacets(null);
      if (!this.facetsShown) return Promise.resolve();
      // Nothing asked yet, filters open: each value with its number of pages on the site.
      this.root.setAttribute("aria-busy", "true");
      return this.loadFilters().then(function (totals) {
        if (generation === self.generation) self.renderFacets(totals);
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
    return ready.then(function (pagefind) {
      return pagefind.search(query || null, { filters: filters }).then(function (found) {
        if (found.results.length || !query || relaxed(query) === query) return [found, null];
        var loose = relaxed(query);
        return pagefind.search(loose, { filters: filters }).then(function (again) { return [again, loose]; });
      });
    }).then(function (pair) {
      if (generation !== self.generation) return;
      var found = pair[0];
      self.results = found.results;
      self.shown = 0;
      self.list.replaceChildren();
      var n = found.results.length;
      // n is given to all three: without the words file, the count is at least its number.
      var count = n === 0 ? t("js.search.results0", n) : n === 1 ? t("js.search.results1", n) : t("js.search.resultsN", n);
      var approx = pair[1] && t("js.search.approx");
      self.renderStatus(approx ? count + " — " + approx.replace("{q}", pair[1]) : count);
      self.renderFacets(found.filters);
      return self.showMore();
    }).catch(function (error) {
      if (generation !== self.generation) return;
      self.renderStatus(unavailable());
      if (window.console) console.error(error);
    }).finally(function () {
      if (generation === self.generation) self.root.removeAttribute("aria-busy");
    });
  };

  Search.prototype.renderStatus = function (text) {
    this.status.textContent = text;
  };

  Search.prototype.showMore = function () {
    var self = this;
    var batch = this.results.slice(this.shown, this.shown + PAGE_SIZE);
    this.shown += batch.length;
    this.moreButton.hidden = this.shown >= this.results.length;
    var generation = this.generation;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      if (generation !== self.generation) return;
      pages.forEach(function (page) { self.list.appendChild(self.renderResult(page)); });
    });
  };

  Search.prototype.renderResult = function (page) {
    var meta = page.meta || {};
    var url = page.url;
    var link = el("a", { href: url, "class": "maillage-search__link" }, [
      el("h3", { "class": "maillage-search__title", text: meta.title || url })
    ]);
    var details = [meta.organisation, meta.territory].filter(Boolean).join(" · ");
    if (details) link.appendChild(el("p", { "class": "maillage-search__org", text: details }));
    if (meta.for_whom) {
      link.appendChild(el("p", { "class": "maillage-search__for" }, [
        el("strong", { text: t("js.search.forWhom") + " " }), document.createTextNode(meta.for_whom)
      ]));
    } else if (page.excerpt) {
      link.appendChild(el("p", { "class": "maillage-search__excerpt" }, [safeExcerpt(page.excerpt)]));
    }
    return el("li", { "class": "maillage-search__result", "data-url": url }, [link]);
  };

  /*
   * counts: facet -> value -> number of results. Pagefind only counts the facets whose data
   * it has loaded; while the filters are closed, only the facets in use are shown.
   */
  Search.prototype.renderFacets = function (counts) {
    var self = this;
    var box = this.facetsBox;
    box.replaceChildren();
    if (!counts) { box.hidden = true; return; }
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
      var summary = el("summary", { "class": "maillage-search__facet-name" }, [
        document.createTextNode(t(FACET_NAMES[facet]) || facet),
        chosen ? el("span", { "class": "maillage-search__chosen", text: " (" + chosen + ")" }) : null
      ]);
      var list = el("ul", { "class": "maillage-search__values" });
      names.forEach(function (value) {
        var checked = (self.selected[facet] || []).indexOf(value) >= 0;
        var input = el("input", { type: "checkbox", "data-facet": facet, value: value });
        input.checked = checked;
        input.addEventListener("change", function () { self.toggleValue(facet, value, input.checked); });
        list.appendChild(el("li", {}, [el("label", {}, [
          input, document.createTextNode(" " + value + " "),
          el("span", { "class": "maillage-search__count", text: String(values[value]) })
        ])]));
      });
      var details = el("details", { "class": "maillage-search__facet", "data-facet": facet }, [summary, list]);
      if (self.open[facet] || chosen) details.open = true;
      details.addEventListener("toggle", function () { self.open[facet] = details.open; });
      box.appendChild(details);
    });
    if (Object.keys(this.filters()).length) {
      var clear = el("button", { type: "button", "class": "md-button maillage-search__clear", text: t("js.search.clear") });
      clear.addEventListener("click", function () { self.selected = {}; self.run(); });
      box.appendChild(clear);
    }
    if (!any) box.hidden = true;
  };

  Search.prototype.toggleValue = function (facet, value, on) {
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
