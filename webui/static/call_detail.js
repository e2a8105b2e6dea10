// A call's detail page while the call runs: on each live event of the call (its timeline
// written, its bill written) the page is fetched again and its #call-live part put in place
// of the one shown, so the server's template alone draws it (times, money, language). Once
// the call has ended the stream closes and the page stays as the box last drew it.
"use strict";
(function () {
  var live = document.getElementById("call-live");
  if (!live || live.dataset.state !== "running") { return; }    // an ended call: no stream
  var id = live.dataset.id;
  var source = null;
  var over = false;         // the call has ended: nothing more to follow
  var loading = false;      // a fetch is under way ...
  var again = false;        // ... and another event came meanwhile
  var polls = null;         // reading the page every few seconds while refused a stream
  var settling = null;      // the legs are over: the bill follows in a moment

  function stop() {
    over = true;
    if (source) { source.close(); }
    clearInterval(polls);
    clearTimeout(settling);
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("call-live");
    if (!fresh || over) { return; }
    live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
    live.dataset.state = fresh.dataset.state;
    live.dataset.legsOver = fresh.dataset.legsOver;
    window.callbox.tables(live);      // the new tables as cards on a phone, as served
    if (fresh.dataset.state !== "running") {
      stop();
    } else if (fresh.dataset.legsOver === "yes") {
      // the bill's own event normally comes first; a bill kept back while the database is
      // away (or an event lost) is read this way
      clearTimeout(settling);
      settling = setTimeout(load, 2000);
    }
  }

  function load() {
    if (over) { return; }
    if (loading) { again = true; return; }
    loading = true;
    fetch(location.pathname, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(swap).catch(function () {
        // A missed refresh is retried by the next event or poll; the page keeps its last.
      }).then(function () {
        loading = false;
        if (again) { again = false; load(); }
      });
  }

  // A stream the box refuses (too many live pages: 429/503) closes for good: read the
  // page every few seconds instead and ask for a stream again a little later.
  function listen() {
    source = new EventSource("/api/events?session=" + encodeURIComponent(id));
    source.addEventListener("timeline", load);
    source.addEventListener("settled", load);
    // what happened before the stream was open is only in the page: read it again
    source.addEventListener("open", load);
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED || over) { return; }
      clearInterval(polls);
      polls = setInterval(load, 3000);
      setTimeout(function () {
        clearInterval(polls);
        if (!over) { listen(); }
      }, 15000);
    });
  }
  listen();
}());
