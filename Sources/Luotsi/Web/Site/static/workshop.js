// A workshop board, live. Without this script the board still works: every button is a form
// that posts and comes back, and the page reloads itself every 20 seconds.
//
// With it: a WebSocket (/w/<code>/live) brings the board's new markup whenever anyone changes
// it; a dropped connection is retried with growing pauses and the board caught up on return.
// Ideas and votes are sent without leaving the page; one that cannot be sent stays in its form
// (and a typed idea in this browser's storage) until it is.
(function () {
  "use strict";
  var status = document.querySelector("[data-live]");
  var board = document.getElementById("board");
  if (!status || !board || !("WebSocket" in window) || !window.fetch) { return; }
  var texts = status.dataset;
  var retry = 500;
  // A form posted the ordinary way (a phase change) is leaving the page: no reload may cut it off.
  var leaving = false;
  document.addEventListener("submit", function (event) { if (!event.defaultPrevented) { leaving = true; } });

  function say(text) { status.textContent = text || ""; }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + status.getAttribute("data-live"));
    socket.onopen = function () { retry = 500; say(texts.textLive); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.closed) { if (!leaving) { location.reload(); } return; }
      if (message.html) { replaceBoard(message.html, message.phase); }
    };
    socket.onclose = function () {
      if (leaving) { return; }
      say(texts.textOffline);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  // Swaps in the new board, keeping a reason being typed and the focus where it was. A new
  // phase brings other forms around the board (the idea form), so the page is loaded again.
  function replaceBoard(html, phase) {
    if (leaving) { return; }
    if (phase && phase !== board.getAttribute("data-phase")) { location.reload(); return; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#board");
    if (!fresh) { return; }
    var focused = document.activeElement && document.activeElement.id;
    var drafts = {};
    board.querySelectorAll("textarea, select").forEach(function (field) { if (field.id) { drafts[field.id] = field.value; } });
    board.replaceWith(fresh);
    board = fresh;
    Object.keys(drafts).forEach(function (id) {
      var field = document.getElementById(id);
      if (field && drafts[id]) { field.value = drafts[id]; }
    });
    if (focused) {
      var again = document.getElementById(focused);
      if (again) { again.focus(); }
    }
    enhance();
    countdown();
  }

  // Sends a form without leaving the page. The answer is the board page itself (after the
  // post's redirect): its board is shown at once, before the socket brings it to everyone.
  function send(form, submitter, done) {
    var data = new URLSearchParams(new FormData(form));
    // The pressed button's name and value (shortlist or reject) go with the form, as without the script.
    if (submitter && submitter.name) { data.set(submitter.name, submitter.value); }
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          var page = new DOMParser().parseFromString(text, "text/html");
          if (!response.ok) {
            var problem = page.querySelector("main p, main h1");
            say((texts.textRefused || "") + " " + (problem ? problem.textContent : response.status));
            return;
          }
          var fresh = page.getElementById("board");
          if (fresh) { replaceBoard(fresh.outerHTML, fresh.getAttribute("data-phase")); }
          if (done) { done(); }
        });
      })
      .catch(function () { say(texts.textNotSent); });
  }

  function enhance() {
    board.querySelectorAll("form.vote-form, form.decide-form, form.merge-form").forEach(function (form) {
      if (form.dataset.enhanced) { return; }
      form.dataset.enhanced = "1";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        send(form, event.submitter, null);
      });
    });
  }

  // A typed idea survives a lost connection or a closed tab until it has been sent.
  var ideaForm = document.getElementById("idea-form");
  if (ideaForm) {
    var key = "luotsi-idea-" + location.pathname;
    var text = ideaForm.querySelector("[name=text]");
    var rationale = ideaForm.querySelector("[name=rationale]");
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      if (saved && !text.value) { text.value = saved.text || ""; rationale.value = saved.rationale || ""; }
    } catch (e) { /* storage may be off: the form works without it */ }
    var keep = function () {
      try { localStorage.setItem(key, JSON.stringify({ text: text.value, rationale: rationale.value })); } catch (e) { /* as above */ }
    };
    text.addEventListener("input", keep);
    rationale.addEventListener("input", keep);
    ideaForm.addEventListener("submit", function (event) {
      event.preventDefault();
      send(ideaForm, null, function () {
        ideaForm.reset();
        try { localStorage.removeItem(key); } catch (e) { /* as above */ }
        say(texts.textIdeaAdded);
        text.focus();
      });
    });
  }

  // The phase's time box, counted down where the board shows when it ends.
  var ticking = null;
  function countdown() {
    var timer = board.querySelector("[data-ends-at]");
    if (ticking) { clearInterval(ticking); ticking = null; }
    if (!timer) { return; }
    var ends = Date.parse(timer.getAttribute("data-ends-at"));
    var shown = timer.querySelector(".countdown");
    var tick = function () {
      var left = Math.round((ends - Date.now()) / 1000);
      if (left <= 0) { shown.textContent = texts.textTimeUp; clearInterval(ticking); return; }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      shown.textContent = (texts.textLeft || "{time}").replace("{time}", minutes + ":" + (seconds < 10 ? "0" : "") + seconds);
    };
    tick();
    ticking = setInterval(tick, 1000);
  }

  enhance();
  countdown();
  connect();
})();
