/* Sort and filter the data tables of the clusterdata catalogue. No dependencies, no network.
 *
 * Filter: every whitespace-separated word typed must occur somewhere in the row (case- and
 * accent-insensitive), and the "Showing N of M rows" counter follows.
 * Sort: click a column heading; numbers sort as numbers, text in Swedish collation (å ä ö last),
 * empty cells last; click again to reverse.
 */
(function () {
  "use strict";

  var collator = new Intl.Collator(document.documentElement.lang || "sv", {
    numeric: true, sensitivity: "base"
  });

  function fold(text) {
    return text.toLocaleLowerCase("sv").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function updateCount(table) {
    var counter = document.getElementById("count-" + table.id);
    if (!counter) { return; }
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) { if (!rows[i].hidden) { shown++; } }
    counter.textContent = counter.dataset.showing + " " + shown + " " + counter.dataset.of +
      " " + rows.length + " " + counter.dataset.rows;
    table.dataset.visibleRows = String(shown);
  }

  function applyFilter(input) {
    var table = document.getElementById(input.dataset.table);
    if (!table) { return; }
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.dataset.text === undefined) { row.dataset.text = fold(row.textContent); }
      var text = row.dataset.text;
      row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
    }
    updateCount(table);
  }

  function sortBy(table, index, numeric) {
    var header = table.tHead.rows[0].cells[index];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var cells = table.tHead.rows[0].cells;
    for (var i = 0; i < cells.length; i++) { cells[i].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index] ? a.cells[index].textContent.trim() : "";
      var y = b.cells[index] ? b.cells[index].textContent.trim() : "";
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var order = numeric && !isNaN(Number(x)) && !isNaN(Number(y)) ?
        Number(x) - Number(y) : collator.compare(x, y);
      return ascending ? order : -order;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }

  function init() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      var cells = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(cells, function (cell, index) {
        var button = cell.querySelector("button");
        if (!button) { return; }
        button.title = (table.dataset.sortLabel || "Sort by") + " " + button.textContent;
        button.addEventListener("click", function () {
          sortBy(table, index, cell.dataset.type === "number");
        });
      });
      updateCount(table);
    });
    var inputs = document.querySelectorAll("input.table-filter");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () { applyFilter(input); });
      if (input.value) { applyFilter(input); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
