// Pose library. Everything works as plain forms and links; this adds two niceties on top of htmx.
(function () {
  "use strict";

  // Folded panels (<details data-open-wide>: category tree, filters) start open where there is room
  // for them; on phones they stay folded so the poses come first.
  var wide = window.matchMedia && window.matchMedia("(min-width: 56rem)");
  function unfold() {
    if (!wide || !wide.matches) { return; }
    document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
  }
  unfold();
  if (wide && wide.addEventListener) { wide.addEventListener("change", unfold); }

  // A changed filter reloads the results; the search box has its own trigger (as you type). Done here, not
  // with an htmx trigger filter (`change[...]`): htmx evaluates those as code, which the CSP forbids.
  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = el.closest && el.closest("#library-filters");
    if (form && el.type !== "search" && window.htmx) { window.htmx.trigger(form, "library:filter"); }
  });

  // Keep the pushed URL short and shareable: leave out filters that are not set.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get" || !detail.elt.closest || !detail.elt.closest("#library-filters")) { return; }
    var form = detail.formData;
    Array.from(form.keys()).forEach(function (key) {
      if (form.getAll(key).every(function (v) { return v === ""; })) { form.delete(key); }
    });
  });

  // Tray answers carry out-of-band copies of the changed poses' buttons; drop those for poses that are
  // not on this page (after "Clear", or removing from the bar) instead of letting htmx report them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.target.id !== "tray" || typeof detail.serverResponse !== "string") { return; }
    var holder = document.createElement("template");
    holder.innerHTML = detail.serverResponse;
    holder.content.querySelectorAll("[hx-swap-oob]").forEach(function (el) {
      if (!document.getElementById(el.id)) { el.remove(); }
    });
    detail.serverResponse = holder.innerHTML;
  });
})();
