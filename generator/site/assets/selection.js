/* « Ma sélection »: the stars, and the page that lists the starred services.
 *
 * A star is a <button aria-pressed data-maillage-star="ID" data-maillage-name="NAME">:
 * made at build time on service pages and lists (with its words), or by search.js and
 * orient.js in their results (without: its name and label are set here, from the words).
 * Every star of the page, and every one added later (a MutationObserver), works once this
 * script runs. The starred ids are kept in localStorage (KEY), in the order they were
 * starred: nothing leaves the browser. Each press is announced with the new count.
 *
 * The page (#maillage-selection, generator/site/selection_page.py) fetches the records of
 * its services from data-src<k>.json, k = bucketOf(id) (the same FNV-1a as the Python's
 * bucket_of), lists them with share.js's controls, prints them (print CSS: a one-page
 * network list) and downloads them as CSV made here: UTF-8 with a BOM (Excel), CRLF,
 * fields quoted as Python's csv module does, formula-like cells prefixed with ' as
 * generator/exchange/csvsafe.py does.
 *
 * Needs share.js (MaillageShare: the words, the share controls), loaded before it.
 */
(function () {
  "use strict";

  if (window.MaillageSelection) return;  // loaded twice (a page with two lists of services)
  var KEY = "maillage.selection";
  var Share = window.MaillageShare;
  var W = {};  // the words, once arrived

  function say(key, values) {
    var text = W[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* ---- the stored selection ------------------------------------------------------------ */

  function read() {
    try {
      var ids = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return typeof id === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function write(ids) {
    try { localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode: kept for this page only */ }
    memory = ids.slice();
  }

  var memory = null;

  function current() {
    var ids = read();
    return ids.length || memory === null ? ids : memory.slice();
  }

  /* Adds or removes `id`; true when it is now in the selection. */
  function toggle(id) {
    var ids = current();
    var at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    else ids.push(id);
    write(ids);
    return at < 0;
  }

  /* ---- the stars ------------------------------------------------------------------------ */

  var region = null;

  function announce(text) {
    if (!region) return;
    region.textContent = text;
  }

  function paint(button, ids) {
    var on = ids.indexOf(button.getAttribute("data-maillage-star")) >= 0;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    var glyph = button.querySelector("[data-maillage-glyph]") || button.querySelector("span[aria-hidden]");
    if (glyph) glyph.textContent = on ? "★" : "☆";
  }

  function stars(scope) {
    var found = [];
    if (scope.matches && scope.matches("[data-maillage-star]")) found.push(scope);
    if (scope.querySelectorAll) found = found.concat(Array.prototype.slice.call(scope.querySelectorAll("[data-maillage-star]")));
    return found;
  }

  function wire(button) {
    if (button.getAttribute("data-maillage-wired")) return;
    // A list's star holds only the id: its name is its row's link.
    var row = button.closest("tr, li");
    var named = row ? row.querySelector("a") : null;
    var name = button.getAttribute("data-maillage-name") || (named ? named.textContent.trim() : "");
    if (!button.getAttribute("aria-label")) {
      if (!W["js.selection.star"]) return;  // no words: no star without a name
      button.setAttribute("aria-label", say("js.selection.star", { name: name }));
      button.textContent = "";
      button.appendChild(el("span", { "aria-hidden": "true", "data-maillage-glyph": "" }, ["☆"]));
      // The words beside the glyph: a narrow screen's lists show the glyph alone (site.css).
      button.appendChild(el("span", { "class": "maillage-star-text" }, [" " + say("js.selection.mark")]));
    }
    if (!button.classList.contains("maillage-star")) button.classList.add("maillage-star");
    button.setAttribute("type", "button");
    button.setAttribute("data-maillage-wired", "1");
    paint(button, current());
    button.hidden = false;
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-maillage-star");
      var added = toggle(id);
      refresh();
      var n = current().length;
      announce(say(added ? "js.selection.added" : "js.selection.removed", { name: name, n: n }));
    });
  }

  function refresh() {
    var ids = current();
    stars(document).forEach(function (button) { if (button.getAttribute("data-maillage-wired")) paint(button, ids); });
    return page ? page.render() : Promise.resolve();
  }

  function start() {
    var root = document.getElementById("maillage-selection");
    region = el("p", { "class": "maillage-selection-announce", role: "status" });
    document.body.appendChild(region);
    Share.words().then(function (found) {
      W = found || {};
      stars(document).forEach(wire);
      if (root) {
        page = new SelectionPage(root);
        page.render();
      }
      // Stars may come later (search and orientation results): watched for.
      if (window.MutationObserver) {
        new MutationObserver(function (changes) {
          changes.forEach(function (change) {
            Array.prototype.forEach.call(change.addedNodes, function (node) {
              if (node.nodeType === 1) stars(node).forEach(wire);
            });
          });
        }).observe(document.body, { childList: true, subtree: true });
      }
    });
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) refresh();
    });
  }

  /* ---- the page --------------------------------------------------------------------------- */

  var page = null;

  /* FNV-1a of the id's UTF-16 code units, as selection_page.bucket_of. */
  function bucketOf(id, buckets) {
    var h = 0x811c9dc5;
    for (var i = 0; i < id.length; i++) {
      h ^= id.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % buckets;
  }

  function SelectionPage(root) {
    this.root = root;
    this.src = root.getAttribute("data-src");
    this.site = root.getAttribute("data-site") || "./";
    this.buckets = Number(root.getAttribute("data-buckets")) || 1;
    this.files = {};  // bucket -> promise of {id: record}
    this.count = root.querySelector(".maillage-selection-count");
    this.list = root.querySelector(".maillage-selection-list");
    this.actions = root.querySelector(".maillage-selection-actions");
    this.date = root.querySelector(".maillage-selection-date");
    this.records = {};
    var self = this;
    root.querySelector("[data-action=print]").addEventListener("click", function () { window.print(); });
    root.querySelector("[data-action=csv]").addEventListener("click", function () { self.download(); });
    root.querySelector("[data-action=clear]").addEventListener("click", function () {
      var n = current().length;
      if (!n || !window.confirm(say("js.selection.confirm_clear", { n: n }))) return;
      write([]);
      refresh().then(function () { self.count.focus(); });
      announce(say("js.selection.cleared"));
    });
    this.count.setAttribute("tabindex", "-1");
    var lang = document.documentElement.lang || "fr";
    var day = new Date().toLocaleDateString(lang, { day: "numeric", month: "long", year: "numeric" });
    if (/^fr/.test(lang)) day = day.replace(/^1 /, "1er ");  /* "1er juillet" */
    this.date.textContent = say("js.selection.printed", { date: day });
  }

  SelectionPage.prototype.load = function (ids) {
    var self = this;
    var wanted = {};
    ids.forEach(function (id) { wanted[bucketOf(id, self.buckets)] = true; });
    return Promise.all(Object.keys(wanted).map(function (k) {
      if (!self.files[k]) {
        self.files[k] = fetch(self.src + k + ".json").then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        });
        self.files[k].catch(function () { delete self.files[k]; });
      }
      return self.files[k];
    })).then(function (chunks) {
      chunks.forEach(function (chunk) { Object.keys(chunk).forEach(function (id) { self.records[id] = chunk[id]; }); });
    });
  };

  SelectionPage.prototype.render = function () {
    var self = this;
    var ids = current();
    this.count.textContent = say("js.selection.count", { n: ids.length });
    this.actions.hidden = !ids.length;
    if (!ids.length) {
      this.list.textContent = "";
      this.list.appendChild(el("li", { "class": "maillage-selection-empty" }, [say("js.selection.empty")]));
      return Promise.resolve();
    }
    return this.load(ids).then(function () {
      self.list.textContent = "";
      ids.forEach(function (id, i) { self.list.appendChild(self.item(id, ids[i + 1])); });
    }, function () {
      self.list.textContent = "";
      var message = location.protocol === "file:" ? "js.selection.file_protocol" : "js.selection.load_failed";
      self.list.appendChild(el("li", { "class": "maillage-selection-empty" }, [say(message)]));
    });
  };

  function contactNode(contact) {
    var kind = contact[0], value = contact[1];
    var target = kind === "phone" ? "tel:" + value.replace(/[^0-9+]/g, "") : kind === "email" ? "mailto:" + value : value;
    var shown = kind === "web" ? value.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "") : value;
    var attrs = { href: target, "class": "maillage-selection-" + kind };
    if (kind === "web") attrs.rel = "noopener";
    var notes = [];
    if (contact[2]) notes.push(contact[2]);
    if (contact[3]) notes.push(say("js.orient.pro_contact"));
    return [kind === "phone" ? "☎ " : "", el("a", attrs, [shown]), notes.length ? " (" + notes.join(", ") + ")" : ""];
  }

  SelectionPage.prototype.item = function (id, nextId) {
    var self = this;
    var r = this.records[id];
    var name = r ? r.name : id;
    var remove = el("button", { type: "button", "class": "maillage-selection-remove", "data-action": "remove",
      "aria-label": say("js.selection.remove_name", { name: name }) }, [say("js.selection.remove")]);
    remove.addEventListener("click", function () {
      toggle(id);
      announce(say("js.selection.removed", { name: name, n: current().length }));
      refresh().then(function () {
        // The focus goes on to the next service, or to the count when this was the last.
        var item = nextId ? self.list.querySelector('[data-service="' + nextId + '"]') : null;
        var next = item ? item.querySelector("h2 a") || item.querySelector("button") : null;
        (next || self.count).focus();
      });
    });
    if (!r) {
      return el("li", { "class": "maillage-selection-item", "data-service": id }, [
        el("p", {}, [say("js.selection.missing", { id: id })]), el("p", { "class": "maillage-selection-tools" }, [remove])]);
    }
    var parts = [el("h2", {}, [el("a", { href: this.site + r.url }, [r.name])])];
    var org = [r.organisation];
    if (r.status) org.push(" — ", el("strong", {}, [r.status]));
    parts.push(el("p", { "class": "maillage-selection-org" }, org));
    if (r.contacts.length) {
      var line = el("p", { "class": "maillage-selection-contacts" });
      r.contacts.forEach(function (c, i) {
        if (i) line.appendChild(document.createTextNode(" · "));
        contactNode(c).forEach(function (n) { if (n) line.appendChild(typeof n === "string" ? document.createTextNode(n) : n); });
      });
      parts.push(line);
    }
    if (r.address) parts.push(el("p", {}, [say("js.orient.line", { label: say("js.share.address"), value: r.address })]));
    else if (r.area) parts.push(el("p", {}, [say("js.orient.line", { label: say("js.orient.area"), value: r.area })]));
    if (r.how) parts.push(el("p", { "class": "maillage-selection-how" }, [say("js.orient.line", { label: say("js.orient.how"), value: r.how })]));
    parts.push(Share.block(r, W, "maillage-selection-send"));
    parts.push(el("p", { "class": "maillage-selection-tools" }, [remove]));
    return el("li", { "class": "maillage-selection-item", "data-service": id }, parts);
  };

  /* ---- the CSV ---------------------------------------------------------------------------- */

  var BOM = String.fromCharCode(0xfeff);  // Excel reads the file as UTF-8 only with it
  var FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"];
  var PLAIN_DATA = /^[+-]?[0-9][0-9 .()\/-]*$/;

  /* As generator/exchange/csvsafe.py's neutralise: a formula-like cell is prefixed with '. */
  function neutralise(cell) {
    if (FORMULA_STARTS.indexOf(cell.charAt(0)) >= 0 && !PLAIN_DATA.test(cell)) return "'" + cell;
    return cell;
  }

  /* As Python's csv writer (QUOTE_MINIMAL). */
  function field(cell) {
    var value = neutralise(String(cell || ""));
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  SelectionPage.prototype.rows = function () {
    var self = this;
    var head = ["js.selection.service", "js.selection.organisation", "js.orient.phone", "js.orient.email",
      "js.orient.web", "js.share.address", "js.orient.area", "js.orient.how", "js.selection.status",
      "js.selection.page"].map(function (key) { return say(key); });
    var rows = [head];
    current().forEach(function (id) {
      var r = self.records[id];
      if (!r) return;
      function all(kind) {
        return r.contacts.filter(function (c) { return c[0] === kind; }).map(function (c) {
          return c[1] + (c[3] ? " (" + say("js.orient.pro_contact") + ")" : "");
        }).join(" / ");
      }
      rows.push([r.name, r.organisation, all("phone"), all("email"), all("web"), r.address || "", r.area || "",
        r.how || "", r.status || "", new URL(self.site + r.url, location.href).href]);
    });
    return rows;
  };

  SelectionPage.prototype.download = function () {
    var text = BOM + this.rows().map(function (row) { return row.map(field).join(","); }).join("\r\n") + "\r\n";
    var blob = new Blob([text], { type: "text/csv;charset=utf-8" });
    var link = el("a", { href: URL.createObjectURL(blob),
      download: "maillage-selection-" + new Date().toISOString().slice(0, 10) + ".csv" });
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  };

  window.MaillageSelection = { read: current, toggle: toggle, bucketOf: bucketOf, neutralise: neutralise };

  if (!Share) return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
