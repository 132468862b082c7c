/* Two small behaviours on top of htmx, on every page (no inline script: the CSP is strict).

   1. A form's error box (`<id>-errors`, drawn by the form_head macro) is emptied as the form is
      sent again, so the message of a failed try never outlives a later success (a success that
      only moves to an anchor on the same page does not reload it).
   2. A live push that replaces the part of the page holding the focus puts the focus back on the
      same control (or, when that control is gone, on the nearest part of the page that is still
      there), and keeps what was typed or ticked there: a live update never moves the focus or
      wipes what someone is doing. */
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

  var FIELDS = "input[id], textarea[id]";
  var pending = null; // what the swaps of one push replaced: the focus, typed and ticked fields

  function ancestorIds(elt) {
    var ids = [];
    for (var node = elt; node && node !== document.body; node = node.parentElement) {
      if (node.id) {
        ids.push(node.id);
      }
    }
    return ids;
  }

  function focusPlace(active) {
    var anchor = active.id ? active : active.parentElement.closest("[id]");
    var place = { ids: ancestorIds(active), tag: active.tagName, index: 0, exact: !!active.id };
    if (!active.id && anchor) {
      place.index = Array.prototype.indexOf.call(anchor.querySelectorAll(active.tagName), active);
    }
    return place;
  }

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
      pending = { focus: null, fields: [] };
      setTimeout(restore, 0); // after every swap of this push
    }
    var active = document.activeElement;
    if (active && active !== document.body && target.contains(active)) {
      pending.focus = focusPlace(active);
    }
    pending.fields = pending.fields.concat(changedFields(target));
  }

  function refocus(place) {
    var lost = !document.activeElement || document.activeElement === document.body;
    if (!lost) {
      return; // the person has moved on meanwhile
    }
    for (var i = 0; i < place.ids.length; i++) {
      var anchor = document.getElementById(place.ids[i]);
      if (!anchor) {
        continue;
      }
      var control = anchor;
      if (i === 0 && !place.exact) {
        control = anchor.querySelectorAll(place.tag)[place.index] || anchor;
      }
      if (control === anchor && (i > 0 || !place.exact) && !control.matches("a[href], button, input, select, textarea, [tabindex]")) {
        control.setAttribute("tabindex", "-1"); // the control is gone: its place takes the focus
      }
      control.focus({ preventScroll: true });
      return;
    }
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
    if (saved.focus) {
      refocus(saved.focus);
    }
  }

  document.addEventListener("htmx:beforeRequest", emptyErrorBoxes);
  document.addEventListener("htmx:oobBeforeSwap", remember);
})();
