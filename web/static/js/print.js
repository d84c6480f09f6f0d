// [印刷] buttons (data-print) open the browser's print dialog. A file of its own: the CSP forbids inline scripts.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
