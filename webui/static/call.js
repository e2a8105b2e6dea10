// The live call page: leg states from Server-Sent Events, a running duration, Hang up.
"use strict";
(function () {
  var box = document.getElementById("call");
  if (!box) { return; }
  var id = Number(box.dataset.id);
  var csrf = box.dataset.csrf;
  var STATES = JSON.parse(box.dataset.states || "{}");     // the states in the page's language
  var CAUSES = JSON.parse(box.dataset.causes || "{}");     // end causes in the page's language
  function said(cause) { return cause ? CAUSES[cause] || cause : ""; }
  var formats = window.callbox.formats;                    // money as the page writes it
  var LIVE = ["waiting", "dialing", "alerting", "connected"];
  // "event" is the id of the live event a leg's state came from: an answer to a fetch
  // that started before a newer event arrived must not undo it.
  var legs = {a: {state: "waiting", seconds: 0, since: null, event: 0},
              b: {state: "waiting", seconds: 0, since: null, event: 0}};
  var source = null;
  var settled = false;

  function part(leg, name) { return document.querySelector("#leg-" + leg + " ." + name); }

  function show(leg) {
    var item = legs[leg];
    var state = part(leg, "state");
    state.textContent = STATES[item.state] || item.state;
    state.dataset.state = item.state;
    var seconds = item.seconds;
    if (item.state === "connected" && item.since !== null) {
      seconds = Math.max(seconds, Math.round((Date.now() - item.since) / 1000));
    }
    part(leg, "seconds").textContent = String(seconds);
  }

  function update(leg, state, seconds, number, event, cause) {
    var item = legs[leg];
    if (event !== null && event < item.event) { return; }
    if (event !== null) { item.event = event; }
    if (state === "connected" && item.state !== "connected") {
      item.since = Date.now() - (seconds || 0) * 1000;
    }
    item.state = state;
    item.seconds = seconds || 0;
    if (number) { part(leg, "number").textContent = number; }
    if (cause) { part(leg, "cause").textContent = said(cause); }
    show(leg);
  }

  function finished() {
    return LIVE.indexOf(legs.a.state) < 0 && (LIVE.indexOf(legs.b.state) < 0 || legs.b.state === "waiting");
  }

  function load() {
    fetch("/api/callbacks/" + id, {credentials: "same-origin"}).then(function (response) {
      return response.json();
    }).then(function (call) {
      ["a", "b"].forEach(function (leg) {
        var item = call.legs[leg];
        if (call.state === "settled") {
          update(leg, item.state, item.seconds, item.number, null);
        } else if (item.event) {
          update(leg, item.state, item.seconds, item.number, item.event);
        }
        part(leg, "cost").textContent = item.cost === null ? "" : formats.money(item.cost);
        part(leg, "cause").textContent = said(item.cause);
      });
      if (call.state === "settled") {
        settled = true;
        const summary = document.getElementById("summary");   // its text in the page's language
        summary.textContent = summary.dataset.ended.replace("{amount}", formats.money(call.cost));
        document.getElementById("hangup").disabled = true;
        if (source) { source.close(); }
      } else if (finished()) {
        setTimeout(load, 1000);     // the legs are over: the bill follows in a moment
      }
    });
  }

  // A stream the box refuses (too many live pages: 429/503) closes for good: read the
  // call's state every few seconds instead and ask for a stream again a little later.
  function listen() {
    source = new EventSource("/api/events");
    source.addEventListener("leg", function (message) {
      var event = JSON.parse(message.data);
      if (event.session !== id) { return; }
      update(event.leg, event.state, event.seconds, event.number, event.id, event.cause);
      if (finished() && !settled) { setTimeout(load, 500); }
    });
    // Events published before the stream was open are only in the box's last state: read it.
    source.addEventListener("open", load);
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED || settled) { return; }
      var polls = setInterval(function () {
        if (settled) { clearInterval(polls); } else { load(); }
      }, 3000);
      setTimeout(function () {
        clearInterval(polls);
        if (!settled) { listen(); }
      }, 15000);
    });
  }
  listen();

  setInterval(function () { show("a"); show("b"); }, 1000);

  document.getElementById("hangup").addEventListener("click", function () {
    var button = this;
    var error = document.getElementById("call-error");
    var ui = window.callbox || {busy: function () {}, toast: function () {}};
    error.hidden = true;
    ui.busy(button, true);
    fetch("/api/callbacks/" + id + "/hangup", {
      method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf}
    }).then(function (response) {
      return response.json().then(function (body) {
        ui.busy(button, false);
        if (response.ok) {
          button.disabled = true;              // the call ends; the legs show it
          ui.toast(button.dataset.done);
          return;
        }
        error.textContent = button.dataset.failed;
        error.hidden = false;
      });
    }).catch(function () {
      ui.busy(button, false);
      error.textContent = button.dataset.failed;
      error.hidden = false;
    });
  });

  load();
}());
