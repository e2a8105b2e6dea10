// The admin modems page's voice tests: a running test's cell follows
// GET /api/admin/modems/<name>/voicetest?request=<id> every second until it ends.
"use strict";
(function () {
  var rows = document.querySelectorAll("#voicetests tbody tr[data-request]");
  var table = document.getElementById("voicetests");
  // the states in the page's language (modems.tpl); one it does not name stays as given
  var STATES = JSON.parse((table && table.dataset.states) || "{}");
  // gateway's English progress, figures and advice in the page's language
  var said = window.callbox.gatewayTexts(table && table.dataset.texts);

  function line(parent, tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) { node.className = className; }
    parent.appendChild(node);
    return node;
  }

  function show(td, test) {
    // The same words as the page (webui/views/modems.tpl, gateway/care/voicetests.py).
    td.replaceChildren();
    var failed = test.state === "failed" || test.state === "expired";
    line(td, "span", test.number + ", " + (STATES[test.state] || test.state) +
         (test.error ? ": " + said(test.error) : ""),
         "summary" + (failed ? " trouble" : ""));
    var running = test.state === "queued" || test.state === "running";
    if (running && test.progress.length) {
      td.appendChild(document.createElement("br"));
      line(td, "small", said(test.progress[test.progress.length - 1]), "progress");
    }
    if (test.described.length) {
      var table = line(td, "table", "", "figures");
      test.described.forEach(function (pair) {
        var tr = document.createElement("tr");
        line(tr, "th", said(pair[0]));
        line(tr, "td", said(pair[1]));
        table.appendChild(tr);
      });
      test.advice.forEach(function (text) {
        line(td, "small", said(text), "advice");
        td.appendChild(document.createElement("br"));
      });
    }
    return running;
  }

  function follow(tr) {
    var url = "/api/admin/modems/" + encodeURIComponent(tr.dataset.name) +
      "/voicetest?request=" + encodeURIComponent(tr.dataset.request);
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      if (data.request && !show(tr.querySelector("td.voicetest"), data.request)) {
        tr.dataset.request = "";
      }
    }).catch(function () {
      // A missed look is retried by the next one; the cell keeps what it showed.
    }).then(function () {
      if (tr.dataset.request) { setTimeout(function () { follow(tr); }, 1000); }
    });
  }

  Array.prototype.forEach.call(rows, function (tr) {
    if (tr.dataset.request) { setTimeout(function () { follow(tr); }, 1000); }
  });
}());
