// The Virtual phones page: states, timers, typed keys, inboxes and each call's prompts from
// GET /api/phones once a second; the buttons POST /api/phones/<name>/<action>, show busy
// while the box works, and a refusal in the page's words (its data-* texts) by its field.
"use strict";
(function () {
  var box = document.getElementById("phones");
  if (!box) { return; }
  var csrf = box.dataset.csrf;
  var words = box.dataset;
  var CAUSES = JSON.parse(words.causes || "{}");     // why a call ended, in the page's words
  var ui = window.callbox || {toast: function () {}, busy: function () {}};
  var FIELD_WORDS = {number: "badNumber", to: "badNumber", text: "badText", keys: "badKeys"};
  var DONE_WORDS = {sms: "sent", dial: "dialed", answer: "answered", hangup: "hungUp",
                    reject: "rejected"};

  function card(name) { return document.getElementById("phone-" + name); }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : values[key];
    });
  }

  function camel(code) {
    return code.replace(/_([a-z])/g, function (all, letter) { return letter.toUpperCase(); });
  }

  function clock(at) {
    return window.callbox.formats.clock(at);     // as the page writes it (ui.js)
  }

  function timer(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function detail(phone) {
    var peer = phone.peer || words.withheld;
    if (phone.state === "ringing") { return fill(words.incoming, {peer: peer}); }
    if (phone.state === "active") { return fill(words["with"], {peer: peer}); }
    if (phone.state === "dialing" || phone.state === "alerting") {
      return fill(words.calling, {peer: peer});
    }
    return phone.cause ? fill(words.ended, {cause: CAUSES[phone.cause] || phone.cause}) : "";
  }

  function items(list, make) {
    return list.map(function (entry) {
      var li = document.createElement("li");
      make(li, entry);
      return li;
    });
  }

  function stamp(li, at) {
    var time = document.createElement("time");
    time.textContent = clock(at);
    li.append(time, " ");
  }

  function buttons(section, state) {
    var enabled = {dial: state === "idle", answer: state === "ringing", reject: state === "ringing",
                   hangup: state !== "idle"};
    section.querySelectorAll("button[data-action]").forEach(function (button) {
      var action = button.dataset.action;
      if (action in enabled && !button.hasAttribute("aria-busy")) {
        button.disabled = !enabled[action];
      }
    });
    section.querySelectorAll(".keypad button").forEach(function (button) {
      button.disabled = state !== "active";
    });
  }

  function show(phone) {
    var section = card(phone.name);
    if (!section) { return; }
    var state = section.querySelector(".state");
    state.textContent = words[phone.state] || phone.state;
    state.dataset.state = phone.state;
    section.querySelector(".timer").textContent =
      phone.state === "active" ? timer(phone.seconds) : "";
    section.querySelector(".detail").textContent = detail(phone);
    var current = phone.state !== "idle" && phone.calls.length ? phone.calls[0] : null;
    section.querySelector(".typed").textContent = current ? current.keys : "";
    buttons(section, phone.state);
    var inbox = section.querySelector(".inbox");
    inbox.replaceChildren.apply(inbox, items(phone.inbox, function (li, sms) {
      stamp(li, sms.at);
      var from = document.createElement("span");
      from.className = "from";
      from.textContent = sms.from;
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = sms.text;
      li.append(from, ": ", text);
    }));
    var calls = section.querySelector(".calls");
    calls.replaceChildren.apply(calls, items(phone.calls, function (li, call) {
      li.dataset.call = call.number;
      if (call === current) { li.className = "current"; }
      var head = document.createElement("span");
      head.className = "call-head";
      head.textContent = fill(words.call, {number: call.number, peer: call.peer || words.withheld,
                                           time: clock(call.at)});
      var heard = document.createElement("ol");
      heard.className = "transcript";
      heard.replaceChildren.apply(heard, items(call.heard, function (item, prompt) {
        item.dataset.prompt = prompt.prompt;
        item.lang = prompt.lang;          // the words of the language the box spoke
        item.dir = "auto";
        stamp(item, prompt.at);
        item.append(prompt.text);
      }));
      li.append(head, heard);
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
    card(name).querySelectorAll("input[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }

  function fail(name, field, message) {
    var p = document.getElementById(name + "-" + field + "-error") ||
            document.getElementById(name + "-error");
    p.textContent = message;
    p.hidden = false;
    var input = document.getElementById(name + "-" + field);
    if (input) { input.setAttribute("aria-invalid", "true"); }
  }

  function refused(name, action, answer, status) {
    var fields = answer.fields || {};
    var names = Object.keys(fields);
    if (names.length) {
      names.forEach(function (field) {
        fail(name, field, words[FIELD_WORDS[field]] || fields[field]);
      });
    } else {
      fail(name, "", (answer.code && words[camel(answer.code)]) || answer.error ||
           words.down + " (" + status + ")");
    }
  }

  function post(name, action, data, button) {
    clearErrors(name);
    ui.busy(button, true);
    return fetch("/api/phones/" + name + "/" + action, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Content-Type": "application/json"},
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          refused(name, action, answer, response.status);
          return false;
        }
        if (DONE_WORDS[action]) {
          ui.toast(fill(words[DONE_WORDS[action]], {name: name, number: data && data.number}));
        }
        return true;
      });
    }).catch(function () {
      fail(name, "", words.down);
      return false;
    }).then(function (ok) {
      ui.busy(button, false);
      var section = card(name);        // as the last refresh showed it
      buttons(section, section.querySelector(".state").dataset.state);
      return ok;
    });
  }

  box.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled) { return; }
    var section = button.closest(".phone");
    var name = section.dataset.name;
    if (button.dataset.key) {
      var typed = section.querySelector(".typed");
      typed.textContent += button.dataset.key;          // shown at once; the box confirms
      post(name, "press", {keys: button.dataset.key}, null);
      return;
    }
    var action = button.dataset.action;
    if (action === "dial") {
      var number = section.querySelector(".dial-number").value;
      post(name, "dial", {number: number || box.dataset.access}, button);
    } else if (action === "sms") {
      var text = section.querySelector(".sms-text");
      post(name, "sms", {to: section.querySelector(".sms-to").value, text: text.value}, button)
        .then(function (ok) { if (ok) { text.value = ""; } });
    } else if (action) {
      post(name, action, {}, button);
    }
  });

  setTimeout(refresh, 0);
}());
