// The living review's one script: version switcher, the study table's search, filters and sorting,
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

  // Text as the search compares it: accents and case set aside (each row's text is folded alike).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // A script of the site (data the build wrote), loaded when needed: a <script> works from file:// too.
  function loadScript(src, done, failed) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    script.onerror = failed || null;
    document.head.appendChild(script);
  }

  // The study table. Its first page is in the HTML (and further pages, for readers without scripts, are
  // linked below it); once the page is shown, every study arrives as a compact row (studies/table-data.js):
  // [id, citation, year, title, authors and journal, then per dimension a value's position or a list of them].
  // Search, filters, counts and sorting work on those rows; a page of rows is listed at a time.
  function studyTable() {
    var form = document.querySelector("[data-study-filters]");
    var table = document.querySelector("[data-study-table]");
    if (!form || !table || !table.getAttribute("data-rows")) return;
    loadScript(table.getAttribute("data-rows"), function () {
      if (window.livingreviewTable) enhanceTable(form, table, window.livingreviewTable);
    });
  }

  var FIXED = 5;  // id, citation, year, title, authors and journal: the dimensions follow
  var LIST_FIRST = 20, LIST_MORE = 100, URL_DELAY = 300;

  function enhanceTable(form, table, data) {
    var dims = data.dimensions, rows = data.rows, total = rows.length;
    var body = table.tBodies[0];
    // After each change the table lists the first LIST_FIRST rows shown, whatever its size, so that a keystroke
    // or a click is answered at once (laying out rows is what takes time: listing every row of a 128-study
    // table took a throttled browser longer than listing 20 of 10,000), and LIST_MORE more at each "show more".
    var pageSize = Number(table.getAttribute("data-page-size")) || 200;
    var count = document.querySelector("[data-result-count]");
    var none = document.querySelector("[data-no-results]");
    var exporter = document.querySelector("[data-export]");
    var more = document.querySelector("[data-show-more]");
    var moreButton = more.querySelector("button");
    var pager = document.querySelector("[data-pager]");
    var text = form.querySelector("input[type=search]");
    var positions = {};
    dims.forEach(function (dim, index) {
      positions[dim.key] = index;
      dim.missing = dim.values.indexOf("not-coded");
    });
    var facets = Array.prototype.slice.call(form.querySelectorAll("[data-facet]")).filter(function (element) {
      return positions.hasOwnProperty(element.getAttribute("data-facet"));
    }).map(function (element) {
      var name = element.getAttribute("data-facet"), dim = dims[positions[name]];
      var boxes = Array.prototype.slice.call(element.querySelectorAll("input[type=checkbox]"));
      // Each row's value in this field, as a position in one typed array; a row with several values has -1
      // there and its list in `several`.
      var column = FIXED + positions[name], single = new Int32Array(total), several = [];
      for (var index = 0; index < total; index += 1) {
        var value = rows[index][column];
        if (typeof value === "number") single[index] = value; else { single[index] = -1; several[index] = value; }
      }
      return {name: name, element: element, single: single, several: several,
              want: new Uint8Array(dim.values.length), counts: new Uint32Array(dim.values.length), ticked: 0,
              boxes: boxes, values: boxes.map(function (box) { return dim.values.indexOf(box.value); }),
              labels: boxes.map(function (box) { return box.parentNode.querySelector("[data-count]"); }),
              shown: boxes.map(function () { return -1; }), chosen: element.querySelector("[data-chosen]")};
    });
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var columns = (data.columns || []).map(function (dim, index) {
      return {dim: dims[dim], at: FIXED + dim, label: escapeHtml(headers[3 + index].textContent.trim())};
    });
    var order = rows.map(function (row, index) { return index; });  // the table's order, as last sorted
    var shown = [], listed = 0, markup = [], applied = null, sorted = 0;
    // What the search looks in: title, authors, journal, year and id, folded once.
    var haystacks = rows.map(function (row) { return fold(row[3] + " " + row[4] + " " + row[2] + " " + row[0]); });

    var params = new URLSearchParams(window.location.search);
    facets.forEach(function (facet) {
      var wanted = (params.get(facet.name) || "").split(",");
      facet.boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
      if (facet.boxes.some(function (box) { return box.checked; })) facet.element.open = true;
    });
    if (params.get("q")) text.value = params.get("q");

    function cell(row, column) {
      var value = row[column.at], dim = column.dim;
      var label = typeof value === "number" ? dim.labels[value]
        : value.map(function (v) { return dim.labels[v]; }).join(", ");
      var missing = value === dim.missing ? " class=\"not-coded\" data-missing" : "";
      return "<td data-label=\"" + column.label + "\"" + missing + ">" + escapeHtml(label) + "</td>";
    }

    // One study's row, as the build writes it (every value escaped); each row's markup is made once.
    function rowMarkup(index) {
      if (markup[index] === undefined) {
        var row = rows[index], id = escapeHtml(row[0]);
        markup[index] = "<tr id=\"row-" + id + "\" data-id=\"" + id + "\"><td data-label=\"Study\"><a href=\"" + id
          + ".html\">" + escapeHtml(row[1]) + "</a></td><td data-label=\"Year\">" + escapeHtml(row[2])
          + "</td><td data-label=\"Title\">" + escapeHtml(row[3]) + "</td>"
          + columns.map(function (column) { return cell(row, column); }).join("") + "</tr>";
      }
      return markup[index];
    }

    // List the rows shown up to `upto` (the first page after a change, more on "show more").
    function list(upto) {
      var from = listed;
      listed = Math.min(upto, shown.length);
      var html = "";
      for (var k = from; k < listed; k += 1) html += rowMarkup(shown[k]);
      if (from === 0) body.innerHTML = html; else body.insertAdjacentHTML("beforeend", html);
      var rest = shown.length - listed;
      more.hidden = rest <= 0;
      moreButton.textContent = "Show " + Math.min(rest, LIST_MORE) + " more (" + listed + " of " + shown.length
        + " listed)";
      document.dispatchEvent(new Event("livingreview:rows"));
    }

    function matchesText(haystack, words) {
      for (var w = 0; w < words.length; w += 1) if (haystack.indexOf(words[w]) === -1) return false;
      return true;
    }

    // A row passes a facet when nothing is ticked there, or one of its values is.
    function passes(facet, index) {
      var value = facet.single[index];
      if (value >= 0) return facet.want[value] === 1;
      var values = facet.several[index];
      for (var v = 0; v < values.length; v += 1) if (facet.want[values[v]] === 1) return true;
      return false;
    }

    function tally(facet, index) {
      var value = facet.single[index];
      if (value >= 0) { facet.counts[value] += 1; return; }
      var values = facet.several[index];
      for (var v = 0; v < values.length; v += 1) facet.counts[values[v]] += 1;
    }

    // The rows the search finds, in the table's order. While a reader types on, the words they add narrow
    // what the last search found: only those rows are searched again.
    var searched = {words: [], sorted: -1, found: null};
    function search(words) {
      if (!words.length) return order;
      var narrower = searched.sorted === sorted && searched.words.length && searched.words.every(function (old) {
        return words.some(function (word) { return word.indexOf(old) !== -1; });
      });
      var from = narrower ? searched.found : order, found = [];
      for (var k = 0; k < from.length; k += 1) if (matchesText(haystacks[from[k]], words)) found.push(from[k]);
      searched = {words: words, sorted: sorted, found: found};
      return found;
    }

    var words = [], ticked = [];

    // The rows shown, and the counts of the facets in `counting`. Each value's count is the rows it would
    // show, given the search and every other facet's choice: the rows that pass every facet count for all of
    // them, the rows that fail one facet alone for that one.
    function scan(counting) {
      var found = search(words), passing = [];
      var nticked = ticked.length, ncounting = counting.length, nfound = found.length;
      counting.forEach(function (facet) { facet.counts.fill(0); });
      for (var k = 0; k < nfound; k += 1) {
        var index = found[k];
        var failed = null, fails = 0;
        for (var t = 0; t < nticked; t += 1) {
          if (!passes(ticked[t], index)) {
            fails += 1;
            failed = ticked[t];
            if (fails > 1) break;
          }
        }
        if (fails === 0) {
          passing.push(index);
          for (var f = 0; f < ncounting; f += 1) tally(counting[f], index);
        } else if (fails === 1 && counting.indexOf(failed) !== -1) {
          tally(failed, index);
        }
      }
      counting.forEach(function (facet) {
        facet.boxes.forEach(function (box, b) {
          var n = facet.values[b] >= 0 ? facet.counts[facet.values[b]] : 0;
          if (n !== facet.shown[b]) {
            facet.labels[b].textContent = "(" + n + ")";
            facet.shown[b] = n;
          }
          box.parentNode.classList.toggle("empty", n === 0 && !box.checked);
        });
        facet.stale = false;
      });
      return passing;
    }

    function apply(initial) {
      initial = initial === true;  // not an event
      words = fold(text.value).split(/\s+/).filter(Boolean);
      ticked = [];
      var state = [sorted].concat(words);
      facets.forEach(function (facet) {
        facet.want.fill(0);
        facet.ticked = 0;
        facet.boxes.forEach(function (box, b) {
          if (!box.checked) return;
          facet.ticked += 1;
          state.push(facet.name + "=" + box.value);
          if (facet.values[b] >= 0) facet.want[facet.values[b]] = 1;
        });
        if (facet.ticked) ticked.push(facet);
        facet.chosen.textContent = facet.ticked ? "(" + facet.ticked + " chosen)" : "";
      });
      keepInUrlSoon();
      // A change that changes nothing (a checkbox's "change" after its "input", a search box left) keeps the
      // rows as they are: a reader may be clicking one of them.
      state = state.join("\u0000");
      if (state === applied) return;
      applied = state;
      // The counts of a closed facet are not seen: they are counted when it opens.
      var open = facets.filter(function (facet) { facet.stale = true; return initial || facet.element.open; });
      shown = scan(open);
      count.textContent = shown.length + " of " + total + " studies shown";
      none.hidden = shown.length !== 0;
      exporter.hidden = shown.length === 0;
      if (initial && !words.length && !ticked.length) {
        listed = Math.min(pageSize, shown.length);  // the page as the build wrote it: its first rows, listed
        list(listed);
      } else {
        listed = 0;
        list(LIST_FIRST);
      }
    }

    facets.forEach(function (facet) {
      facet.element.addEventListener("toggle", function () { if (facet.element.open && facet.stale) scan([facet]); });
    });

    // The search and the filters, kept in the address (links from other pages set them alike): written once
    // the reader pauses (writing the address takes a browser longer than answering a keystroke), or leaves.
    var pending = null;
    function keepInUrlSoon() {
      window.clearTimeout(pending);
      pending = window.setTimeout(keepInUrl, URL_DELAY);
    }

    function keepInUrl() {
      window.clearTimeout(pending);
      pending = null;
      var next = new URLSearchParams();
      if (text.value.trim()) next.set("q", text.value.trim());
      facets.forEach(function (facet) {
        var picked = facet.boxes.filter(function (box) { return box.checked; })
          .map(function (box) { return box.value; });
        if (picked.length) next.set(facet.name, picked.join(","));
      });
      try {
        var query = next.toString();
        window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
      } catch (error) { /* some browsers refuse history changes on file:// pages */ }
    }

    function clear() {
      form.reset();
      window.setTimeout(apply, 0);
    }

    // Sorting by a column: "not yet coded" is not a value, so it goes last, whichever way the column is sorted.
    var collator = new Intl.Collator();
    headers.forEach(function (th, index) {
      var button = th.querySelector("[data-sort]");
      if (!button) return;
      var key = button.getAttribute("data-sort"), column = columns[index - 3];
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keys = rows.map(function (row) {
          if (key === "study") return row[1].toLowerCase();
          if (key === "year") return String(row[2]);
          var value = row[column.at], dim = column.dim;
          return typeof value === "number" ? dim.labels[value]
            : value.map(function (v) { return dim.labels[v]; }).join(", ");
        });
        var missing = rows.map(function (row) { return column && row[column.at] === column.dim.missing ? 1 : 0; });
        var numbers = keys.map(function (x) { return x.trim() === "" ? NaN : Number(x); });
        order.sort(function (a, b) {
          if (missing[a] !== missing[b]) return missing[a] - missing[b];
          var result = isNaN(numbers[a]) || isNaN(numbers[b]) ? collator.compare(keys[a], keys[b])
            : numbers[a] - numbers[b];
          return ascending ? result : -result;
        });
        sorted += 1;
        apply();
      });
    });

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    none.querySelector("[data-clear]").addEventListener("click", clear);
    moreButton.addEventListener("click", function () { list(listed + LIST_MORE); });
    window.addEventListener("beforeprint", function () { list(shown.length); });  // print every study shown
    window.addEventListener("pagehide", function () { if (pending !== null) keepInUrl(); });
    exports(table, exporter, function () { return shown; });
    if (pager) pager.hidden = true;  // the pages for readers without scripts: here every study is a search away
    form.hidden = false;
    apply(true);
  }

  // "Download the studies shown": every study the search and filters show, in the table's order, as CSV,
  // RIS or BibTeX, each record exactly as the build wrote it (escaped for its format) into
  // studies/table-exports.js, which is loaded on the first click.
  function exports(table, exporter, selection) {
    var source = table.getAttribute("data-exports");
    if (!source || !exporter) return;
    var kinds = {csv: ["text/csv", "csv"], ris: ["application/x-research-info-systems", "ris"],
                 bib: ["application/x-bibtex", "bib"]};
    function download(format) {
      var data = window.livingreviewExports;
      var records = selection().map(function (index) { return data[format][index]; });
      var body = (format === "csv" ? data.csv_header : "") + records.join(format === "bib" ? "\n" : "");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([body], {type: kinds[format][0] + ";charset=utf-8"}));
      link.download = "studies-selection." + kinds[format][1];
      link.setAttribute("data-export-link", format);
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }
    Array.prototype.forEach.call(exporter.querySelectorAll("[data-export-format]"), function (button) {
      button.addEventListener("click", function () {
        var format = button.getAttribute("data-export-format");
        if (window.livingreviewExports) { download(format); return; }
        exporter.setAttribute("aria-busy", "true");
        loadScript(source, function () {
          exporter.removeAttribute("aria-busy");
          if (window.livingreviewExports) download(format);
        }, function () { exporter.removeAttribute("aria-busy"); });
      });
    });
  }

  // The evidence gap map, narrowed to the studies with one value of another field: each cell's count,
  // bubble and link to the study table follow. The page holds each value's count in every cell
  // ([data-gap-map-data]); without scripts, or with "any value" chosen, the map is as the build wrote it.
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
        cells.forEach(function (cell) {
          var link = cell.querySelector("a");
          var n = segment ? segment.cells[Number(cell.getAttribute("data-cell-index"))]
            : Number(cell.getAttribute("data-count"));
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
        var count = segment.studies;
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
    // the study table's rows change its width: checked when the frame is drawn (a layout, not two)
    document.addEventListener("livingreview:rows", function () { window.requestAnimationFrame(update); });
  }

  onReady(function () { versionSwitcher(); studyTable(); gapMaps(); scrollableTables(); });
})();
