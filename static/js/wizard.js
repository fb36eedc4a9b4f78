// Generation wizard niceties. The form works without this file: every choice is a real input.
(function () {
  "use strict";
  var form = document.getElementById("wizard-form");
  if (!form) { return; }

  function changed() { document.body.dispatchEvent(new CustomEvent("wizard:changed", { bubbles: true })); }

  // Suggested pose words (and example phrases in the preview) append to the description.
  document.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-append]");
    if (!chip) { return; }
    var box = document.getElementById("id_text_prompt");
    if (!box) { return; }
    var text = box.value.trim();
    box.value = text ? text + ", " + chip.getAttribute("data-append") : chip.getAttribute("data-append");
    box.focus();
    if (window.htmx) { window.htmx.trigger(box, "wizard:append"); }
  });

  // Removing a pose from the tray: drop it from the form now, tell the server's tray in the background.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tray-remove]");
    if (!button) { return; }
    event.preventDefault();
    var item = button.closest("[data-pose-id]");
    var body = new FormData();
    body.append("pose_id", button.value);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fetch(button.getAttribute("formaction"), { method: "POST", body: body, headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin" });
    if (item) { item.remove(); }
    changed();
  });

  // Colour picker and hex text box stay in step.
  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches("[data-color-for]")) {
      document.getElementById(el.getAttribute("data-color-for")).value = el.value.toUpperCase();
    } else if (el.id === "id_background_color" && /^#[0-9A-Fa-f]{6}$/.test(el.value)) {
      var picker = form.querySelector("[data-color-for=id_background_color]");
      if (picker) { picker.value = el.value.toLowerCase(); }
    }
  });

  // Export formats: select-all per group, aspect-ratio chips, and a running count against the limit.
  var formatsBox = form.querySelector("[data-max-formats]");
  function formatBoxes(filter) {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=output_formats]"), filter || Boolean);
  }
  function refreshFormats() {
    if (!formatsBox) { return; }
    var max = parseInt(formatsBox.getAttribute("data-max-formats"), 10);
    var count = formatBoxes(function (b) { return b.checked; }).length;
    var line = formatsBox.querySelector("[data-format-count]");
    line.textContent = count ? count + " / " + max : "";
    line.classList.toggle("errorlist", count > max);
    form.querySelectorAll("[data-select-all]").forEach(function (all) {
      var group = formatBoxes(function (b) { return b.getAttribute("data-group") === all.getAttribute("data-select-all"); });
      var on = group.filter(function (b) { return b.checked; }).length;
      all.checked = on === group.length;
      all.indeterminate = on > 0 && on < group.length;
    });
    form.querySelectorAll(".ratio-chips [data-ratio]").forEach(function (chip) {
      var ratio = formatBoxes(function (b) { return b.getAttribute("data-ratio") === chip.getAttribute("data-ratio"); });
      chip.setAttribute("aria-pressed", ratio.length && ratio.every(function (b) { return b.checked; }) ? "true" : "false");
    });
    refreshPresets();
  }
  form.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      formatBoxes(function (b) { return b.getAttribute("data-group") === all.getAttribute("data-select-all"); })
        .forEach(function (b) { b.checked = all.checked; });
    }
    refreshFormats();
  });
  // Channel presets set exactly their sizes (others unticked); a preset shows pressed while that holds.
  function presetNames(chip) { return chip.getAttribute("data-preset").split(","); }
  function refreshPresets() {
    form.querySelectorAll("[data-preset]").forEach(function (chip) {
      var names = presetNames(chip);
      var exact = formatBoxes().every(function (b) { return b.checked === (names.indexOf(b.value) >= 0); });
      chip.setAttribute("aria-pressed", exact ? "true" : "false");
    });
  }
  form.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-preset]");
    if (!chip) { return; }
    var names = presetNames(chip);
    formatBoxes().forEach(function (b) { b.checked = names.indexOf(b.value) >= 0; });
    refreshFormats();
    changed();
  });
  form.addEventListener("click", function (event) {
    var chip = event.target.closest(".ratio-chips [data-ratio]");
    if (!chip) { return; }
    var on = chip.getAttribute("aria-pressed") !== "true";
    formatBoxes(function (b) { return b.getAttribute("data-ratio") === chip.getAttribute("data-ratio"); })
      .forEach(function (b) { b.checked = on; });
    refreshFormats();
    changed();
  });
  refreshFormats();

  // One submit per page: a double click sends one request (the idempotency key covers the rest).
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-tray-remove")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = form.querySelector("[data-testid=wizard-submit]");
    if (button) { button.setAttribute("aria-busy", "true"); }
  });

  // The photo check finishes while the wizard is open: a photo the engine refuses takes Generate away
  // (the panel that replaced the spinner says why and links to changing the photo).
  document.body.addEventListener("htmx:afterSwap", function () {
    if (!document.querySelector("[data-testid=wizard-photo-check] [data-state=problems]")) { return; }
    var button = form.querySelector("[data-testid=wizard-submit]");
    if (button) { button.disabled = true; }
  });

  var error = document.getElementById("wizard-error");
  if (error) { error.focus(); }
})();
