/* Preview page helpers, called by studio/ui/preview.py through runJavaScript.
   Kept tiny and synchronous: every call returns at once so one round trip confirms it. */
(function () {
  "use strict";
  var scheme = null;  // null: leave prefers-color-scheme to the engine
  var FEATURE = /\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/gi;
  // Valid always-true / always-false stand-ins, so "not (prefers-color-scheme: dark)" still works.
  var TRUE_Q = "(min-width: 0px)";
  var FALSE_Q = "(min-width: 1000000px)";
  // Media rules of the current theme sheet that test prefers-color-scheme, with their original text.
  // Held strongly so the CSSOM wrappers (and our bookkeeping) survive garbage collection.
  var tracked = [];
  var trackedSheet = null;
  var restyleToken = 0;

  function collect(rules) {
    for (var i = 0; i < rules.length; i++) {
      var rule = rules[i];
      if (rule.media && typeof rule.conditionText === "string" && /prefers-color-scheme/i.test(rule.media.mediaText)) {
        tracked.push({ rule: rule, original: rule.media.mediaText });
      }
      if (rule.cssRules) collect(rule.cssRules);
    }
  }

  function fixSchemes() {
    var el = document.getElementById("theme-css");
    var sheet = el && el.sheet;
    if (!sheet) return;
    if (sheet !== trackedSheet) {
      tracked = [];
      trackedSheet = sheet;
      try { collect(sheet.cssRules); } catch (e) { /* a sheet Chromium could not expose: leave it */ }
    }
    for (var i = 0; i < tracked.length; i++) {
      var t = tracked[i];
      t.rule.media.mediaText = scheme === null ? t.original : t.original.replace(FEATURE, function (_m, value) {
        return value.toLowerCase() === scheme ? TRUE_Q : FALSE_Q;
      });
    }
  }

  window.__themePreview = {
    /** Replace the theme stylesheet text; re-apply the emulated colour scheme to the new rules. */
    setCss: function (css) {
      var el = document.getElementById("theme-css");
      var root = document.documentElement;
      // A theme's own transitions would animate every restyle (UA default -> themed, old -> new token):
      // the preview must show the new look at once, so transitions are off until two frames later.
      var token = ++restyleToken;
      root.setAttribute("data-restyling", "");
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          if (token === restyleToken) root.removeAttribute("data-restyling");
        });
      });
      el.textContent = css;
      if (css.indexOf("prefers-color-scheme") === -1) {
        // Nothing to emulate: skip walking the CSSOM (thousands of rules for a framework-sized theme).
        tracked = [];
        trackedSheet = el.sheet;
      } else if (scheme !== null) {
        fixSchemes();
      }
    },
    /** "light" | "dark" | null: sets data-theme and makes prefers-color-scheme rules follow it. */
    setScheme: function (value) {
      scheme = value;
      if (value === null) document.documentElement.removeAttribute("data-theme");
      else document.documentElement.setAttribute("data-theme", value);
      fixSchemes();
    },
    /** Width in CSS px, or null for the full width. */
    setViewport: function (width) {
      var root = document.documentElement;
      if (width === null) {
        root.removeAttribute("data-viewport");
        root.style.removeProperty("--gallery-viewport");
      } else {
        root.setAttribute("data-viewport", String(width));
        root.style.setProperty("--gallery-viewport", width + "px");
      }
    },
    setStale: function (stale) {
      document.getElementById("stale-banner").hidden = !stale;
    }
  };
})();
