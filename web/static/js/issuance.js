/*
 * 電子証明書発行 (seed 001 ⑤–⑦). A file of its own: the CSP forbids inline scripts.
 *
 * ⑤→⑥: a form with data-issuing="<id>" shows that element (電子証明書発行中) while its POST runs,
 * moves the step bar to data-issuing-step (⑥ 発行中), and disables its buttons, visibly and for
 * assistive technology, so a second click cannot send a second 発行.
 * ⑦: the link marked data-auto-download (the .p12 as a data: URL with its file name in the
 * download attribute) is clicked once when the page loads; the user can click it again.
 * ⑦ 閉じる: the button marked data-close-window="<id>" tries window.close(); a browser closes by
 * script only a window that a script opened, so when the window is still open, element <id> says
 * to close it with the browser's [×] button (and why).
 */
(function () {
  "use strict";

  function moveStepBar(step) {
    document.querySelectorAll(".issuance-steps li").forEach(function (item) {
      var current = item.dataset.step === step;
      item.classList.toggle("current", current);
      if (current) {
        item.setAttribute("aria-current", "step");
      } else {
        item.removeAttribute("aria-current");
      }
    });
  }

  document.querySelectorAll("form[data-issuing]").forEach(function (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
      form.querySelectorAll("a.button").forEach(function (link) {
        link.setAttribute("aria-disabled", "true");
        link.classList.add("disabled");
      });
      if (form.dataset.issuingStep) {
        moveStepBar(form.dataset.issuingStep);
      }
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

  document.querySelectorAll("button[data-close-window]").forEach(function (button) {
    var note = document.getElementById(button.dataset.closeWindow);
    button.hidden = false;
    button.addEventListener("click", function () {
      window.close();
      // A refused close() leaves the window open and says nothing (a console warning at most).
      window.setTimeout(function () {
        if (!window.closed && note) {
          note.hidden = false;
          note.focus();
        }
      }, 200);
    });
  });
})();
