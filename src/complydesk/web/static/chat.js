/* The customer chat widget: start, send, 转人工, poll for a person's reply.
   No framework and no build step; the server does the work (web/chat.py). */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  var byId = function (id) { return document.getElementById(id); };
  var intro = byId("chat-intro"), log = byId("chat-log"), form = byId("chat-form");
  var text = byId("chat-text"), human = byId("chat-human"), send = byId("chat-send");
  var status = byId("chat-status"), note = byId("chat-note"), start = byId("chat-start");
  var shown = {}, timer = null, busy = false;

  function t(name) { return root.dataset["t" + name] || ""; }

  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  function fail(error) {
    status.textContent = error && error.status === 429 ? t("TooMany") : t("Error");
  }

  function addMessage(m) {
    if (shown[m.id]) { return; }
    shown[m.id] = true;
    var item = document.createElement("li");
    item.className = "msg msg-" + m.sender;
    item.dataset.messageId = String(m.id);
    item.dataset.sender = m.sender;
    item.dataset.aiGenerated = m.ai_generated ? "true" : "false";
    var who = document.createElement("span");
    who.className = "msg-who";
    who.textContent = m.sender === "customer" ? t("You") : (m.sender === "agent" ? t("Agent") : t("Bot"));
    item.appendChild(who);
    if (m.ai_generated) {
      var ai = m.ai || {};
      // The implicit, machine-readable label (GB 45438-2025 §6; AI Act Art. 50).
      item.dataset.aiLabel = ai.label || m.label || "AI";
      item.dataset.aiKind = ai.kind || "";
      item.dataset.aiBackend = ai.backend || "";
      item.dataset.aiModel = ai.model || "";
      item.dataset.aiPack = ai.pack || "";
      item.dataset.aiPackVersion = ai.pack_version || "";
      if (ai.confidence !== null && ai.confidence !== undefined) { item.dataset.aiConfidence = String(ai.confidence); }
      var label = document.createElement("span");
      label.className = "ai-label";
      label.textContent = m.label || ai.label || "AI";
      item.appendChild(label);
      if (note.hidden) {
        note.textContent = t("AiNote").replace("{label}", label.textContent);
        note.hidden = false;
      }
    }
    var body = document.createElement("p");
    body.className = "msg-body";
    body.textContent = m.body;
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setState(state, handoff) {
    root.dataset.state = state;
    human.disabled = state !== "bot";
    if (state === "waiting_human" && handoff) {
      var minutes = Math.max(1, Math.ceil(handoff.expected_wait_seconds / 60));
      status.textContent = t("Waiting").replace("{minutes}", String(minutes));
      status.dataset.waitSeconds = String(handoff.expected_wait_seconds);
    } else if (state === "human") {
      status.textContent = t("HumanHere");
    } else {
      status.textContent = "";
    }
    if ((state === "waiting_human" || state === "human") && timer === null) {
      timer = window.setInterval(refresh, 3000);
    }
  }

  function render(view) {
    intro.hidden = true;
    log.hidden = false;
    form.hidden = false;
    view.messages.forEach(addMessage);
    setState(view.state, view.handoff);
  }

  function refresh() { return api("GET", "/chat/conversation").then(render); }

  start.addEventListener("click", function () {
    start.disabled = true;
    api("POST", "/chat/start", { pack: root.dataset.pack || null })
      .then(function (view) { render(view); text.focus(); })
      .catch(function (error) { start.disabled = false; fail(error); });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value.trim();
    if (!value || busy) { return; }
    busy = true;
    send.disabled = true;
    api("POST", "/chat/messages", { text: value })
      .then(function () { text.value = ""; return refresh(); })
      .catch(fail)
      .then(function () { busy = false; send.disabled = false; text.focus(); });
  });

  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  human.addEventListener("click", function () {
    human.disabled = true;
    api("POST", "/chat/handoff").then(render).catch(function (error) {
      human.disabled = false;
      fail(error);
    });
  });

  // A chat already under way (the cookie is HttpOnly: ask the server).
  refresh().catch(function () { intro.hidden = false; });
}());
