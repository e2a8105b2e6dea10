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

  function tables(root) {
    // `root`: a part of the page a script put in place anew (call_detail.js); else all
    (root || document).querySelectorAll("main table").forEach(function (table) {
      if (!table.tHead || table.classList.contains("plain") || table.classList.contains("cards")) {
        return;
      }
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
    var figures = table.figures || [];
    var decimal = table.decimal || ".";
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
            if (nested.indexOf(name) >= 0) { return translate(values[name]); }
            if (figures.indexOf(name) >= 0) {
              return values[name].replace(/([0-9])\.(?=[0-9])/g, "$1" + decimal);
            }
            return values[name];
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

  function formats() {
    // Gives the page's ways of writing times and money, as webui/i18n.py Language writes
    // them on the server (its script_formats in <meta name="callbox-formats">): English in
    // the box's house forms ("2026-12-03 14:05:00", "12.50 EUR"), another language with
    // Intl the way Babel writes it ("03.12.2026, 14:05:00", "12,50 €"). A time is the
    // box's wall clock (its offset from UTC), as on the served page, whatever the
    // browser's zone; a text the JSON API wrote in the house form is read back first.
    var meta = document.querySelector('meta[name="callbox-formats"]');
    var given = {};
    try { given = JSON.parse((meta && meta.content) || "{}"); } catch (error) { given = {}; }
    var house = !given.lang || given.lang === "en";
    var offset = Number(given.offset) || 0;
    var HOUSE_TIME = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)(?::(\d\d))?$/;
    var HOUSE_MONEY = /^(-?)(\d+)(?:\.(\d+))? ([A-Za-z]{3})$/;

    function pad(number) { return (number < 10 ? "0" : "") + number; }

    function dateOf(moment) {      // `moment`: a Date whose UTC fields are the wall clock
      if (house) {
        return moment.getUTCFullYear() + "-" + pad(moment.getUTCMonth() + 1) + "-" +
          pad(moment.getUTCDate());
      }
      return new Intl.DateTimeFormat(given.locale, {day: "2-digit", month: "2-digit",
                                                    year: "numeric", timeZone: "UTC"})
        .format(moment);
    }

    function clockOf(moment, seconds) {
      if (house) {
        return pad(moment.getUTCHours()) + ":" + pad(moment.getUTCMinutes()) +
          (seconds ? ":" + pad(moment.getUTCSeconds()) : "");
      }
      var options = {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC"};
      if (seconds) { options.second = "2-digit"; }
      return new Intl.DateTimeFormat(given.locale, options).format(moment);
    }

    function wall(stamp) { return new Date((Number(stamp) + offset) * 1000); }

    function when(stamp, seconds) {
      // a Unix time as the page's date and time ('' for none); seconds unless false
      if (!stamp) { return ""; }
      var moment = wall(stamp);
      return dateOf(moment) + (house ? " " : ", ") + clockOf(moment, seconds !== false);
    }

    function clock(stamp, seconds) {
      if (!stamp) { return ""; }
      return clockOf(wall(stamp), seconds !== false);
    }

    function whenText(text) {
      // a time the JSON API wrote ('2026-12-03 14:05:00') in the page's form
      var found = HOUSE_TIME.exec(text || "");
      if (!found || house) { return text || ""; }
      var moment = new Date(Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3]),
                                     Number(found[4]), Number(found[5]), Number(found[6] || 0)));
      return dateOf(moment) + ", " + clockOf(moment, found[6] !== undefined);
    }

    function datesIn(text) {
      return String(text || "").replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, whenText);
    }

    function amount(sign, whole, part, currency) {
      // Intl's currency form, at least two decimals and as many as the amount has
      if (house || currency.length !== 3) { return null; }
      try {
        return new Intl.NumberFormat(given.locale, {
          style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: 2,
          maximumFractionDigits: Math.max(2, part.length)
        }).format(Number(sign + whole + "." + (part || "0")));
      } catch (error) {
        return null;      // a currency Intl does not know: the house form
      }
    }

    function money(minor, digits) {
      // an amount in minor units: '12.50 EUR' in English, '12,50 €' in German
      if (minor === null || minor === undefined) { return ""; }
      digits = digits === undefined ? 2 : digits;
      var sign = minor < 0 ? "-" : "";
      var rest = String(Math.abs(minor));
      while (rest.length <= digits) { rest = "0" + rest; }
      var whole = rest.slice(0, rest.length - digits);
      var part = rest.slice(rest.length - digits);
      var currency = given.currency || "";
      return amount(sign, whole, part, currency) ||
        (sign + whole + (digits ? "." + part : "") + " " + currency).trim();
    }

    function moneyText(text) {
      // an amount the JSON API wrote ('12.50 EUR') in the page's form
      var found = HOUSE_MONEY.exec(text || "");
      if (!found) { return text || ""; }
      return amount(found[1], found[2], found[3] || "", found[4]) || text;
    }

    return {when: when, clock: clock, whenText: whenText, datesIn: datesIn, money: money,
            moneyText: moneyText};
  }

  window.callbox = {toast: toast, busy: busy, gatewayTexts: gatewayTexts, formats: formats(),
                   tables: tables};
  document.addEventListener("DOMContentLoaded", function () {
    menu();
    tables();
    forms();
    notices();
  });
}());
