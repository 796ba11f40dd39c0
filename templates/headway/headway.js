/* headway: filter and sort the decision log and learnings, and open the month list of a
   timeline when a link leads into it. Progressive enhancement: without this script every row
   is still shown, newest first, and the list opens with a click. */
(function () {
  "use strict";
  function setup(root) {
    root.querySelectorAll("[data-hw-filters]").forEach(function (form) {
      var table = form.parentNode.querySelector("table[data-hw-log]");
      if (!table || form.dataset.hwReady) { return; }
      form.dataset.hwReady = "1";
      form.hidden = false;
      var output = form.querySelector("[data-hw-shown]");
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      function apply() {
        var wanted = {};
        form.querySelectorAll("[data-hw-filter]").forEach(function (select) {
          wanted[select.dataset.hwFilter] = select.value;
        });
        var shown = 0;
        rows.forEach(function (row) {
          var ok = Object.keys(wanted).every(function (key) {
            return !wanted[key] || row.dataset[key] === wanted[key];
          });
          row.hidden = !ok;
          if (ok) { shown += 1; }
        });
        if (output) { output.textContent = shown + " of " + rows.length + " shown"; }
      }
      form.addEventListener("change", apply);
      apply();
    });
    root.querySelectorAll("table[data-hw-sortable]").forEach(function (table) {
      if (table.dataset.hwReady) { return; }
      table.dataset.hwReady = "1";
      var heads = table.tHead.rows[0].cells;
      Array.prototype.forEach.call(heads, function (th, index) {
        if (!th.dataset.hwSort) { return; }
        // A button inside the header cell: announced as something to press, keyboard included.
        var button = document.createElement("button");
        button.type = "button";
        button.className = "hw-sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        function sort() {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          // A cell's data-value, else its link's text (a title, not the number before it).
          function key(cell) {
            return cell.dataset.value || (cell.querySelector("a") || cell).textContent.trim().toLowerCase();
          }
          rows.sort(function (a, b) {
            var x = key(a.cells[index]);
            var y = key(b.cells[index]);
            return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
          });
          rows.forEach(function (row) { body.appendChild(row); });
        }
        button.addEventListener("click", sort);
      });
    });
  }
  // A timeline dot of several events links to its month in the list below, which is closed.
  function reveal() {
    var id;
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    var details = target && target.closest("details");
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
  if (window.document$ && window.document$.subscribe) {  // Material's instant navigation
    window.document$.subscribe(function () { setup(document); reveal(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); reveal(); });
  } else {
    setup(document);
    reveal();
  }
})();
