/* A confirmation in a native <dialog> (no inline script: the CSP is strict).
   A link with data-confirm-dialog="ID" opens the <dialog id="ID"> on the same page instead of
   going to its confirmation page; the dialog holds the same form, and its "Cancel" button
   (data-dialog-close) or Escape closes it and returns the focus to the link. Without this
   script the link leads to the confirmation page, which works alone. */
(function () {
  "use strict";

  function open(event) {
    var link = event.currentTarget;
    var dialog = document.getElementById(link.getAttribute("data-confirm-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") {
      return; // an old browser follows the link to the confirmation page
    }
    event.preventDefault();
    dialog.showModal();
    dialog.addEventListener("close", function () { link.focus(); }, { once: true });
  }

  function init() {
    document.querySelectorAll("[data-confirm-dialog]").forEach(function (link) {
      link.addEventListener("click", open);
    });
    document.querySelectorAll("dialog [data-dialog-close]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
