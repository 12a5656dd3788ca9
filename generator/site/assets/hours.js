/*
 * Maillage hours and alerts, decided in the visitor's browser from the visitor's clock.
 * Owned by generator/site/hours.py (which copies this file and the opening_hours library).
 *
 * A site is built once and read for weeks: whether a service is open now, and which of its
 * dated alerts are current, cannot be written at build time. This module reads them when
 * the page is shown:
 *
 * - [data-maillage-hours="<OSM opening_hours>"] elements get "Ouvert maintenant · ferme à
 *   17 h" or "Fermé · ouvre lundi à 9 h" (the npm opening_hours library, loaded on demand
 *   from assets/maillage/hours/opening_hours.js: 1.2 MB, fetched only by a page that has
 *   hours to read). Public holidays are those of the element's data-maillage-country.
 * - [data-maillage-alerts='[{"kind","from","until","text"}]'] elements get one banner per
 *   alert that is current today (from <= today <= until), or that starts within
 *   UPCOMING_DAYS ("À partir du 1er juillet"); an alert that has ended shows nothing.
 *
 * The words are the js.hours.* keys of assets/maillage/words/<lang>.json. search.js and
 * orient.js call MaillageHours.render(container) after drawing results, and
 * MaillageHours.isOpen / closedToday for their "ouvert maintenant" filter and ranking.
 */
