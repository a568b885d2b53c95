// Copy buttons for the subscribe box. The page works without this script: the
// addresses are in read-only fields a person can select and copy.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  field.addEventListener("focus", function () { field.select(); });
  if (!navigator.clipboard || !window.isSecureContext) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      },
      function () { field.focus(); }
    );
  });
});
