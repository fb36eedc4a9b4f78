// Results gallery: the change-background dialog (one image or all, with its price), mode panels,
// colour swatches, and the before/after slider. Every control also works as a plain form or link.
(function () {
  "use strict";

  var dialog = document.getElementById("bg-dialog");

  function form() { return document.querySelector("[data-bg-form]"); }

  function showPanels(f) {
    if (!f) { return; }
    var checked = f.querySelector("[data-bg-mode]:checked");
    var mode = checked ? checked.value : "solid_color";
    Array.prototype.forEach.call(f.querySelectorAll("[data-bg-panel]"), function (panel) {
      panel.hidden = panel.getAttribute("data-bg-panel") !== mode;
    });
  }

  function setPrice(f, scope, text) {
    Array.prototype.forEach.call(f.querySelectorAll("[data-price-for]"), function (el) {
      el.hidden = el.getAttribute("data-price-for") !== scope;
      // The summary knows the current image count; the dialog may have been rendered before the last image.
      if (text && !el.hidden && scope === "all") { el.textContent = text; }
    });
  }

  // Open the dialog instead of following the link (the link is the no-JavaScript page).
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-bg-open]");
    if (opener && dialog && dialog.showModal) {
      event.preventDefault();
      var f = form();
      if (!f) { return; }
      var scope = opener.getAttribute("data-scope") || "pose";
      f.querySelector("[data-bg-scope]").value = scope;
      f.querySelector("[data-bg-pose]").value = opener.getAttribute("data-pose") || "";
      setPrice(f, scope, opener.getAttribute("data-price-text"));
      Array.prototype.forEach.call(f.querySelectorAll(".alert-error, .errorlist"), function (el) { el.remove(); });
      showPanels(f);
      dialog.showModal();
      return;
    }
    var swatch = event.target.closest && event.target.closest("[data-swatch]");
    if (swatch) {
      var input = swatch.closest("form").querySelector('input[type="color"]');
      if (input) { input.value = swatch.getAttribute("data-swatch"); }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-bg-mode]")) { showPanels(event.target.form); }
  });

  // Before/after: the range moves the edge of the new image over the original.
  document.addEventListener("input", function (event) {
    var range = event.target;
    if (range.matches && range.matches("[data-ba-range]")) {
      var box = range.closest("[data-ba]");
      if (box) { box.style.setProperty("--pos", range.value + "%"); }
    }
  });

  // The form comes back from the server after every submit (errors in place, or a fresh form).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.matches && event.target.matches("[data-bg-form]")) { showPanels(event.target); }
  });

  // Started (HX-Trigger from the server): close, show the new balance, and let the page follow the job.
  document.addEventListener("lumiku:background-started", function (event) {
    var detail = event.detail || {};
    if (dialog && dialog.open) { dialog.close(); }
    var pill = document.querySelector('[data-testid="nav-balance"]');
    if (pill && typeof detail.balance === "number") {
      var nodes = pill.childNodes;
      for (var i = 0; i < nodes.length; i++) {
        if (nodes[i].nodeType === 3 && nodes[i].textContent.trim()) { nodes[i].textContent = " " + detail.balance + " "; break; }
      }
    }
    var announcer = document.querySelector("[data-live-announcer]");
    if (announcer && detail.message) { announcer.textContent = detail.message; }
    var toast = document.querySelector("[data-bg-toast]");
    if (toast && detail.message) { toast.textContent = detail.message; toast.hidden = false; }
    document.dispatchEvent(new CustomEvent("lumiku:resync"));
  });

  showPanels(form());
})();
