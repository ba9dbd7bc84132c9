// Search and sort the every-event table in the browser; without scripts the table is simply all there.
(function () {
  document.querySelectorAll("table.events").forEach(function (table) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-search";
    box.placeholder = table.getAttribute("data-search") || "Search";
    box.setAttribute("aria-label", box.placeholder);
    var count = document.createElement("span");
    count.className = "table-count";
    count.setAttribute("aria-live", "polite");
    var bar = document.createElement("div");
    bar.className = "table-tools";
    bar.appendChild(box);
    bar.appendChild(count);
    var wrap = table.closest(".table-scroll") || table;
    wrap.parentNode.insertBefore(bar, wrap);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      count.textContent = words.length ? shown + " / " + rows.length : "";
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        // A date sorts by its machine-readable value (2022-03, 2022-03-12), not by its words.
        var key = function (cell) {
          var time = cell.querySelector("time");
          return time ? time.getAttribute("datetime") : cell.textContent;
        };
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          var nx = parseFloat(x.replace(/,/g, "")), ny = parseFloat(y.replace(/,/g, ""));
          var order = (!isNaN(nx) && !isNaN(ny) && /^[\d,.\s]+$/.test(x + y)) ? nx - ny : x.localeCompare(y);
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
