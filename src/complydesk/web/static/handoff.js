/* AI hand-off queue: keep the waiting list current without a reload.
 *
 * Every 10 s (while the tab is visible) the page fetches itself and swaps
 * in the new waiting list if it changed, so new hand-offs and waiting times
 * appear; focus stays on the same link when it is still there, and a
 * status line announces the change. Without JavaScript the page reads the
 * same and a reload shows the latest list.
 */
(function () {
  "use strict";

  var box = document.getElementById("waiting");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var note = document.getElementById("waiting-note");
  var every = Number(box.getAttribute("data-refresh-seconds") || "10") * 1000;

  function refresh() {
    if (document.hidden) { return; }
    fetch(location.pathname + location.search, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .getElementById("waiting");
        if (!fresh || fresh.innerHTML === box.innerHTML) { return; }
        var focused = document.activeElement;
        var href = focused && box.contains(focused) ? focused.getAttribute("href") : null;
        var before = box.querySelectorAll("tr[data-conversation]").length;
        box.innerHTML = fresh.innerHTML;
        if (href) {
          var again = box.querySelector('a[href="' + href + '"]');
          if (again) { again.focus(); }
        }
        var after = box.querySelectorAll("tr[data-conversation]").length;
        if (note && after !== before) {
          note.textContent = box.getAttribute("data-t-updated").replace("{n}", String(after));
        }
      })
      .catch(function () { /* keep what is shown; the next round tries again */ });
  }

  setInterval(refresh, every);
})();
