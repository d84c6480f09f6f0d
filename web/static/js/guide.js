/*
 * 動作確認 (the preflight check, issue 13). A file of its own: the CSP forbids inline scripts.
 * That this script runs at all is the JavaScript check: it shows the element marked
 * data-js-on and hides the one marked data-js-off (without JavaScript the page's <noscript> speaks).
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-js-off]").forEach(function (element) { element.hidden = true; });
  document.querySelectorAll("[data-js-on]").forEach(function (element) { element.hidden = false; });
})();
