/* Agent desk: live speech-compliance feedback on the reply box (no build step).
 *
 * As the agent types, the draft is checked (debounced) by POST <check url>,
 * the same checker the send path runs; findings are highlighted inline with
 * their reason and suggested rewrite. The server still decides on send.
 * After a form post the history entry is swapped for the page's GET address,
 * so a reload never re-sends a form and never shows a revealed value again.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-canonical]");
  if (root && window.history && history.replaceState) {
    var target = root.getAttribute("data-canonical");
    if (target && location.pathname + location.search !== target) {
      history.replaceState(null, "", target);
    }
  }

  var form = document.getElementById("reply-form");
  if (!form) { return; }
  var box = document.getElementById("reply-text");
  var panel = document.getElementById("reply-check");
  var words = JSON.parse(document.getElementById("agent-strings").textContent);
  var url = form.getAttribute("data-check-url");
  var csrf = form.getAttribute("data-csrf");
  var timer = null;
  var seq = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // Offsets from the server are code points; JS strings index UTF-16 units.
  function highlighted(text, findings) {
    var chars = Array.from(text);
    var out = el("p", "highlighted");
    out.id = "reply-highlight";
    var cursor = 0;
    findings.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; })
      .forEach(function (f) {
        if (f.start < cursor || f.end <= f.start) { return; }
        out.appendChild(document.createTextNode(chars.slice(cursor, f.start).join("")));
        var mark = el("mark", "sev-" + f.severity, chars.slice(f.start, f.end).join(""));
        mark.title = f.reason;
        out.appendChild(mark);
        cursor = f.end;
      });
    out.appendChild(document.createTextNode(chars.slice(cursor).join("")));
    return out;
  }

  function useSuggestion(text, f) {
    var chars = Array.from(text);
    if (box.value !== text) { return; }
    box.value = chars.slice(0, f.start).join("") + f.suggestion + chars.slice(f.end).join("");
    box.focus();
    schedule(0);
  }

  function show(text, result) {
    panel.textContent = "";
    panel.hidden = false;
    panel.setAttribute("data-verdict", result.verdict);
    var head = el("p", "verdict verdict-" + result.verdict,
      words.title + ": " + words[result.verdict]);
    head.id = "reply-verdict";
    panel.appendChild(head);
    if (!result.findings.length) { return; }
    panel.appendChild(highlighted(text, result.findings));
    var list = el("ul", "findings");
    result.findings.forEach(function (f) {
      var item = el("li", "sev-" + f.severity);
      item.appendChild(el("span", "badge sev-" + f.severity, words["sev_" + f.severity]));
      item.appendChild(document.createTextNode(" " + words.reason + ": " + f.reason));
      item.appendChild(el("br"));
      item.appendChild(document.createTextNode(words.suggestion + ": "));
      item.appendChild(el("q", "", f.suggestion));
      if (f.suggestion) {
        var button = el("button", "secondary", words.use);
        button.type = "button";
        button.addEventListener("click", function () { useSuggestion(text, f); });
        item.appendChild(el("br"));
        item.appendChild(button);
      }
      list.appendChild(item);
    });
    panel.appendChild(list);
  }

  function check() {
    var text = box.value;
    var mine = ++seq;
    if (!text.trim()) { panel.hidden = true; panel.textContent = ""; return; }
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: text })
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (result) {
      if (mine === seq) { show(text, result); }
    }).catch(function () {
      if (mine === seq) {
        panel.textContent = "";
        panel.appendChild(el("p", "verdict", words.failed));
      }
    }).then(function () { panel.removeAttribute("aria-busy"); });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, delay);
  }

  box.addEventListener("input", function () { schedule(350); });
  if (box.value.trim()) { schedule(0); }
})();
