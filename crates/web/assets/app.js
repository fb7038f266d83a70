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

// --- home and registration (register.html): the ID number checked as it is typed (GB 11643).
// The server checks again; this only says early what it will say.
(function () {
  "use strict";
  var input = document.querySelector("input[data-id-check]");
  if (!input) { return; }
  var out = document.getElementById(input.getAttribute("data-id-check"));
  var hint = out.textContent;
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function realDate(y, m, d) {
    var t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }
  function say(text, bad) {
    out.textContent = text;
    out.className = "hint register-id-check" + (bad ? " register-id-bad" : " register-id-ok");
  }
  function check() {
    var v = input.value.trim().toUpperCase();
    if (v === "") { out.textContent = hint; out.className = "hint register-id-check"; return; }
    if (!/^[0-9]*X?$/.test(v) || (v.indexOf("X") >= 0 && v.length !== 18)) { say(out.dataset.chars, true); return; }
    if (v.length !== 18 && v.length !== 15) { say(out.dataset.length + " (" + v.length + ")", true); return; }
    var birth = v.length === 18 ? v.slice(6, 14) : "19" + v.slice(6, 12);
    var y = +birth.slice(0, 4), m = +birth.slice(4, 6), d = +birth.slice(6, 8);
    if (!realDate(y, m, d)) { say(out.dataset.date, true); return; }
    var sexDigit = +(v.length === 18 ? v.charAt(16) : v.charAt(14));
    var text = out.dataset.born + " " + birth.slice(0, 4) + "-" + birth.slice(4, 6) + "-" + birth.slice(6, 8) +
      " · " + (sexDigit % 2 === 1 ? out.dataset.male : out.dataset.female);
    if (v.length === 15) { say(text, false); return; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += (+v.charAt(i)) * W[i]; }
    var want = CHECK.charAt(sum % 11);
    if (v.charAt(17) === want) { say(text + " · " + out.dataset.ok, false); }
    else { say(text + " · " + out.dataset.bad + " " + want, true); }
  }
  input.addEventListener("input", check);
  check();
})();

// --- Printable forms and notices (application_print.html, _notice, _refusal): the print button.
// A handler here, not an inline onclick, so that the pages' Content-Security-Policy can forbid
// inline script altogether.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
