// The AT console: appends the modem's new lines (sent, answers, unsolicited) every second,
// and changes the page when another modem is picked.
"use strict";
(function () {
  var feed = document.getElementById("feed");
  var picker = document.getElementById("modem");
  if (!feed) { return; }
  var marks = {sent: ">", answer: "<", urc: "!", error: "?"};
  var KEPT_LINES = 200;
  var last = Number(feed.dataset.last) || 0;

  picker.addEventListener("change", function () {
    window.location.assign("/admin/console?modem=" + encodeURIComponent(picker.value));
  });

  function poll() {
    var url = "/admin/console/lines?modem=" + encodeURIComponent(feed.dataset.modem) +
      "&after=" + last;
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      data.lines.forEach(function (line) {
        feed.appendChild(document.createTextNode(
          window.callbox.formats.clock(line.at) + " " + marks[line.kind] + " " + line.text + "\n"));
        last = line.id;
      });
      if (data.lines.length) {
        var kept = feed.textContent.split("\n");
        if (kept.length > KEPT_LINES + 50) {        // as many as the box keeps, give or take
          feed.textContent = kept.slice(-KEPT_LINES - 1).join("\n");
        }
        feed.scrollTop = feed.scrollHeight;
      }
    }).catch(function () {
      // A missed poll is retried by the next tick.
    }).then(function () { setTimeout(poll, 1000); });
  }

  setTimeout(poll, 1000);
}());
