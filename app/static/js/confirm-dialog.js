/* A confirmation in a native <dialog> (no inline script: the CSP is strict). Two kinds of
   irreversible action use it (markup: app/templates/_confirm.html):

   - A link with data-confirm-dialog="ID" opens the <dialog id="ID"> on the same page instead of
     going to its confirmation page; the dialog holds the same form. Without this script the link
     leads to the confirmation page, which works alone.
   - A submit button with data-confirm-submit="ID" inside a form that carries its own content
     (an answer, minutes, a rationale) opens the dialog instead of submitting; the dialog's
     button with data-dialog-confirm ticks the form's confirmation box and submits the form with
     that button. Without this script the box is ticked by hand (the server requires it). With
     data-confirm-when="CHECKBOX-ID" the dialog opens only while that box is ticked.

   "Cancel" (data-dialog-close) or Escape closes the dialog, changes nothing and returns the
   focus to what opened it. Clicks are delegated, so forms swapped in by htmx work too. */
(function () {
  "use strict";

  if (window.pivotalConfirmDialog) {
    return; // loaded twice on one page: listen once
  }
  window.pivotalConfirmDialog = true;

  function show(dialog, opener) {
    dialog.showModal();
    dialog.addEventListener("close", function () {
      // A live update may have drawn the opener anew meanwhile: then focus its new copy.
      var id = dialog.id;
      var again = opener.isConnected ? opener : document.querySelector(
        '[data-confirm-dialog="' + id + '"], [data-confirm-submit="' + id + '"]'
      );
      if (again) {
        again.focus();
      }
    }, { once: true });
  }

  function onClick(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var link = target.closest("[data-confirm-dialog]");
    if (link) {
      var dialog = document.getElementById(link.getAttribute("data-confirm-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        show(dialog, link);
      }
      return; // an old browser follows the link to the confirmation page
    }
    var submit = target.closest("[data-confirm-submit]");
    if (submit) {
      var when = submit.getAttribute("data-confirm-when");
      var box = when ? document.getElementById(when) : null;
      var asks = document.getElementById(submit.getAttribute("data-confirm-submit"));
      if ((!when || (box && box.checked)) && asks && typeof asks.showModal === "function") {
        event.preventDefault();
        asks.pivotalSubmitter = submit;
        show(asks, submit);
      }
      return;
    }
    var confirm = target.closest("dialog [data-dialog-confirm]");
    if (confirm) {
      var holder = confirm.closest("dialog");
      var button = holder.pivotalSubmitter;
      var form = button && button.form;
      if (form) {
        var tick = form.querySelector("input[name=confirm]");
        if (tick) {
          tick.checked = true;
        }
        holder.close();
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit(button);
        } else {
          form.submit();
        }
      }
      return;
    }
    var close = target.closest("dialog [data-dialog-close]");
    if (close) {
      close.closest("dialog").close();
    }
  }

  function init() {
    if (typeof HTMLDialogElement === "function") {
      // The dialog asks now: the boxes to tick by hand (data-confirm-nojs) are hidden by CSS.
      document.documentElement.classList.add("js-confirm");
    }
    document.addEventListener("click", onClick);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
