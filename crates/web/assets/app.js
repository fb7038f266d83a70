// Small improvements only: every page works without this script.
(function () {
  "use strict";
  // Ask before a destructive form is sent (forms marked data-confirm="…").
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
