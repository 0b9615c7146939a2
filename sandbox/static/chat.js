// Sandbank Chat: new messages every 1.5 s (a cursor, so any server worker answers), and the
// composer and quick replies sent without leaving the page. Without script, the forms post
// and the page reloads: everything still works.
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  var errorBox = document.getElementById("chat-error");
  if (!thread) { return; }
  var busy = false;

  function scrollDown() { thread.scrollTop = thread.scrollHeight; }

  function poll() {
    if (busy) { return Promise.resolve(); }
    busy = true;
    var url = thread.dataset.updates + "?after=" + encodeURIComponent(thread.dataset.cursor);
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (update) {
        if (update && String(update.cursor) !== thread.dataset.cursor) {
          thread.insertAdjacentHTML("beforeend", update.html);
          thread.dataset.cursor = String(update.cursor);
          scrollDown();
        }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { busy = false; });
  }

  function send(event) {
    var form = event.target;
    event.preventDefault();
    var body = new FormData(form, event.submitter);
    errorBox.textContent = "";
    form.setAttribute("aria-busy", "true");
    // getAttribute: a control named "action" would shadow form.action
    fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (answer) {
        if (answer.ok) {
          var box = form.querySelector("input[name=message]");
          if (box) { box.value = ""; }
          return;
        }
        return answer.json().then(function (problem) {
          errorBox.textContent = problem.detail || problem.title || "Not sent.";
        });
      })
      .catch(function () { errorBox.textContent = "Not sent: the server did not answer."; })
      .then(function () { form.removeAttribute("aria-busy"); return poll(); });
  }

  document.querySelectorAll("form[data-async]").forEach(function (form) {
    form.addEventListener("submit", send);
  });
  scrollDown();
  window.setInterval(poll, 1500);
})();
