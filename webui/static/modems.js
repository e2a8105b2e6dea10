// The admin modems page: the table refreshed from GET /api/modems every 2 seconds.
"use strict";
(function () {
  var table = document.getElementById("modems");
  var body = document.querySelector("#modems tbody");
  if (!body) { return; }
  var WORDS = JSON.parse(table.dataset.words || "{}");      // the page's words, its language

  function say(text) { return WORDS[text] || text; }
  // gateway's English texts (SMS health, SIM use, recovery) in the page's language
  var said = window.callbox.gatewayTexts(table.dataset.texts);
  // the API's amounts and times ("12.50 EUR", "2026-12-03 14:05:00") as the page writes them
  var formats = window.callbox.formats;

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function bars(count) {
    return "\u25AE".repeat(count) + "\u25AF".repeat(Math.max(0, 5 - count));
  }

  function postForm(name, action, label) {
    // The same form the page was served with: a POST with the session's CSRF token.
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/admin/modems/" + encodeURIComponent(name) + "/" + action;
    form.className = "inline";
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = table.dataset.csrf;
    var button = document.createElement("button");
    button.type = "submit";
    button.className = action;
    button.textContent = label;
    form.appendChild(token);
    form.appendChild(button);
    return form;
  }

  function resetCell(name) {
    var td = document.createElement("td");
    td.appendChild(postForm(name, "reset", say("Reset")));
    return td;
  }

  function small(td, text, className) {
    var line = document.createElement("small");
    line.textContent = text;
    if (className) { line.className = className; }
    td.appendChild(document.createElement("br"));
    td.appendChild(line);
  }

  function creditCell(modem) {
    // The same words as the page (webui/admin/credit.py credit_cell).
    var td = document.createElement("td");
    td.className = "credit";
    var credit = modem.credit;
    if (!credit) { return td; }
    if (credit.checkable) {
      var amount = document.createElement("span");
      amount.className = credit.low ? "trouble" : "";
      amount.textContent = (formats.moneyText(credit.amount) || say("not checked yet")) + (credit.low ? " (" + say("low") + ")" : "");
      td.appendChild(amount);
      if (credit.at) { small(td, formats.whenText(credit.at)); }
      if (credit.error) { small(td, say("last check: {error}").replace("{error}", credit.error), "trouble"); }
      td.appendChild(postForm(modem.name, "balance", say("Check credit")));
    }
    if (credit.keepalive) { small(td, said(formats.datesIn(credit.keepalive))); }
    return td;
  }

  function smsCell(sms) {
    // The same words as the page: gateway/sms_health.py describes each modem's SMS health.
    var td = document.createElement("td");
    td.className = "sms" + (sms && !sms.ok ? " trouble" : "");
    if (!sms) {
      td.textContent = say("not read yet");
      return td;
    }
    td.appendChild(document.createTextNode((sms.ok ? "" : say("TROUBLE:") + " ") + said(sms.summary)));
    td.appendChild(document.createElement("br"));
    var detail = document.createElement("small");
    detail.textContent = said(sms.detail);
    td.appendChild(detail);
    return td;
  }

  function simUseCell(use) {
    // The same words as the page: gateway/care/usage.py SimUsage.summary.
    var td = cell(!use ? "-" : said(use.summary) +
                  (use.at_limit.length ? " (" + say("AT LIMIT: {limits}").replace("{limits}", use.at_limit.map(said).join(", ")) + ")" : ""));
    td.className = "sim-use" + (use && use.at_limit.length ? " trouble" : "");
    return td;
  }

  function recoveryCell(recovery) {
    // The same words as the page: webui/admin/pages.py recovery_cell.
    var td = document.createElement("td");
    td.className = "recovery" + (recovery && recovery.gave_up ? " trouble" : "");
    if (!recovery) {
      td.textContent = say("none");
      return td;
    }
    td.appendChild(document.createTextNode(formats.whenText(recovery.at) + ": " + said(recovery.text)));
    td.appendChild(document.createElement("br"));
    var counts = document.createElement("small");
    counts.textContent = said(recovery.counts);
    td.appendChild(counts);
    return td;
  }

  function row(modem) {
    var tr = document.createElement("tr");
    tr.dataset.name = modem.name;
    var signal = cell(bars(modem.bars) + (modem.dbm === null ? "" : " " + modem.dbm + " dBm"));
    signal.className = "signal";
    var minutes = cell(String(modem.minutes_today));
    minutes.className = "minutes";
    [cell(modem.name), cell(said(modem.state) + " " + said(modem.reason)), cell(modem.vendor),
     cell(modem.operator), signal, cell(said(modem.registration)), cell(said(modem.sim_state)),
     cell(modem.iccid), cell(modem.roles.join(", ")), cell(modem.group),
     cell(say(modem.in_call ? "yes" : "no")), minutes, simUseCell(modem.sim_usage),
     smsCell(modem.sms), creditCell(modem), recoveryCell(modem.recovery),
     resetCell(modem.name)]
      .forEach(function (td) { tr.appendChild(td); });
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
