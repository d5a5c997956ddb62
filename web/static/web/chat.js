// shopchat browser chat: sends texts and taps, and fetches new messages every few seconds.
// No inline script and no third-party code (the page's Content-Security-Policy allows 'self').
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  if (!chat) { return; }
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var error = document.getElementById("chat-error");
  var last = parseInt(chat.getAttribute("data-last") || "0", 10);
  var busy = false;
  var POLL_MS = 2000;

  function scrollDown() { window.scrollTo(0, document.body.scrollHeight); list.scrollTop = list.scrollHeight; }

  function append(html, upTo) {
    if (upTo <= last) { return; }
    var hint = list.querySelector(".hint");
    if (hint) { hint.remove(); }
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    Array.prototype.forEach.call(holder.querySelectorAll("li.bubble"), function (item) {
      var id = parseInt(item.getAttribute("data-id") || "0", 10);
      if (!id || !list.querySelector('li.bubble[data-id="' + id + '"]')) { list.appendChild(item); }
    });
    last = Math.max(last, upTo);
    scrollDown();
  }

  function showError(message) {
    error.textContent = message || "";
    error.hidden = !message;
  }

  function send(fields) {
    if (busy) { return; }
    busy = true;
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    fetch(chat.getAttribute("data-send-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": chat.getAttribute("data-csrf"), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { showError(result.data.error ? result.data.error.message : ""); return; }
      showError("");
      append(result.data.html, result.data.last);
    }).catch(function () {
      showError(chat.getAttribute("data-offline") || "Network error: please try again.");
    }).finally(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    send({ text: text });
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button.reply");
    if (!button) { return; }
    var title = button.getAttribute("data-reply-title") || button.textContent.trim();
    var details = button.closest("details");
    if (details) { details.open = false; }
    send({ reply_id: button.getAttribute("data-reply-id"), reply_title: title,
           reply_kind: button.getAttribute("data-reply-kind") || "button" });
  });

  function poll() {
    fetch(chat.getAttribute("data-poll-url") + "?after=" + last, { credentials: "same-origin",
                                                                    headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.html) { append(data.html, data.last); } })
      .catch(function () { /* offline for a moment: the next poll catches up */ })
      .finally(function () { window.setTimeout(poll, POLL_MS); });
  }

  scrollDown();
  window.setTimeout(poll, POLL_MS);
}());
