// Small behaviours shared by every page. Pages work without JavaScript; this only makes them nicer.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form on change (language switch, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // <button data-dialog-open="id"> / <button data-dialog-close> drive native <dialog> modals.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { event.preventDefault(); open.close(); }
      return;
    }
    // <button data-print> prints the page (receipts).
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });

  // htmx: show the server's error message in place instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    var xhr = event.detail.xhr;
    var message = document.body.getAttribute("data-error-generic") || "Something went wrong. Please try again.";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) { message = body.error.message; }
    } catch (e) { /* an HTML error page: keep the generic message */ }
    var box = document.createElement("div");
    box.className = "alert alert-error";
    box.setAttribute("role", "alert");
    box.textContent = message;
    if (target && target.parentNode) { target.parentNode.insertBefore(box, target); }
  });
})();
