(function () {
  "use strict";
  var doc = document;
  function byId(id) { return doc.getElementById(id); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  var table = byId("violations-table");
  var bodies = table ? Array.prototype.slice.call(table.querySelectorAll("tbody.viol")) : [];
  var filters = {
    rule: byId("f-rule"),
    severity: byId("f-severity"),
    clause: byId("f-clause"),
    collection: byId("f-collection"),
    q: byId("f-q")
  };
  var names = ["rule", "severity", "clause", "collection", "q"];

  function value(name) {
    var el = filters[name];
    return el ? el.value.trim() : "";
  }

  function matches(b) {
    var rule = value("rule"), sev = value("severity"), clause = value("clause");
    var coll = value("collection"), q = value("q").toLowerCase();
    if (rule && b.getAttribute("data-rule") !== rule) { return false; }
    if (sev && b.getAttribute("data-severity") !== sev) { return false; }
    if (clause && (" " + b.getAttribute("data-clauses") + " ").indexOf(" " + clause + " ") < 0) { return false; }
    if (coll && b.getAttribute("data-collection") !== coll) { return false; }
    if (q && (b.getAttribute("data-id") || "").toLowerCase().indexOf(q) < 0) { return false; }
    return true;
  }

  function apply(updateHash) {
    var shown = 0;
    bodies.forEach(function (b) {
      if (matches(b)) { b.removeAttribute("hidden"); shown += 1; } else { b.setAttribute("hidden", ""); }
    });
    var count = byId("f-count");
    if (count) { count.textContent = shown + " of " + bodies.length + " shown"; }
    var parts = [], desc = [];
    names.forEach(function (n) {
      var v = value(n);
      if (v) {
        parts.push(encodeURIComponent(n) + "=" + encodeURIComponent(v));
        desc.push((n === "q" ? "record id contains" : n) + " " + v);
      }
    });
    var d = byId("f-desc");
    if (d) {
      d.textContent = desc.length
        ? "Filtered (" + desc.join(", ") + "): " + shown + " of " + bodies.length + " violations."
        : "All " + bodies.length + " violations.";
    }
    if (updateHash && window.history && history.replaceState) {
      try {
        history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
      } catch (e) { /* some viewers forbid it for local files */ }
    }
  }

  function hasOption(select, v) {
    if (!select || !select.options) { return false; }
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === v) { return true; }
    }
    return false;
  }

  // #filter=CD532 (a rule code, severity, clause, collection or record id),
  // or #rule=…&severity=…&clause=…&collection=…&q=…
  function fromHash() {
    var hash = location.hash.replace(/^#/, "");
    if (!hash || hash.indexOf("=") < 0) { return false; }
    var any = false;
    hash.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i < 0) { return; }
      var k, v;
      try {
        k = decodeURIComponent(pair.slice(0, i));
        v = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
      } catch (e) { return; }
      if (k === "filter") {
        k = "q";
        ["rule", "severity", "clause", "collection"].forEach(function (n) {
          if (k === "q" && hasOption(filters[n], v)) { k = n; }
        });
      }
      var el = filters[k];
      if (!el) { return; }
      if (el.tagName === "SELECT" && !hasOption(el, v)) { return; }
      el.value = v;
      any = true;
    });
    return any;
  }

  function setOpen(b, open) {
    var btn = b.querySelector("td.tog button");
    var detail = b.querySelector("tr.detail");
    if (!btn || !detail) { return; }
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { detail.removeAttribute("hidden"); } else { detail.setAttribute("hidden", ""); }
  }

  function toggle(b) {
    var btn = b.querySelector("td.tog button");
    setOpen(b, !(btn && btn.getAttribute("aria-expanded") === "true"));
  }

  function sortKey(b, col) {
    var row = b.rows[0];
    var cell = row && row.cells[col];
    if (!cell) { return ""; }
    var s = cell.getAttribute("data-sort");
    return s === null ? cell.textContent.trim() : s;
  }

  function compare(a, b) {
    var na = Number(a), nb = Number(b);
    if (a !== "" && b !== "" && !isNaN(na) && !isNaN(nb)) { return na - nb; }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(th, col) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    each(table.querySelectorAll("thead th"), function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var keyed = bodies.map(function (b, i) { return { b: b, k: sortKey(b, col), n: Number(sortKey(b, 1)) || i }; });
    keyed.sort(function (x, y) {
      var c = compare(x.k, y.k);
      if (c === 0) { c = x.n - y.n; return c; }
      return asc ? c : -c;
    });
    keyed.forEach(function (x) { table.appendChild(x.b); });
    bodies = keyed.map(function (x) { return x.b; });
  }

  if (table) {
    names.forEach(function (n) {
      var el = filters[n];
      if (el) { el.addEventListener(n === "q" ? "input" : "change", function () { apply(true); }); }
    });
    var form = byId("filters");
    if (form) { form.addEventListener("submit", function (e) { e.preventDefault(); }); }
    var reset = byId("f-reset");
    if (reset) {
      reset.addEventListener("click", function () {
        names.forEach(function (n) { if (filters[n]) { filters[n].value = ""; } });
        apply(true);
      });
    }
    var expand = byId("expand-all"), collapse = byId("collapse-all");
    if (expand) { expand.addEventListener("click", function () { bodies.forEach(function (b) { if (!b.hidden) { setOpen(b, true); } }); }); }
    if (collapse) { collapse.addEventListener("click", function () { bodies.forEach(function (b) { setOpen(b, false); }); }); }
    table.addEventListener("click", function (e) {
      var t = e.target;
      var sortBtn = t.closest ? t.closest("button.sort") : null;
      if (sortBtn) {
        sortBy(sortBtn.parentNode, Number(sortBtn.getAttribute("data-col")));
        return;
      }
      var row = t.closest ? t.closest("tr.row") : null;
      if (!row) { return; }
      if (window.getSelection && String(window.getSelection()).length > 0 && t.tagName !== "BUTTON") { return; }
      toggle(row.parentNode);
    });
    fromHash();
    apply(false);
    window.addEventListener("hashchange", function () { if (fromHash()) { apply(false); } });
  }

  // Printing shows every detail of the rows shown; afterwards, as it was.
  var printed = [];
  window.addEventListener("beforeprint", function () {
    printed = [];
    each(doc.querySelectorAll("details:not([open])"), function (d) { d.open = true; printed.push(d); });
  });
  window.addEventListener("afterprint", function () {
    printed.forEach(function (d) { d.open = false; });
    printed = [];
  });

  doc.documentElement.setAttribute("data-ready", "1");
}());
