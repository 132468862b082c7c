/* Passage commenting in a hearing (no inline script: the CSP is strict).
   Select text in a requirement's text and the "Comment on the selected text" button of that
   requirement shows; pressing it fills the form's hidden start, end, quote and version fields,
   shows the passage in the passage field, opens the folded form, and moves to the comment box.
   The offsets count the characters of the text as written (the marks' counts are drawn by CSS,
   so they do not count). Without this script, the passage field takes a pasted passage and the
   server finds it. */
(function () {
  "use strict";
  var chosen = null;

  function textOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("[data-hearing-text]") : null;
  }

  function offset(container, node, at) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, at);
    return range.toString().length;
  }

  function buttons() {
    return document.querySelectorAll("[data-passage-button]");
  }

  // A selection elsewhere (or none, as when the button itself is pressed) keeps the last one.
  function onSelection() {
    var selection = window.getSelection();
    if (selection && selection.rangeCount && !selection.isCollapsed) {
      var range = selection.getRangeAt(0);
      var container = textOf(range.startContainer);
      if (container && container === textOf(range.endContainer)) {
        var start = offset(container, range.startContainer, range.startOffset);
        var end = offset(container, range.endContainer, range.endOffset);
        var quote = range.toString();
        if (end > start && quote.trim()) {
          chosen = {
            requirement: container.getAttribute("data-requirement"),
            version: container.getAttribute("data-version"),
            start: start, end: end, quote: quote
          };
        }
      }
    }
    if (!chosen) { return; }
    buttons().forEach(function (button) {
      button.hidden = button.getAttribute("data-passage-button") !== chosen.requirement;
    });
  }

  function fill(button) {
    if (!chosen) { return; }
    var form = document.querySelector('[data-passage-form="' + chosen.requirement + '"]');
    if (!form) { return; }
    form.elements.start.value = String(chosen.start);
    form.elements.end.value = String(chosen.end);
    form.elements.quote.value = chosen.quote;
    form.elements.version.value = chosen.version;
    form.elements.passage.value = chosen.quote;
    // The form folds away under "Comment on the whole requirement": open it to write in.
    var box = form.closest("details");
    if (box) { box.open = true; }
    button.hidden = true;
    chosen = null;
    form.elements.body.focus();
  }

  document.addEventListener("selectionchange", onSelection);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-passage-button]");
    if (button) { fill(button); }
  });
  // Typing another passage by hand drops the selection's offsets: the server finds it instead.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.name === "passage" && field.form && field.form.hasAttribute("data-passage-form")) {
      field.form.elements.start.value = "";
      field.form.elements.end.value = "";
      field.form.elements.quote.value = "";
      field.form.elements.version.value = "";
    }
  });
}());
