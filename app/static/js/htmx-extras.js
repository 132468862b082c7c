/* Two small behaviours on top of htmx, on every page (no inline script: the CSP is strict).

   1. A form's error box (`<id>-errors`, drawn by the form_head macro) is emptied as the form is
      sent again, so the message of a failed try never outlives a later success (a success that
      only moves to an anchor on the same page does not reload it).
   2. A live push that replaces the part of the page someone is filling in keeps what was typed
      or ticked there: a live update never wipes what someone is doing. (Where the focus goes
      after a swap is keep-focus.js's.)
   3. A page that shows something other than a live list (the project page's search results)
      still holds the list's ids for the socket's fragments, in a hidden element marked
      data-live-sink, so htmx always finds its targets. What the socket sends there is dropped
      rather than swapped in, so the sink never repeats the ids of the cards on the page. */
(function () {
  "use strict";

  function emptyErrorBoxes(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest) {
      return;
    }
    var form = elt.closest("form") || elt;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("[id$='-errors']"));
    [form.id, elt.id, "page"].forEach(function (id) {
      var box = id && document.getElementById(id + "-errors");
      if (box) {
        boxes.push(box);
      }
    });
    boxes.forEach(function (box) { box.replaceChildren(); });
  }

  var FIELDS = "input[id]:not([type=password]), textarea[id]"; // never a password back
  var pending = null; // what the swaps of one push replaced: typed and ticked fields

  function changedFields(target) {
    var found = [];
    target.querySelectorAll(FIELDS).forEach(function (field) {
      var tickable = field.type === "checkbox" || field.type === "radio";
      if (tickable ? field.checked !== field.defaultChecked : field.value !== field.defaultValue) {
        found.push({
          id: field.id,
          tickable: tickable,
          checked: field.checked,
          defaultChecked: field.defaultChecked,
          value: field.value,
          defaultValue: field.defaultValue,
        });
      }
    });
    return found;
  }

  function remember(event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelectorAll) {
      return;
    }
    if (pending === null) {
      pending = { fields: [] };
      setTimeout(restore, 0); // after every swap of this push
    }
    pending.fields = pending.fields.concat(changedFields(target));
  }

  function restore() {
    var saved = pending;
    pending = null;
    saved.fields.forEach(function (old) {
      var field = document.getElementById(old.id);
      if (!field || field.disabled) {
        return;
      }
      // Only where the server did not change the field itself.
      if (old.tickable && field.defaultChecked === old.defaultChecked) {
        field.checked = old.checked;
      } else if (!old.tickable && field.defaultValue === old.defaultValue) {
        field.value = old.value;
      }
    });
  }

  function dropIntoSink(event) {
    if (event.detail.target && event.detail.target.closest("[data-live-sink]")) {
      event.detail.shouldSwap = false;
    }
  }

  document.addEventListener("htmx:beforeRequest", emptyErrorBoxes);
  document.addEventListener("htmx:oobBeforeSwap", dropIntoSink);
  document.addEventListener("htmx:oobBeforeSwap", remember);
})();
