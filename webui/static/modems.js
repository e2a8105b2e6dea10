// The admin modems page: the table refreshed from GET /api/modems every 2 seconds.
"use strict";
(function () {
  var body = document.querySelector("#modems tbody");
  if (!body) { return; }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function bars(count) {
    return "\u25AE".repeat(count) + "\u25AF".repeat(Math.max(0, 5 - count));
  }

  function row(modem) {
    var tr = document.createElement("tr");
    tr.dataset.name = modem.name;
    var signal = cell(bars(modem.bars) + (modem.dbm === null ? "" : " " + modem.dbm + " dBm"));
    signal.className = "signal";
    [cell(modem.name), cell(modem.state + " " + modem.reason), cell(modem.vendor),
     cell(modem.operator), signal, cell(modem.registration), cell(modem.sim_state),
     cell(modem.iccid), cell(modem.roles.join(", ")), cell(modem.group),
     cell(modem.in_call ? "yes" : "no")].forEach(function (td) { tr.appendChild(td); });
    return tr;
  }

  function refresh() {
    fetch("/api/modems", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      var rows = data.modems.map(row);
      body.replaceChildren.apply(body, rows);
    }).catch(function () {
      // A missed refresh is retried by the next tick; the table keeps its last values.
    }).then(function () { setTimeout(refresh, 2000); });
  }

  setTimeout(refresh, 2000);
}());
