// The living review's one script: version switcher, study-table filters and sorting,
// and narrowing the evidence gap map. Every page works without it.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function versionSwitcher() {
    var select = document.querySelector("[data-version-switcher] select");
    if (!select) return;
    select.addEventListener("change", function () { window.location.href = select.value; });
  }

  // Text as the search compares it: accents and case set aside (the build folds each row's text alike).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function studyTable() {
    var form = document.querySelector("[data-study-filters]");
    var table = document.querySelector("[data-study-table]");
    if (!form || !table) return;
    form.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = document.querySelector("[data-result-count]");
    var none = document.querySelector("[data-no-results]");
    var exporter = document.querySelector("[data-export]");
    var text = form.querySelector("input[type=search]");
    var facets = Array.prototype.slice.call(form.querySelectorAll("[data-facet]")).map(function (facet) {
      var name = facet.getAttribute("data-facet");
      return {name: name, element: facet, attribute: "data-" + name.replace(/_/g, "-"),
              boxes: Array.prototype.slice.call(facet.querySelectorAll("input[type=checkbox]"))};
    });
    // Each row's values per facet, read once.
    var values = rows.map(function (row) {
      var found = {};
      facets.forEach(function (facet) { found[facet.name] = (row.getAttribute(facet.attribute) || "").split(" "); });
      return found;
    });
    var params = new URLSearchParams(window.location.search);
    facets.forEach(function (facet) {
      var wanted = (params.get(facet.name) || "").split(",");
      facet.boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
      if (facet.boxes.some(function (box) { return box.checked; })) facet.element.open = true;
    });
    if (params.get("q")) text.value = params.get("q");

    function chosen() {
      var result = {};
      facets.forEach(function (facet) {
        result[facet.name] = facet.boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      });
      return result;
    }

    function matchesText(row, words) {
      var haystack = row.getAttribute("data-text");
      return words.every(function (word) { return haystack.indexOf(word) !== -1; });
    }

    // A row passes a facet when nothing is ticked there, or one of its values is.
    function passes(index, picked, except) {
      return facets.every(function (facet) {
        var want = picked[facet.name];
        if (facet.name === except || !want.length) return true;
        return values[index][facet.name].some(function (value) { return want.indexOf(value) !== -1; });
      });
    }

    function apply() {
      var words = fold(text.value).split(/\s+/).filter(Boolean);
      var picked = chosen();
      var textual = rows.map(function (row) { return matchesText(row, words); });
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = textual[index] && passes(index, picked, null);
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      // Each value's count: the rows it would show, given the search and every other facet's choice.
      facets.forEach(function (facet) {
        var counts = {};
        rows.forEach(function (row, index) {
          if (!textual[index] || !passes(index, picked, facet.name)) return;
          values[index][facet.name].forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
        });
        facet.boxes.forEach(function (box) {
          var n = counts[box.value] || 0;
          box.parentNode.querySelector("[data-count]").textContent = "(" + n + ")";
          box.parentNode.classList.toggle("empty", n === 0 && !box.checked);
        });
        var ticked = picked[facet.name].length;
        facet.element.querySelector("[data-chosen]").textContent = ticked ? "(" + ticked + " chosen)" : "";
      });
      count.textContent = shown + " of " + rows.length + " studies shown";
      none.hidden = shown !== 0;
      exporter.hidden = shown === 0;
      var next = new URLSearchParams();
      if (text.value.trim()) next.set("q", text.value.trim());
      facets.forEach(function (facet) { if (picked[facet.name].length) next.set(facet.name, picked[facet.name].join(",")); });
      try {
        var query = next.toString();
        window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
      } catch (error) { /* some browsers refuse history changes on file:// pages */ }
    }

    function clear() {
      form.reset();
      window.setTimeout(apply, 0);
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    none.querySelector("[data-clear]").addEventListener("click", clear);
    exports(table, exporter);
    sorting(table, rows);
    apply();
  }

  // "Download the studies shown": the rows a reader sees, in their order, as CSV, RIS or BibTeX, each
  // record exactly as the build wrote it (escaped for its format) into the page's #study-exports.
  function exports(table, exporter) {
    var source = document.getElementById("study-exports");
    if (!source || !exporter) return;
    var data = JSON.parse(source.textContent);
    var kinds = {csv: ["text/csv", "csv"], ris: ["application/x-research-info-systems", "ris"],
                 bib: ["application/x-bibtex", "bib"]};
    Array.prototype.forEach.call(exporter.querySelectorAll("[data-export-format]"), function (button) {
      button.addEventListener("click", function () {
        var format = button.getAttribute("data-export-format");
        var records = Array.prototype.filter.call(table.tBodies[0].rows, function (row) { return !row.hidden; })
          .map(function (row) { return data.studies[row.getAttribute("data-id")][format]; });
        var body = (format === "csv" ? data.csv_header : "") + records.join(format === "bib" ? "\n" : "");
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([body], {type: kinds[format][0] + ";charset=utf-8"}));
        link.download = "studies-selection." + kinds[format][1];
        link.setAttribute("data-export-link", format);
        link.hidden = true;
        document.body.appendChild(link);
        link.click();
        window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    });
  }

  function sorting(table, rows) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      var button = th.querySelector("[data-sort]");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var key = function (row) {
          var cell = row.cells[column];
          return cell.getAttribute("data-sort-value") || cell.textContent.trim();
        };
        rows.sort(function (a, b) {
          // "not yet coded" is not a value: it goes last, whichever way the column is sorted
          var missing = a.cells[column].hasAttribute("data-missing") - b.cells[column].hasAttribute("data-missing");
          if (missing) return missing;
          var x = key(a), y = key(b);
          var order = isNaN(x) || isNaN(y) ? x.localeCompare(y) : Number(x) - Number(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      });
    });
  }

  // The evidence gap map, narrowed to the studies with one value of another field: each cell's count,
  // bubble and link to the study table follow. The page holds the data ([data-gap-map-data]); without scripts,
  // or with "any value" chosen, the map is as the build wrote it.
  function gapMaps() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gap-map]"), function (map) {
      var source = map.querySelector("[data-gap-map-data]");
      var tools = map.querySelector("[data-gap-map-tools]");
      if (!source || !tools) return;
      var data = JSON.parse(source.textContent);
      var select = tools.querySelector("[data-gap-map-segment]");
      var status = tools.querySelector("[data-gap-map-status]");
      var cells = Array.prototype.slice.call(map.querySelectorAll("[data-cell-index]"));
      tools.hidden = false;

      function apply() {
        var query = select.value;
        var segment = query ? data.segments[query] : null;
        var chosen = {};
        if (segment) segment.studies.forEach(function (index) { chosen[index] = true; });
        var shown = {};
        cells.forEach(function (cell) {
          var studies = data.cells[Number(cell.getAttribute("data-cell-index"))];
          var kept = segment ? studies.filter(function (index) { return chosen[index]; }) : studies;
          kept.forEach(function (index) { shown[index] = true; });
          var n = kept.length;
          var link = cell.querySelector("a");
          cell.querySelector("[data-zero]").hidden = n !== 0;
          if (!link) return;
          link.hidden = n === 0;
          link.querySelector("[data-n]").textContent = String(n);
          link.querySelector(".bubble").style.setProperty("--bubble", n ? Math.sqrt(n / data.largest).toFixed(3) : "0");
          link.setAttribute("aria-label", n + (n === 1 ? " study: " : " studies: ") + cell.getAttribute("data-where"));
          var base = link.getAttribute("data-href");
          if (base) link.setAttribute("href", base + (query ? "&" + query : ""));
        });
        if (!segment) {
          status.textContent = "";
          return;
        }
        var option = select.options[select.selectedIndex];
        var count = Object.keys(shown).length;
        status.textContent = "Showing the " + count + (count === 1 ? " study" : " studies") + " on the map with "
          + option.getAttribute("data-label") + "." + (segment.uncoded ? " " + segment.uncoded
          + (segment.uncoded === 1 ? " study on the map is" : " studies on the map are") + " not yet coded for "
          + option.parentNode.label + "." : "");
      }

      select.addEventListener("change", apply);
      apply();  // a choice the browser kept from before (back button) applies at once
    });
  }

  // A table wider than the screen scrolls sideways inside its .table-scroll box. Keyboard users can only
  // scroll a box they can focus, so while it scrolls it joins the tab order, named by its table's caption.
  function scrollableTables() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".table-scroll"));
    if (!boxes.length) return;
    function update() {
      boxes.forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", (caption && caption.textContent.trim()) || "Table");
          box.setAttribute("data-scroll-focus", "");
        } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
          ["tabindex", "role", "aria-label", "data-scroll-focus"].forEach(function (name) { box.removeAttribute(name); });
        }
      });
    }
    update();
    window.addEventListener("resize", update);
    document.addEventListener("input", update);  // filtering the study table changes its width
    document.addEventListener("change", update);
  }

  onReady(function () { versionSwitcher(); studyTable(); gapMaps(); scrollableTables(); });
})();
