// Live generation page: WebSocket events with reconnection (exponential backoff), a re-sync from the
// status endpoint after every (re)connect so no event is lost, and polling every 3 s while the socket is
// down. The server renders the current state, so the page is right after a reload without any of this.
(function () {
  "use strict";

  var root = document.querySelector("[data-generation-live]");
  if (!root) { return; }

  var generationId = root.getAttribute("data-generation-id");
  var statusUrl = root.getAttribute("data-status-url");
  var cardsUrl = root.getAttribute("data-cards-url");
  var grid = document.getElementById("results-grid");
  var announcer = root.querySelector("[data-live-announcer]");
  var connState = root.querySelector("[data-conn-state]");
  var lastStatus = root.getAttribute("data-status");
  var active = lastStatus === "pending" || lastStatus === "processing";

  var POLL_MS = 3000;
  var MAX_BACKOFF_MS = 30000;
  var PING_MS = 25000;
  var CARD_BATCH = 50;

  var socket = null;
  var failures = 0;
  var reconnectTimer = null;
  var pollTimer = null;
  var pingTimer = null;
  var syncTimer = null;
  var syncing = false;
  var syncAgain = false;

  function needsLive() {
    return active || !!document.querySelector('[data-pose-card][data-bg-busy="1"]');
  }

  function announce(text) {
    if (announcer && text) { announcer.textContent = text; }
  }

  // A failure's reason in the page's language (the reader's): events carry it in each language.
  function reasonOf(event) {
    var lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    var said = event.errorMessageByLanguage || {};
    return said[lang] || event.errorMessage || "";
  }

  function setConn(state) {
    if (connState) { connState.setAttribute("data-state", state); }
  }

  // --- progress numbers, straight from an event or the status endpoint (absolute counts) ----------
  function updateProgress(data) {
    var bar = root.querySelector("[data-progress-bar]");
    if (bar && typeof data.percentage === "number") {
      bar.setAttribute("aria-valuenow", String(data.percentage));
      var fill = bar.querySelector("span");
      if (fill) { fill.style.width = data.percentage + "%"; }
      var text = root.querySelector("[data-progress-text]");
      if (text) { text.textContent = data.percentage + "%"; }
    }
    setText("[data-count-completed]", data.posesCompleted);
    setText("[data-count-failed]", data.posesFailed);
    if (typeof data.etaText === "string") { setText("[data-eta]", data.etaText); }
  }

  function setText(selector, value) {
    var el = root.querySelector(selector);
    if (el && value !== undefined && value !== null) { el.textContent = String(value); }
  }

  // --- cards: fetch only those whose state changed, swap them in by id ------------------------------
  function focusKey() {
    var el = document.activeElement;
    var card = el && el.closest ? el.closest("[data-pose-card]") : null;
    if (!card || !el.getAttribute("data-testid")) { return null; }
    return { card: card.id, testid: el.getAttribute("data-testid") };
  }

  function swapCards(html) {
    var keep = focusKey();
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    Array.prototype.forEach.call(tpl.content.querySelectorAll("[data-pose-card]"), function (card) {
      var old = document.getElementById(card.id);
      if (old) {
        var statusChanged = old.getAttribute("data-pose-status") !== card.getAttribute("data-pose-status");
        old.replaceWith(card);
        if (statusChanged) { card.classList.add("is-new"); }
      } else if (grid) {
        grid.appendChild(card);
      }
      if (window.htmx) { window.htmx.process(card); }
      if (keep && keep.card === card.id) {
        var target = card.querySelector('[data-testid="' + keep.testid + '"]');
        if (target) { target.focus(); }
      }
    });
  }

  function fetchCards(ids) {
    var batches = [];
    for (var i = 0; i < ids.length; i += CARD_BATCH) { batches.push(ids.slice(i, i + CARD_BATCH)); }
    return Promise.all(batches.map(function (batch) {
      return fetch(cardsUrl + "?ids=" + batch.join(","), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error("cards " + r.status); } return r.text(); })
        .then(swapCards);
    }));
  }

  function applyStatus(s) {
    updateProgress(s);
    if (s.status !== lastStatus) {
      var summary = document.getElementById("gen-summary");
      if (summary && s.summaryHtml) {
        summary.innerHTML = s.summaryHtml;
        if (window.htmx) { window.htmx.process(summary); }
      }
      lastStatus = s.status;
      root.setAttribute("data-status", s.status);
      if (!s.active) {
        announce(s.statusLabel);
        var title = root.querySelector("[data-done-title]");
        if (title) { title.textContent = title.getAttribute("data-done-title"); }
      }
    }
    active = !!s.active;
    var changed = [];
    (s.poses || []).forEach(function (p) {
      var el = document.getElementById("pose-" + p.id);
      if (!el || el.getAttribute("data-state") !== p.state) { changed.push(p.id); }
    });
    return changed.length ? fetchCards(changed) : Promise.resolve();
  }

  function sync() {
    if (syncing) { syncAgain = true; return; }
    syncing = true;
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("status " + r.status); } return r.json(); })
      .then(applyStatus)
      .catch(function () { /* the next event, poll or reconnect tries again */ })
      .then(function () {
        syncing = false;
        if (syncAgain) { syncAgain = false; requestSync(0); }
        updatePolling();
      });
  }

  // Several events arrive together (progress + completed): one re-sync covers them all.
  function requestSync(delay) {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, delay);
  }

  // --- polling while the socket is down ---------------------------------------------------------------
  function updatePolling() {
    var socketOpen = socket && socket.readyState === 1;
    if (!socketOpen && needsLive()) {
      if (!pollTimer) { pollTimer = setInterval(sync, POLL_MS); }
    } else if (pollTimer) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  // --- the WebSocket ------------------------------------------------------------------------------------
  function isOurs(event) {
    if (event.generationId) { return event.generationId === generationId; }
    return !!(event.poseId && document.getElementById("pose-" + event.poseId));
  }

  function onEvent(event) {
    if (!event || !event.type) { return; }
    if (event.type === "connection.ready") { requestSync(0); return; }
    if (event.type === "pong" || !isOurs(event)) { return; }
    if (event.generationId === generationId && typeof event.percentage === "number") { updateProgress(event); }
    if (event.type === "pose.failed" || event.type === "background.failed") { announce(reasonOf(event)); }
    requestSync(event.type === "generation.progress" ? 400 : 150);
  }

  function connect() {
    reconnectTimer = null;
    if (!("WebSocket" in window)) { setConn("polling"); updatePolling(); return; }
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/pose-generator/";
    try {
      socket = new WebSocket(url);
    } catch (e) {
      socket = null;
      scheduleReconnect();
      return;
    }
    socket.onopen = function () {
      failures = 0;
      setConn("live");
      updatePolling();
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "ping" })); }
      }, PING_MS);
    };
    socket.onmessage = function (message) {
      var data = null;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      onEvent(data);
    };
    socket.onclose = function () {
      socket = null;
      clearInterval(pingTimer);
      setConn("offline");
      updatePolling();
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (reconnectTimer) { return; }
    failures += 1;
    var base = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, failures - 1));
    var delay = base * (0.75 + Math.random() * 0.5);  // jitter: many tabs do not reconnect in step
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (socket) { return; }
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    failures = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { reconnectNow(); requestSync(0); }
  });
  // Other scripts on the page (results.js) ask for a re-sync after starting work.
  document.addEventListener("lumiku:resync", function () { requestSync(0); updatePolling(); });

  connect();
  updatePolling();
})();
