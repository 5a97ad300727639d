// Forms marked js-confirm ask first (removing a mapping sends 0 to Amazon for that listing).
document.querySelectorAll("form.js-confirm").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