(function () {
  "use strict";

  var UPCOMING_DAYS = 15;
  function N_(key) { return key; }
  // The weekdays' names by Date.getDay() (0 = Sunday).
  var DAY_KEYS = [N_("js.hours.day.su"), N_("js.hours.day.mo"), N_("js.hours.day.tu"), N_("js.hours.day.we"),
    N_("js.hours.day.th"), N_("js.hours.day.fr"), N_("js.hours.day.sa")];
  var library = null;  // promise of the opening_hours constructor
  var words = null;  // promise of {key: text}

  var KINDS = {
    closed: N_("js.hours.alert.closed"), moved: N_("js.hours.alert.moved"), full: N_("js.hours.alert.full"),
    changed_hours: N_("js.hours.alert.changed_hours"), info: N_("js.hours.alert.info")
  };

  function base() {
    var config = document.getElementById("__config");
    var path = ".";
    if (config) {
      try { path = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(path.replace(/\/?$/, "/"), location.href);
  }

  function lang() {
    return (document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
  }

  function loadWords() {
    if (!words) {
      words = fetch(new URL("assets/maillage/words/" + lang() + ".json", base()).href).then(function (response) {
        return response.ok ? response.json() : {};
      }).catch(function () { return {}; });
    }
    return words;
  }

  function loadLibrary() {
    if (window.opening_hours) return Promise.resolve(window.opening_hours);
    if (!library) {
      library = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = new URL("assets/maillage/hours/opening_hours.js", base()).href;
        script.onload = function () { window.opening_hours ? resolve(window.opening_hours) : reject(); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return library;
  }

  function fill(text, values) {
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  function say(dict, key, values) { return fill(dict[key] || "", values); }

  /* "17 h", "17 h 30" (fr); "17 uur", "17.30 uur" (nl); "17:00" (en): the catalogue's forms. */
  function clock(dict, date) {
    var minutes = date.getMinutes();
    var mm = (minutes < 10 ? "0" : "") + minutes;
    return say(dict, minutes ? N_("js.hours.time_minutes") : N_("js.hours.time"), { h: date.getHours(), mm: mm });
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  /* When the next change comes: "à 17 h" today, "demain à 9 h", "lundi à 9 h" within a week,
   * else "le 3 août". */
  function when(dict, now, change) {
    var at = clock(dict, change);
    if (sameDay(now, change)) return say(dict, N_("js.hours.at"), { time: at });
    var tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    if (sameDay(tomorrow, change)) return say(dict, N_("js.hours.tomorrow_at"), { time: at });
    var days = (change - now) / 86400000;
    if (days < 7) return say(dict, N_("js.hours.day_at"), { day: dict[DAY_KEYS[change.getDay()]] || "", time: at });
    return say(dict, N_("js.hours.date_at"), { date: firstOfMonth(change.toLocaleDateString(lang(), { day: "numeric", month: "long" })), time: at });
  }

  function evaluator(OH, expression, country) {
    var place = { lat: 0, lon: 0, address: { country_code: country || "fr", state: "" } };
    try { return new OH(expression, place, 0); } catch (e) { return null; }
  }

  /* {open: true|false|null, text} for `expression` at `now`. */
  function status(OH, dict, expression, now, country) {
    var oh = evaluator(OH, expression, country);
    if (!oh) return { open: null, text: "" };
    var open, unknown, change;
    try {
      open = oh.getState(now);
      unknown = oh.getUnknown(now);
      change = oh.getNextChange(now);
    } catch (e) { return { open: null, text: "" }; }
    if (unknown) return { open: null, text: dict[N_("js.hours.unknown")] || "" };
    var head = open ? dict[N_("js.hours.open_now")] : dict[N_("js.hours.closed_now")];
    if (!change) return { open: open, text: open ? (dict[N_("js.hours.always_open")] || head) : head };
    var next = say(dict, open ? N_("js.hours.closes") : N_("js.hours.opens"), { when: when(dict, now, change) });
    return { open: open, text: head + " · " + next };
  }

  /* Whether `expression` opens at all on `now`'s day (a service closed today ranks lower). */
  function closedToday(OH, expression, now, country) {
    var oh = evaluator(OH, expression, country);
    if (!oh) return false;
    var start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    var end = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
    // Open or unknown at any time of the day is not "closed today" (getOpenIntervals lists both),
    // as closed_all_day in generator/registry/hours.py.
    try { return oh.getOpenIntervals(start, end).length === 0; } catch (e) { return false; }
  }

  function isoDay(date) {
    var m = date.getMonth() + 1, d = date.getDate();
    return date.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
  }

  function parseDay(text) {
    var parts = String(text).split("-").map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2]);
  }

  /* The alerts to show on `now`'s day: current ones, and those starting within UPCOMING_DAYS
   * (marked upcoming); each {kind, from, until, text, upcoming}. */
  function currentAlerts(alerts, now) {
    var today = isoDay(now);
    var horizon = isoDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() + UPCOMING_DAYS));
    return (alerts || []).filter(function (a) {
      return a.until >= today && a.from <= horizon;
    }).map(function (a) {
      return { kind: a.kind, from: a.from, until: a.until, text: a.text || "", upcoming: a.from > today };
    });
  }

  /* French writes the first of a month "1er juillet"; the browser writes "1 juillet". */
  function firstOfMonth(text) {
    return /^fr/.test(lang()) ? text.replace(/^1 /, "1er ") : text;
  }

  function longDate(text) {
    return firstOfMonth(parseDay(text).toLocaleDateString(lang(), { day: "numeric", month: "long", year: "numeric" }));
  }

  function alertLine(dict, alert) {
    var kind = dict[KINDS[alert.kind]] || "";
    var dates = alert.upcoming
      ? say(dict, N_("js.hours.alert.from"), { date: longDate(alert.from) })
      : say(dict, N_("js.hours.alert.until"), { date: longDate(alert.until) });
    return kind + " " + dates + (alert.text ? " — " + alert.text : "");
  }

  function renderAlerts(node, dict, now) {
    var alerts;
    try { alerts = JSON.parse(node.getAttribute("data-maillage-alerts")); } catch (e) { return; }
    node.textContent = "";
    currentAlerts(alerts, now).forEach(function (alert) {
      var banner = document.createElement("p");
      banner.className = "maillage-alert maillage-alert--" + alert.kind + (alert.upcoming ? " maillage-alert--upcoming" : "");
      banner.setAttribute("role", "status");
      banner.textContent = alertLine(dict, alert);
      node.appendChild(banner);
    });
    node.hidden = !node.firstChild;
  }

  function renderHours(node, OH, dict, now) {
    var found = status(OH, dict, node.getAttribute("data-maillage-hours"), now, node.getAttribute("data-maillage-country"));
    node.textContent = found.text;
    node.setAttribute("data-maillage-open", found.open === null ? "unknown" : String(found.open));
    node.className = "maillage-open-status maillage-open-status--" + (found.open === null ? "unknown" : found.open ? "open" : "closed");
    node.hidden = !found.text;
    var list = node.closest("[data-maillage-search-results]");
    if (list) searchOpenBox(list, dict);
  }

  /* The search panel's "Ouvert maintenant" box, shown once a result has hours: it hides
   * the results shown that are not open now (Pagefind's index is built once and cannot
   * know the time; results without hours are hidden too). Results drawn later follow it. */
  function searchOpenBox(list, dict) {
    if (list.previousElementSibling && list.previousElementSibling.classList.contains("maillage-open-filter")) return;
    var input = el("input", { type: "checkbox", "data-maillage-open-now": "" });
    var label = el("label", { "class": "maillage-open-filter" });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + (dict[N_("js.hours.open_filter")] || "")));
    function apply() {
      Array.prototype.forEach.call(list.children, function (item) {
        var node = item.querySelector("[data-maillage-hours]");
        item.hidden = input.checked && !(node && node.getAttribute("data-maillage-open") === "true");
      });
    }
    input.addEventListener("change", apply);
    new MutationObserver(function () { if (input.checked) apply(); }).observe(list, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-maillage-open"] });
    list.parentNode.insertBefore(label, list);
  }

  /* Fills every hours and alerts element under `root` (the document by default). */
  function render(root) {
    root = root || document;
    var hours = root.querySelectorAll("[data-maillage-hours]");
    var alerts = root.querySelectorAll("[data-maillage-alerts]");
    if (!hours.length && !alerts.length) return Promise.resolve();
    var now = new Date();
    return loadWords().then(function (dict) {
      alerts.forEach(function (node) { renderAlerts(node, dict, now); });
      if (!hours.length) return null;
      return loadLibrary().then(function (OH) {
        hours.forEach(function (node) { renderHours(node, OH, dict, now); });
      }, function () { /* the library is absent (built without npm ci): no status shown */ });
    });
  }

  /* Promise of whether `expression` is open at `now` (null: unknown or unreadable). */
  function isOpen(expression, now, country) {
    return loadLibrary().then(function (OH) {
      var oh = evaluator(OH, expression, country);
      if (!oh) return null;
      try { return oh.getUnknown(now || new Date()) ? null : oh.getState(now || new Date()); } catch (e) { return null; }
    }, function () { return null; });
  }

  /* The hours and alerts of every service (assets/maillage/hours/<lang>.json, written by
   * generator/site/hours.py; only services that have either), fetched once. */
  var table = null;

  function loadTable() {
    if (!table) {
      table = fetch(new URL("assets/maillage/hours/" + lang() + ".json", base()).href).then(function (response) {
        return response.ok ? response.json() : {};
      }).catch(function () { return {}; });
    }
    return table;
  }

  /* Orientation results (orient.js): each item [data-service] gets its service's hours and
   * current alerts; in each list of matches, the services closed all day today move below
   * the others (a stable move: the matcher's order is kept within each part, the same rule
   * as closed_today_last in generator/analysis/hours_rank.py); an "Ouvert maintenant" box
   * keeps only the services open now. */
  function decorateOrient(box) {
    return Promise.all([loadTable(), loadWords()]).then(function (found) {
      var entries = found[0], dict = found[1];
      var items = box.querySelectorAll("li[data-service]");
      var any = false;
      items.forEach(function (item) {
        var entry = entries[item.getAttribute("data-service")];
        if (!entry) return;
        any = true;
        if (entry.a) {
          item.insertBefore(el("div", { "class": "maillage-alerts", "data-maillage-alerts": JSON.stringify(entry.a), hidden: "" }),
            item.firstChild.nextSibling);
        }
        if (entry.h) {
          var status = el("p", { "class": "maillage-orient-hours", "data-maillage-hours": entry.h, "data-maillage-country": entry.c || "fr", hidden: "" });
          item.insertBefore(status, item.firstChild.nextSibling);
        }
      });
      if (!any) return null;
      return render(box).then(function () {
        var hasHours = box.querySelector("li[data-service] [data-maillage-hours]");
        if (!hasHours) return null;
        return loadLibrary().then(function (OH) {
          var now = new Date();
          box.querySelectorAll("ol.maillage-orient-matches").forEach(function (list) {
            var closed = [];
            Array.prototype.forEach.call(list.children, function (item) {
              var node = item.querySelector("[data-maillage-hours]");
              if (node && closedToday(OH, node.getAttribute("data-maillage-hours"), now, node.getAttribute("data-maillage-country"))) {
                item.setAttribute("data-maillage-closed-today", "");
                closed.push(item);
              }
            });
            closed.forEach(function (item) { list.appendChild(item); });
          });
          openNowBox(box, dict);
        }, function () { return null; });
      });
    });
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  /* "Ouvert maintenant": hides the matches not open now (no hours known: not shown either). */
  function openNowBox(box, dict) {
    var first = box.querySelector("ol.maillage-orient-matches");
    if (!first || box.querySelector(".maillage-open-filter")) return;
    var input = el("input", { type: "checkbox", id: "maillage-open-now" });
    var label = el("label", { "for": "maillage-open-now", "class": "maillage-open-filter" });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + (dict[N_("js.hours.open_filter")] || "")));
    input.addEventListener("change", function () {
      box.querySelectorAll("ol.maillage-orient-matches > li").forEach(function (item) {
        var node = item.querySelector("[data-maillage-hours]");
        item.hidden = input.checked && !(node && node.getAttribute("data-maillage-open") === "true");
      });
    });
    first.parentNode.insertBefore(label, first.previousSibling || first);
  }

  window.MaillageHours = {
    render: render,
    decorateOrient: decorateOrient,
    isOpen: isOpen,
    currentAlerts: currentAlerts,
    closedToday: function (expression, now, country) {
      return loadLibrary().then(function (OH) { return closedToday(OH, expression, now || new Date(), country); },
        function () { return false; });
    },
    UPCOMING_DAYS: UPCOMING_DAYS
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { render(); });
  else render();
})();
