// The living review's one script: version switcher, study-table filters and sorting,
// and the clickable evidence gap map. Every page works without it.
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

  function studyTable() {
    var form = document.querySelector("[data-study-filters]");
    var table = document.querySelector("[data-study-table]");
    if (!form || !table) return;
    form.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = document.querySelector("[data-result-count]");
    var selects = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
    var text = form.querySelector("input[type=search]");
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted !== null) select.value = wanted;
    });
    if (params.get("q")) text.value = params.get("q");

    function matches(row) {
      var query = text.value.trim().toLowerCase();
      if (query && row.getAttribute("data-text").indexOf(query) === -1) return false;
      return selects.every(function (select) {
        if (!select.value) return true;
        var values = (row.getAttribute("data-" + select.name.replace(/_/g, "-")) || "").split(" ");
        return values.indexOf(select.value) !== -1;
      });
    }

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var visible = matches(row);
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " studies shown";
      var next = new URLSearchParams();
      if (text.value.trim()) next.set("q", text.value.trim());
      selects.forEach(function (select) { if (select.value) next.set(select.name, select.value); });
      try {
        var query = next.toString();
        window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
      } catch (error) { /* some browsers refuse history changes on file:// pages */ }
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    sorting(table, rows);
    apply();
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
          var x = key(a), y = key(b);
          var order = isNaN(x) || isNaN(y) ? x.localeCompare(y) : Number(x) - Number(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      });
    });
  }

  function gapMap() {
    var map = document.querySelector("[data-gap-map]");
    var container = document.querySelector(".cell-lists");
    if (!map || !container) return;
    container.classList.add("js-enhanced");
    var links = Array.prototype.slice.call(map.querySelectorAll("[data-cell]"));
    function show(id, focus) {
      Array.prototype.forEach.call(container.querySelectorAll("[data-cell-list]"), function (list) {
        list.classList.toggle("active", list.id === id);
      });
      links.forEach(function (link) { link.setAttribute("aria-pressed", String(link.getAttribute("data-cell") === id)); });
      var target = document.getElementById(id);
      if (target && focus) target.focus();
    }
    links.forEach(function (link) {
      link.setAttribute("role", "button");
      link.setAttribute("aria-pressed", "false");
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.getAttribute("data-cell"), true);
      });
      // role=button promises that Space works as well as Enter (a link alone only answers Enter)
      link.addEventListener("keydown", function (event) {
        if (event.key !== " " && event.key !== "Spacebar") return;
        event.preventDefault();
        show(link.getAttribute("data-cell"), true);
      });
    });
    if (window.location.hash.indexOf("#cell-") === 0) show(window.location.hash.slice(1), false);
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

  onReady(function () { versionSwitcher(); studyTable(); gapMap(); scrollableTables(); });
})();
