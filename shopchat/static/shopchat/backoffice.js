// shopchat back office: small behaviours kept out of the pages (no inline scripts, for the CSP).
(function () {
  "use strict";
  // Buttons marked data-confirm ask first (an inline onclick would be refused by the CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // Buttons marked data-once disable themselves on submit so a double click sends one request
  // (the server's Idempotency-Key makes a second one harmless anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    form.querySelectorAll("button[data-once], input[data-once]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
  // Canned replies: choosing one fills the reply box (with its placeholders already filled).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]")) { return; }
    var target = document.querySelector(select.getAttribute("data-fills"));
    var option = select.options[select.selectedIndex];
    if (target && option && option.dataset.text !== undefined) {
      target.value = option.dataset.text;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  // Feed import page: poll the job's status while it runs (at once on load, then every second)
  // and update the bar and counters in place; when it ends, reload once so the page renders the
  // final counts, the refusal message and the rejected rows server-side.
  function pollImport(box) {
    var shown = box.getAttribute("data-status");
    if (shown === "done" || shown === "failed") { return; }
    function set(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }
    function poll() {
      fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (s) {
          var bar = document.getElementById("import-bar");
          if (bar) { bar.value = s.percent; bar.setAttribute("aria-valuenow", s.percent); bar.textContent = s.percent + "%"; }
          set("import-status", s.status_display); set("import-processed", s.processed); set("import-total", s.total || "?");
          set("import-created", s.created); set("import-updated", s.updated); set("import-unchanged", s.unchanged);
          set("import-rejected", s.rejected); set("import-deactivated", s.deactivated);
          box.setAttribute("data-status", s.status);
          if (s.status === "done" || s.status === "failed") { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }
  function start() {
    var box = document.getElementById("import-progress");
    if (box && box.getAttribute("data-status-url")) { pollImport(box); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  // Keep a live message list scrolled to its newest message after htmx swaps it in.
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.target.closest ? event.target.closest("[data-scroll-end]") : null;
    if (list) { list.scrollTop = list.scrollHeight; }
  });
})();
