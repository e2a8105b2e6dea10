// The first-run page: its steps redrawn from GET /admin/start/steps every 2 seconds, so
// each turns to done while the admin works in another tab.
(function () {
  "use strict";

  function refresh() {
    fetch("/admin/start/steps", {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var steps = document.getElementById("steps");
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("steps");
      if (fresh && fresh.innerHTML !== steps.innerHTML) {
        steps.replaceWith(fresh);
      }
    }).catch(function () {
      // A missed refresh is retried by the next tick; the steps keep their last state.
    }).then(function () { setTimeout(refresh, 2000); });
  }

  setTimeout(refresh, 2000);
}());
