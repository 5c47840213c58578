// Luotsi's only script: a small enhancement. Every page and form works without it.
(function () {
  "use strict";
  // Move focus to the error summary of a failed form, so screen readers announce it at once
  // (the summary also carries autofocus for browsers without scripts).
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
