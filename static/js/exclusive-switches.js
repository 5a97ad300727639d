// Two settings that cannot both be on: turning one on turns the other off (the server refuses both anyway).
document.querySelectorAll("[data-turns-off]").forEach(function (input) {
  input.addEventListener("change", function () {
    var other = document.getElementById(input.dataset.turnsOff);
    if (input.checked && other) { other.checked = false; }
  });
});
