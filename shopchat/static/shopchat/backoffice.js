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
  // Keep a live message list scrolled to its newest message after htmx swaps it in.
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.target.closest ? event.target.closest("[data-scroll-end]") : null;
    if (list) { list.scrollTop = list.scrollHeight; }
  });
})();
