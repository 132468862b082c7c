/* Keep the keyboard focus on something, and in sight, when htmx changes the page (no inline
   script: the CSP is strict).

   htmx gives the focus back to the element with the same id in what it swaps in (so the buttons
   of swapped forms carry ids). Where the focused element is gone all the same, the focus moves
   to the first control of what was swapped in (or that region itself), never to <body>.
   After a person's own request, the focused element is brought into view if the swap, or a
   live push that follows it (their own comment arriving over the socket, above the form),
   moved it out of sight; only for a moment, and never once they scroll themselves. */
(function () {
  "use strict";
  var KEEP_MS = 3000;
  var until = 0;
  var before = null;
  var CONTROLS = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

  function lost() {
    var el = document.activeElement;
    return !el || el === document.body || el === document.documentElement;
  }

  function keepInSight() {
    if (Date.now() > until || lost()) {
      return;
    }
    var el = document.activeElement;
    var box = el.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      el.scrollIntoView({ block: "nearest" });
    }
  }

  function refocus(region) {
    if (!region || !document.body.contains(region)) {
      return;
    }
    var control = region.matches(CONTROLS) ? region : region.querySelector(CONTROLS);
    if (!control) {
      control = region;
      if (!control.hasAttribute("tabindex")) {
        control.setAttribute("tabindex", "-1");
      }
    }
    control.focus();
  }

  // A tab of a row that scrolls sideways on its own (the project's tabs on a phone): the browser
  // scrolls a focused tab only partly into sight, so bring all of it in.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.closest && el.closest("nav.tabs")) {
      el.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
  // The page's own tab in that row is in sight when the page opens.
  function showCurrentTab() {
    var current = document.querySelector("nav.tabs a[aria-current]");
    var row = current && current.closest("ul");
    if (!row) {
      return;
    }
    var beyond = current.getBoundingClientRect().right - row.getBoundingClientRect().right;
    if (beyond > 0) {
      row.scrollLeft += beyond + 16;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showCurrentTab);
  } else {
    showCurrentTab();
  }
  document.addEventListener("htmx:beforeSwap", function () {
    before = lost() ? null : document.activeElement;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (before && !document.body.contains(before) && lost()) {
      // The event fires on what was swapped in (or the target that received it).
      var detail = event.detail || {};
      refocus([event.target, detail.target, detail.elt].filter(function (el) {
        return el && el.nodeType === 1 && document.body.contains(el);
      })[0]);
    }
    before = null;
    if (event.detail && event.detail.requestConfig) {
      until = Date.now() + KEEP_MS; // the person's own request: follow its consequences a moment
    }
    keepInSight();
  });
  // Live pushes (out-of-band swaps, from the socket or a response) may replace or remove the
  // element that has the focus: give it to its replacement (same id, or the same place in its
  // redrawn region), else to the element the address was just pointed at (#qa-12 after
  // publishing), else to the nearest region still there.
  var pushed = null;
  var hashAt = 0;

  function remember() {
    if (pushed || lost()) {
      return;
    }
    var chain = [];
    for (var el = document.activeElement; el && el !== document.body; el = el.parentElement) {
      chain.push(el);
    }
    pushed = { id: document.activeElement.id, chain: chain };
  }

  // The focused element's counterpart in what replaced it: the same kind of element at the same
  // place inside its nearest ancestor with an id (the "Book" button of the redrawn `#book-8`).
  function counterpart(was) {
    var el = was.chain[0];
    for (var i = 1; i < was.chain.length; i++) {
      var old = was.chain[i];
      var now = old.id && document.getElementById(old.id);
      if (now && now !== old) {
        var index = Array.prototype.indexOf.call(old.querySelectorAll(el.tagName), el);
        return now.querySelectorAll(el.tagName)[index] || null;
      }
      if (old.id) {
        return null; // the nearest ancestor with an id is still there: nothing was redrawn
      }
    }
    return null;
  }

  function rescue() {
    var was = pushed;
    pushed = null;
    if (!was || !lost() || document.body.contains(was.chain[0])) {
      window.requestAnimationFrame(keepInSight);
      return;
    }
    var again = (was.id && document.getElementById(was.id)) || counterpart(was);
    if (again) {
      again.focus({ preventScroll: true });
      return;
    }
    var named = Date.now() - hashAt < KEEP_MS && window.location.hash &&
      document.getElementById(window.location.hash.slice(1));
    var region = named || was.chain.filter(function (el) {
      return document.body.contains(el);
    })[0];
    if (region) {
      if (!region.matches(CONTROLS) && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "-1");
      }
      region.focus();
    }
  }

  document.addEventListener("htmx:wsBeforeMessage", remember);
  document.addEventListener("htmx:oobBeforeSwap", remember);
  document.addEventListener("htmx:wsAfterMessage", rescue);
  // A socket message's swaps all run before its wsAfterMessage; a response's end here.
  document.addEventListener("htmx:oobAfterSwap", function () { window.setTimeout(rescue, 0); });
  window.addEventListener("hashchange", function () { hashAt = Date.now(); });
  ["wheel", "touchmove"].forEach(function (kind) {
    window.addEventListener(kind, function () { until = 0; }, { passive: true });
  });
  document.addEventListener("keydown", function (event) {
    if (["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown"].indexOf(event.key) >= 0) {
      until = 0;
    }
  });
})();
