// Back-office behaviour: permission grid toggles (row, column, group; tri-state, derived on
// load), resource search, live summary, presets, copy buttons, confirmations, bulk selection
// and the Authorization check. Plain script served from the binary; the
// Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var enabledBoxes = function (root) { return all('input[name="perm"]:not([disabled])', root); };

  // A toggle reflects the boxes it drives: checked when all are, mixed when some are.
  function reflect(toggle, boxes) {
    var on = boxes.filter(function (b) { return b.checked; }).length;
    toggle.checked = boxes.length > 0 && on === boxes.length;
    toggle.indeterminate = on > 0 && on < boxes.length;
  }
  function columnBoxes(method) {
    return enabledBoxes().filter(function (b) { return b.dataset.method === method; });
  }
  function refresh() {
    all(".row-toggle").forEach(function (t) { reflect(t, enabledBoxes(t.closest("tr"))); });
    all(".group-toggle").forEach(function (t) { reflect(t, enabledBoxes(t.closest("tbody"))); });
    all(".col-toggle").forEach(function (t) { reflect(t, columnBoxes(t.dataset.method)); });
    var ticked = enabledBoxes().filter(function (b) { return b.checked; });
    var warn = document.getElementById("nothing-ticked");
    if (warn) { warn.hidden = ticked.length > 0; }
    var summary = document.getElementById("grid-summary");
    if (summary) {
      var resources = {};
      ticked.forEach(function (b) { resources[b.value.split(":")[0]] = true; });
      var n = Object.keys(resources).length;
      summary.textContent = n + (n === 1 ? " resource, " : " resources, ") + ticked.length +
        (ticked.length === 1 ? " permission" : " permissions");
    }
  }
  function set(boxes, on) { boxes.forEach(function (b) { b.checked = on; }); refresh(); }

  all(".row-toggle").forEach(function (t) {
    t.addEventListener("change", function () { set(enabledBoxes(t.closest("tr")), t.checked); });
  });
  all(".group-toggle").forEach(function (t) {
    t.addEventListener("change", function () { set(enabledBoxes(t.closest("tbody")), t.checked); });
  });
  all(".col-toggle").forEach(function (t) {
    t.addEventListener("change", function () { set(columnBoxes(t.dataset.method), t.checked); });
  });
  all("[data-preset]").forEach(function (p) {
    p.addEventListener("click", function () {
      var kind = p.dataset.preset;
      enabledBoxes().forEach(function (b) {
        b.checked = kind === "all" || (kind === "read" && (b.dataset.method === "GET" || b.dataset.method === "HEAD"));
      });
      refresh();
    });
  });
  all('input[name="perm"]').forEach(function (b) { b.addEventListener("change", refresh); });
  if (document.querySelector("table.permissions")) { refresh(); }

  var search = document.getElementById("grid-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      all("tbody.group").forEach(function (g) {
        var shown = 0;
        all("tr[data-resource]", g).forEach(function (r) {
          var hit = !q || r.dataset.resource.indexOf(q) >= 0;
          r.hidden = !hit;
          if (hit) { shown++; }
        });
        g.hidden = shown === 0;
      });
    });
  }

  var expiresIn = document.getElementById("expires_in");
  var expires = document.getElementById("expires");
  if (expiresIn && expires) {
    var sync = function () { expires.closest("div").classList.toggle("no-date", expiresIn.value !== "date"); };
    expiresIn.addEventListener("change", sync);
    expires.addEventListener("input", function () { if (expires.value) { expiresIn.value = "date"; } });
    sync();
  }

  // "Generate": the key is made on the server when the form is saved, never in the browser.
  var gen = document.getElementById("generate");
  if (gen) {
    var custom = document.getElementById("custom_key");
    var note = document.getElementById("generate-note");
    gen.addEventListener("click", function () {
      document.getElementById("mode-generate").checked = true;
      custom.value = "";
      note.hidden = false;
    });
    custom.addEventListener("input", function () {
      if (custom.value) { document.getElementById("mode-custom").checked = true; note.hidden = true; }
    });
  }

  all("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.dataset.copy);
      var text = el.value !== undefined ? el.value : el.textContent;
      if (navigator.clipboard) { navigator.clipboard.writeText(text); }
      b.textContent = "Copied";
    });
  });

  // Confirmations (PrestaShop's texts) on the buttons that destroy or replace.
  all("button[data-confirm]").forEach(function (b) {
    b.addEventListener("click", function (e) { if (!window.confirm(b.dataset.confirm)) { e.preventDefault(); } });
  });

  var selectAll = document.querySelector(".select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      all('input[name="ids"]').forEach(function (b) { b.checked = selectAll.checked; });
    });
  }

  // Import: the chosen file's content goes into the box (what is posted and shown).
  var importFile = document.getElementById("import_file");
  var importJson = document.getElementById("import_json");
  if (importFile && importJson) {
    importFile.addEventListener("change", function () {
      var f = importFile.files && importFile.files[0];
      if (f) { f.text().then(function (t) { importJson.value = t; }); }
    });
  }

  var check = document.getElementById("auth-check");
  if (check) {
    check.addEventListener("click", function () {
      var out = document.getElementById("auth-check-result");
      out.textContent = "Checking…";
      fetch(check.dataset.url, { headers: { Authorization: "Basic " + btoa("shopws-check:") }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          out.textContent = j.authorization
            ? "The Authorization header reaches shopws: Basic authentication works."
            : "The Authorization header was removed on the way: clients must use ?ws_key= or the proxy must pass the header.";
        })
        .catch(function () { out.textContent = "The check could not run."; });
    });
  }
})();
