/* ThemeSystem consumer loader (MIT). ThemeSystem.load({themeId, version, cdnBase, apiBase?, integrity?}) */
// Plain JavaScript (ES5 syntax, browser Promise/fetch), no dependencies: it must run in any page, before any bundler, and stay under 2 KB minified.
(function (win, doc) {
  "use strict";
  // Both go into a URL path: only these characters may.
  var SEMVER = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/;
  var UUID = /^[0-9a-f-]{36}$/i;
  var BATCH = 20; // the beacon endpoint's default BEACON_MAX_EVENTS
  var queues = {};
  var timer = 0;
  var newest = 0;

  function base(url) {
    return String(url).replace(/\/+$/, "");
  }

  // Applied theme sheets are the <link id="theme-..."> elements; one being loaded has no id yet.
  function applied() {
    return doc.querySelectorAll('link[rel="stylesheet"][id^="theme-"]');
  }

  function flush() {
    clearTimeout(timer);
    timer = 0;
    for (var url in queues) {
      var events = queues[url];
      delete queues[url];
      // text/plain is CORS-safelisted: no preflight, which a beacon cannot make.
      while (events.length && navigator.sendBeacon) {
        navigator.sendBeacon(
          url,
          new Blob([JSON.stringify({ events: events.splice(0, BATCH) })], { type: "text/plain" })
        );
      }
    }
  }

  function report(o) {
    var url = base(o.apiBase) + "/v1/analytics/beacon";
    var events = (queues[url] = queues[url] || []);
    events.push({ theme_id: o.themeId, event_type: "view", version: o.version });
    if (events.length >= BATCH) flush();
    else timer = timer || setTimeout(flush, o.flushMs || 5000);
  }

  // The SRI of a pinned version: given, or the one the API computed from the stored bytes.
  function integrityOf(o) {
    if (o.version == "latest") return ""; // latest changes under the same URL: it cannot be pinned
    if (o.integrity) return o.integrity;
    if (!o.apiBase) throw Error("pinned version needs integrity or apiBase");
    // A simple CORS GET (no credentials cross-origin by default): no preflight.
    return fetch(base(o.apiBase) + "/v1/themes/" + o.themeId + "/versions")
      .then(function (r) {
        if (!r.ok) throw Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (list) {
        for (var i = 0; i < list.length; i++) {
          if (list[i].version == o.version && list[i].sri) return list[i].sri;
        }
        throw Error("no SRI for " + o.version);
      });
  }

  function swap(o, integrity, ticket) {
    var href = base(o.cdnBase) + "/themes-published/" + o.themeId + "/" + o.version + "/theme.css";
    var old = applied();
    if (old.length == 1 && old[0].getAttribute("href") == href) return old[0]; // already shown
    return new Promise(function (resolve, reject) {
      var link = doc.createElement("link");
      link.rel = "stylesheet";
      if (integrity) {
        link.integrity = integrity;
        link.crossOrigin = "anonymous";
      }
      link.onload = function () {
        if (ticket != newest) {
          link.remove(); // a later load() call owns the page now
          return reject(Error("superseded"));
        }
        // Only now does the old sheet go: the new one already applies, so no frame is unstyled.
        var gone = applied();
        for (var j = 0; j < gone.length; j++) gone[j].remove();
        link.id = "theme-" + o.themeId;
        resolve(link);
      };
      link.onerror = function () {
        link.remove(); // network error, HTTP error or integrity mismatch: the old sheet stays
        reject(Error("could not load " + href));
      };
      link.href = href;
      var last = old[old.length - 1];
      if (last) last.after(link);
      else doc.head.appendChild(link);
    });
  }

  function load(o) {
    var ticket = ++newest;
    return Promise.resolve()
      .then(function () {
        if (!UUID.test(o.themeId) || !(o.version == "latest" || SEMVER.test(o.version))) {
          throw Error("bad themeId or version");
        }
        return integrityOf(o);
      })
      .then(function (integrity) {
        return swap(o, integrity, ticket);
      })
      .then(function (link) {
        if (o.apiBase) report(o);
        return link;
      });
  }

  doc.addEventListener("visibilitychange", function () {
    if (doc.visibilityState == "hidden") flush();
  });
  win.addEventListener("pagehide", flush);
  win.ThemeSystem = { load: load, flush: flush };
})(window, document);
