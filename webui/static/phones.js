// The Virtual phones page: states, inboxes and transcripts from GET /api/phones once a
// second; the buttons POST /api/phones/<name>/<action> and show a refusal by its field.
"use strict";
(function () {
  var box = document.getElementById("phones");
  if (!box) { return; }
  var csrf = box.dataset.csrf;
  var LABELS = {idle: "idle", dialing: "dialing", alerting: "alerting",
                ringing: "ringing", active: "in call"};

  function card(name) { return document.getElementById("phone-" + name); }

  function detail(phone) {
    var peer = phone.peer || "a withheld number";
    if (phone.state === "ringing") { return "incoming call from " + peer; }
    if (phone.state === "active") { return "with " + peer + ", " + phone.seconds + " s"; }
    if (phone.state === "dialing" || phone.state === "alerting") { return "calling " + peer; }
    return phone.cause ? "last call ended: " + phone.cause : "";
  }

  function items(list, make) {
    return list.map(function (entry) {
      var li = document.createElement("li");
      make(li, entry);
      return li;
    });
  }

  function show(phone) {
    var section = card(phone.name);
    if (!section) { return; }
    var state = section.querySelector(".state");
    state.textContent = LABELS[phone.state] || phone.state;
    state.dataset.state = phone.state;
    section.querySelector(".detail").textContent = detail(phone);
    var inbox = section.querySelector(".inbox");
    inbox.replaceChildren.apply(inbox, items(phone.inbox, function (li, sms) {
      var from = document.createElement("span");
      from.className = "from";
      from.textContent = sms.from;
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = sms.text;
      li.append(from, ": ", text);
    }));
    var heard = section.querySelector(".transcript");
    heard.replaceChildren.apply(heard, items(phone.transcript, function (li, item) {
      li.dataset.prompt = item.prompt;
      li.textContent = item.text;
    }));
  }

  function refresh() {
    var started = Date.now();
    fetch("/api/phones", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      data.phones.forEach(show);
    }).catch(function () {
      // A missed refresh is retried by the next tick; the cards keep their last values.
    }).then(function () { setTimeout(refresh, Math.max(0, 1000 - (Date.now() - started))); });
  }

  function clearErrors(name) {
    card(name).querySelectorAll(".error").forEach(function (p) {
      p.hidden = true;
      p.textContent = "";
    });
  }

  function fail(name, field, message) {
    var p = document.getElementById(name + "-" + field + "-error") ||
            document.getElementById(name + "-error");
    p.textContent = message;
    p.hidden = false;
  }

  function post(name, action, data) {
    clearErrors(name);
    fetch("/api/phones/" + name + "/" + action, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Content-Type": "application/json"},
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) { return; }
        var fields = answer.fields || {};
        var names = Object.keys(fields);
        if (names.length) {
          names.forEach(function (field) { fail(name, field, fields[field]); });
        } else {
          fail(name, "", answer.error || (action + " failed: " + response.status));
        }
      });
    }).catch(function () {
      fail(name, "", "the box did not answer; is the demo still running?");
    });
  }

  box.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var section = button.closest(".phone");
    var name = section.dataset.name;
    if (button.dataset.key) {
      post(name, "press", {keys: button.dataset.key});
      return;
    }
    var action = button.dataset.action;
    if (action === "dial") {
      post(name, "dial", {number: section.querySelector(".dial-number").value});
    } else if (action === "sms") {
      post(name, "sms", {to: section.querySelector(".sms-to").value,
                         text: section.querySelector(".sms-text").value});
    } else if (action) {
      post(name, action, {});
    }
  });

  setTimeout(refresh, 0);
}());
