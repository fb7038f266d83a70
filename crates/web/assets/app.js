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

// --- registration (register.html): the questions of the policy in force on the registration
// date, asked as the date is typed (the server does the same when the form comes back to it);
// and a word when a field reaches its length.
(function () {
  "use strict";
  var date = document.getElementById("f-registered_on");
  var windows = document.getElementById("register-windows");
  if (!date || !windows) { return; }
  var shown = document.getElementById("register-policy");
  var title = document.getElementById("register-policy-name");
  function policyOn(day) {
    var found = null;
    windows.querySelectorAll("li").forEach(function (w) {
      var until = w.getAttribute("data-until");
      if (day >= w.getAttribute("data-from") && (until === "" || day <= until)) { found = w; }
    });
    return found;
  }
  function ask() {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) { return; }
    var window_ = policyOn(date.value);
    var policy = window_ ? window_.getAttribute("data-policy") : "";
    if (policy === shown.value) { return; }
    shown.value = policy;
    if (title) { title.textContent = window_ ? window_.getAttribute("data-title") : title.getAttribute("data-none"); }
    document.querySelectorAll("#register-questions [data-policies]").forEach(function (q) {
      var asked = policy !== "" && (" " + q.getAttribute("data-policies") + " ").indexOf(" " + policy + " ") >= 0;
      var required = policy !== "" && (" " + q.getAttribute("data-required-by") + " ").indexOf(" " + policy + " ") >= 0;
      q.hidden = !asked;
      q.querySelectorAll("select, input").forEach(function (i) { i.disabled = !asked; });
      var mark = q.querySelector(".register-required");
      if (mark) { mark.textContent = required ? " *" : ""; }
    });
  }
  date.addEventListener("change", ask);
  date.addEventListener("input", ask);
  document.querySelectorAll("input[data-max]").forEach(function (input) {
    var hint = document.getElementById(input.name + "-max");
    input.addEventListener("input", function () {
      var full = input.value.length >= +input.getAttribute("data-max");
      if (hint) { hint.className = "hint register-max" + (full ? " register-id-bad" : ""); }
    });
  });
})();
