// Small improvements only: every page works without this script.
(function () {
  "use strict";
  // Ask before a destructive form is sent (forms marked data-confirm="…").
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();

// --- Contact attempts (revocations.rs): one click logs one attempt, so a second click while the
// first is on its way must not log another.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.classList || !form.classList.contains("contact-form")) { return; }
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
