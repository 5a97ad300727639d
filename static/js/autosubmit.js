// Flipping a switch submits its form at once; without JavaScript the Enable/Disable button does the same.
document.querySelectorAll(".js-autosubmit").forEach(function (input) {
  input.addEventListener("change", function () { input.form.submit(); });
});
