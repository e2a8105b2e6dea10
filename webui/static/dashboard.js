// The admin dashboard: draws the charts (Chart.js, when the box has it) from the figures
// in the page, and every data-refresh seconds reads the page again and puts its new
// figures, tables and chart data in place (texts stay in the reader's language).
"use strict";
(function () {
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var seconds = Number(root.dataset.refresh) || 15;
  var charts = {};
  var REPLACED = ["dashboard-status", "figures-today", "sims", "modems"];

  function figures(doc) {
    return JSON.parse(doc.getElementById("figures-data").textContent);
  }

  function draw(key, rows) {
    var canvas = document.getElementById("canvas-" + key);
    if (!canvas || typeof window.Chart === "undefined") { return; }
    var labels = rows.map(function (row) { return key === "days" ? row.label.slice(5) : row.label; });
    var calls = rows.map(function (row) { return row.calls; });
    var minutes = rows.map(function (row) { return row.minutes; });
    if (charts[key]) {
      charts[key].data.labels = labels;
      charts[key].data.datasets[0].data = calls;
      charts[key].data.datasets[1].data = minutes;
      charts[key].update();
      return;
    }
    var colours = getComputedStyle(document.documentElement);
    window.Chart.defaults.color = colours.getPropertyValue("--muted").trim() || "#555";
    window.Chart.defaults.borderColor = colours.getPropertyValue("--line").trim() || "#ddd";
    charts[key] = new window.Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: [
        {label: canvas.dataset.calls, data: calls, backgroundColor: "#3b6fd8", yAxisID: "calls",
         order: 2},
        {label: canvas.dataset.minutes, data: minutes, type: "line", borderColor: "#d9822b",
         backgroundColor: "#d9822b", yAxisID: "minutes", cubicInterpolationMode: "monotone", pointRadius: 2,
         order: 1}]},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                interaction: {mode: "index", intersect: false},
                scales: {calls: {type: "linear", position: "left", beginAtZero: true,
                                 ticks: {precision: 0}},
                         minutes: {type: "linear", position: "right", beginAtZero: true,
                                   grid: {drawOnChartArea: false}}}}
    });
  }

  function show(found) {
    draw("hours", found.hours);
    draw("days", found.days);
    root.dataset.drawn = String(Object.keys(charts).length);
  }

  function take(doc) {
    REPLACED.forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
    });
    ["hours", "days"].forEach(function (key) {
      var fresh = doc.querySelector("#table-" + key + " tbody");
      var old = document.querySelector("#table-" + key + " tbody");
      if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
    });
    show(figures(doc));
  }

  function refresh() {
    fetch(window.location.pathname, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      take(new DOMParser().parseFromString(html, "text/html"));
      root.dataset.refreshed = String(Date.now());
    }).catch(function () {
      // A missed refresh (the box restarting, a login expired) is retried by the next tick.
    }).then(function () { setTimeout(refresh, seconds * 1000); });
  }

  show(figures(document));
  setTimeout(refresh, seconds * 1000);
}());
