// The admin calls page: the "running now" table refreshed from GET /admin/calls/live.
"use strict";
(function () {
  var body = document.querySelector("#live tbody");
  var none = document.getElementById("no-live");
  if (!body) { return; }
  // the states in the page's language (admin_calls.tpl); one it does not name stays as given
  var STATES = JSON.parse(document.getElementById("live").dataset.states || "{}");
  var formats = window.callbox.formats;      // times as the page writes them

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function legCell(leg) {
    var td = cell((leg.number || "") + " ");
    var state = document.createElement("span");
    state.className = "state";
    state.dataset.state = leg.state;
    state.textContent = STATES[leg.state] || leg.state;
    td.appendChild(state);
    td.appendChild(document.createTextNode(" " + leg.seconds + " s"));
    return td;
  }

  function detailCell(id) {
    var td = document.createElement("td");
    var link = document.createElement("a");
    link.href = "/calls/" + id + "/detail";
    link.textContent = String(id);
    td.appendChild(link);
    return td;
  }

  function row(call) {
    var tr = document.createElement("tr");
    tr.dataset.session = call.id;
    var since = cell(formats.when(call.started_at));
    since.className = "since";
    [detailCell(call.id), cell(call.account), cell(call.kind), cell(call.number),
     since, legCell(call.legs.a), legCell(call.legs.b)]
      .forEach(function (td) { tr.appendChild(td); });
    return tr;
  }

  function refresh() {
    fetch("/admin/calls/live", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      body.replaceChildren.apply(body, data.sessions.map(row));
      none.hidden = data.sessions.length > 0;
    }).catch(function () {
      // A missed refresh is retried by the next tick; the table keeps its last rows.
    }).then(function () { setTimeout(refresh, 2000); });
  }

  setTimeout(refresh, 2000);
}());
