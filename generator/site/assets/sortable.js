// Sortable tables for Maillage pages: a table with class "maillage-sortable" gets a
// button in each header cell; a click sorts the rows by that column (again: reverse).
// A cell's data-sort attribute, when present, is the value sorted on (numbers as numbers).
(function () {
  "use strict";

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
      button.title = "Trier";
      button.addEventListener("click", function () { sortBy(table, index, header); });
      header.appendChild(button);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.maillage-sortable"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
