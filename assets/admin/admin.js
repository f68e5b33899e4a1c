// Back-office behaviour: permission grid toggles, presets, copy buttons, confirmations.
// Plain script served from the binary; the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  function boxes(filter) {
    return Array.prototype.filter.call(
      document.querySelectorAll('input[name="perm"]:not([disabled])'), filter || function () { return true; });
  }
  function refreshWarning() {
    var w = document.getElementById("nothing-ticked");
    if (w) { w.hidden = boxes(function (b) { return b.checked; }).length > 0; }
  }
  document.querySelectorAll(".row-toggle").forEach(function (t) {
    t.addEventListener("change", function () {
      t.closest("tr").querySelectorAll('input[name="perm"]:not([disabled])').forEach(function (b) { b.checked = t.checked; });
      refreshWarning();
    });
  });
  document.querySelectorAll(".col-toggle").forEach(function (t) {
    t.addEventListener("change", function () {
      boxes(function (b) { return b.dataset.method === t.dataset.method; }).forEach(function (b) { b.checked = t.checked; });
      refreshWarning();
    });
  });
  document.querySelectorAll("[data-preset]").forEach(function (p) {
    p.addEventListener("click", function () {
      var kind = p.dataset.preset;
      boxes().forEach(function (b) {
        b.checked = kind === "all" || (kind === "read" && (b.dataset.method === "GET" || b.dataset.method === "HEAD"));
      });
      refreshWarning();
    });
  });
  document.querySelectorAll('input[name="perm"]').forEach(function (b) { b.addEventListener("change", refreshWarning); });
  if (document.getElementById("nothing-ticked")) { refreshWarning(); }
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.dataset.copy);
      var text = el.value !== undefined ? el.value : el.textContent;
      if (navigator.clipboard) { navigator.clipboard.writeText(text); }
      b.textContent = "Copied";
    });
  });
  document.querySelectorAll("form.confirm").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); } });
  });
})();
