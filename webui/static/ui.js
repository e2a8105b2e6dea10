// What every page shares: the menu on a small screen, tables as cards on a phone (each cell
// labelled by its column) with secondary columns behind a toggle, busy buttons while a form
// is sent, and a short toast for what just happened (window.callbox.toast).
"use strict";
(function () {
  document.documentElement.classList.add("js");
  var toastTimer = null;

  function text(name, fallback) {
    var main = document.getElementById("content");
    return (main && main.dataset[name]) || fallback;
  }

  function toast(message, isError) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = message;
    box.classList.toggle("error", Boolean(isError));
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.textContent = ""; }, isError ? 8000 : 4000);
  }

  function busy(button, on) {
    if (!button) { return; }
    if (on) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    } else {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  }

  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return {text: th.textContent.trim(), more: th.classList.contains("more")};
    });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, index) {
        var head = heads[index];
        if (!head) { return; }
        if (head.text && !td.dataset.label) { td.dataset.label = head.text; }
        if (head.more) { td.classList.add("more"); }
      });
    });
  }

  function columnsToggle(table) {
    if (!table.querySelector("thead th.more")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "columns secondary";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", table.id || "");
    button.textContent = text("columnsMore", "Show all columns");
    button.addEventListener("click", function () {
      var all = table.classList.toggle("all");
      button.setAttribute("aria-pressed", String(all));
      button.textContent = all ? text("columnsLess", "Show fewer columns")
                               : text("columnsMore", "Show all columns");
    });
    var holder = table.closest(".scroll") || table;
    holder.parentNode.insertBefore(button, holder);
  }

  function tables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (!table.tHead || table.classList.contains("plain")) { return; }
      table.classList.add("cards");
      label(table);
      columnsToggle(table);
      // pages redraw their rows (modems.js, admin_calls.js ...): label the new ones too
      new MutationObserver(function () { label(table); })
        .observe(table, {childList: true, subtree: true});
    });
  }

  function menu() {
    var button = document.querySelector("header button.menu");
    var nav = document.getElementById("menu");
    if (!button || !nav) { return; }
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", String(open));
      if (open) { var first = nav.querySelector("a"); if (first) { first.focus(); } }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
    nav.querySelectorAll("a").forEach(function (link) {
      if (link.getAttribute("href") === location.pathname) {
        link.setAttribute("aria-current", "page");
      }
    });
  }

  function forms() {
    // A form that reloads the page: its button shows busy until the next page arrives.
    document.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      var button = event.submitter;
      if (!button || button.classList.contains("link")) { return; }
      button.setAttribute("aria-busy", "true");
      setTimeout(function () { button.disabled = true; }, 0);    // after the form read it
    });
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }        // back to a page kept in memory: not busy
      document.querySelectorAll("button[aria-busy]").forEach(function (button) {
        busy(button, false);
      });
    });
  }

  function notices() {
    var notice = document.querySelector("main .notice:not([hidden])");
    if (notice && notice.textContent.trim()) { toast(notice.textContent.trim(), false); }
  }

  function gatewayTexts(json) {
    // Gives a function that writes gateway's English texts in the page's language, the
    // way webui/gateway_texts.py `translate` does; `json` is its table (js_table).
    var table = JSON.parse(json || "{}");
    var nested = table.nested || [];
    var rules = (table.texts || []).map(function (rule) {
      return [new RegExp("^(?:" + rule[0] + ")$"), rule[1]];
    });
    function one(text) {
      for (var i = 0; i < rules.length; i++) {
        var found = rules[i][0].exec(text);
        if (found) {
          var values = found.groups || {};
          return rules[i][1].replace(/\{(\w+)\}/g, function (all, name) {
            if (!(name in values)) { return all; }
            return nested.indexOf(name) >= 0 ? translate(values[name]) : values[name];
          });
        }
      }
      return null;
    }
    function translate(text) {
      text = String(text);
      var whole = one(text);
      if (whole !== null) { return whole; }
      var separators = ["; ", ", "];
      for (var i = 0; i < separators.length; i++) {
        var pieces = text.split(separators[i]);
        if (pieces.length > 1) { return pieces.map(translate).join(separators[i]); }
      }
      return text;
    }
    return translate;
  }

  window.callbox = {toast: toast, busy: busy, gatewayTexts: gatewayTexts};
  document.addEventListener("DOMContentLoaded", function () {
    menu();
    tables();
    forms();
    notices();
  });
}());
