/*
 * A page that comes back with input errors moves the focus to its error summary (templates/_macros.html
 * form_errors), so a screen reader announces it at once and a keyboard user starts from the list of
 * links to the fields in error. A file of its own: the CSP forbids inline scripts.
 */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
