/* Counts the dashboard's clocks down between page loads: every element with
   data-due gets its time left rewritten each few seconds (server-rendered
   first, so the page reads the same without scripts). */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  function text(seconds) {
    var left = Math.abs(seconds);
    var days = Math.floor(left / 86400), hours = Math.floor((left % 86400) / 3600);
    var minutes = Math.floor((left % 3600) / 60), out;
    if (zh) {
      out = (days ? days + "天" : "") + (hours || days ? hours + "小时" : "") + minutes + "分";
      return seconds < 0 ? "已逾期 " + out : out;
    }
    out = [days ? days + "d" : "", hours || days ? hours + "h" : "", minutes + "m"].filter(Boolean).join(" ");
    return seconds < 0 ? out + " overdue" : out;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (cell) {
      var due = Date.parse(cell.getAttribute("data-due"));
      if (!isNaN(due)) { cell.textContent = text(Math.floor((due - now) / 1000)); }
    });
  }

  window.setInterval(tick, 5000);
}());
