// Sortable tables for Maillage pages: a table with class "maillage-sortable" gets a
// button in each header cell; a click sorts the rows by that column (again: reverse).
// A cell's data-sort attribute, when present, is the value sorted on (numbers as numbers).
// The buttons' tooltip is a word of the page's language, from the site's
// assets/maillage/words/<lang>.json (compiled from the catalogues at each build), fetched
// once when the page has such a table; without it (file://) the buttons have none.
(function () {
  "use strict";

  var buttons = [];

  function siteBase() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function loadWords() {
    var lang = (document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
    return fetch(new URL("assets/maillage/words/" + lang + ".json", siteBase()).href).then(function (response) {
      return response.ok ? response.json() : {};
    }).catch(function () { return {}; });
  }

  function named(words) {
    function t(key) { return words[key] || ""; }
    var title = t("js.sort.button");
    if (title) buttons.forEach(function (button) { button.title = title; });
  }

  function key(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    var number = raw === "" ? NaN : Number(raw);
    return isNaN(number) ? raw.toLocaleLowerCase("fr") : number;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1; // numbers before text (empty or "n/a")
    if (typeof b === "number") return 1;
    return a.localeCompare(b, "fr");
  }

  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, position) {
      return { row: row, key: key(row, index), position: position };
    });
    keyed.sort(function (x, y) {
      // Unknown values ("" or "—") stay at the bottom whichever the direction.
      var xEmpty = x.key === "" || x.key === "—", yEmpty = y.key === "" || y.key === "—";
      if (xEmpty !== yEmpty) return xEmpty ? 1 : -1;
      var order = compare(x.key, y.key);
      if (order === 0) return x.position - y.position; // stable
      return ascending ? order : -order;
    });
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) return;
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(headers, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "maillage-sort";
      while (header.firstChild) button.appendChild(header.firstChild);
      buttons.push(button);
      button.addEventListener("click", function () { sortBy(table, index, header); });
      header.appendChild(button);
    });
  }

  function init() {
    var tables = document.querySelectorAll("table.maillage-sortable");
    Array.prototype.forEach.call(tables, enhance);
    if (tables.length) loadWords().then(named);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
