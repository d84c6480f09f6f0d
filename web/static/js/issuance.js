/*
 * 電子証明書発行 (seed 001 ⑤–⑦). A file of its own: the CSP forbids inline scripts.
 *
 * ⑤→⑥: a form with data-issuing="<id>" shows that element (電子証明書発行中) while its POST runs,
 * and its buttons are disabled so a second click cannot send a second 発行.
 * ⑦: the link marked data-auto-download (the .p12 as a data: URL with its file name in the
 * download attribute) is clicked once when the page loads; the user can click it again.
 */
(function () {
  "use strict";

  document.querySelectorAll("form[data-issuing]").forEach(function (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      form.querySelectorAll("a.button").forEach(function (link) {
        link.setAttribute("aria-disabled", "true");
        link.classList.add("disabled");
      });
      var progress = document.getElementById(form.dataset.issuing);
      if (progress) {
        progress.hidden = false;
      }
    });
  });

  var download = document.querySelector("a[data-auto-download]");
  if (download) {
    download.click();
  }
})();
