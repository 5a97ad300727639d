// While a large mappings upload is being applied, show its progress; reload the page once it has finished.
(function () {
  var panel = document.getElementById("upload-progress");
  if (!panel) { return; }
  var bar = panel.querySelector("progress");
  var applied = document.getElementById("upload-rows-applied");
  var percent = document.getElementById("upload-percent");
  var timer = window.setInterval(function () {
    fetch(panel.dataset.statusUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.active) { window.clearInterval(timer); window.location.reload(); return; }
        bar.value = status.rows_applied;
        applied.textContent = status.rows_applied.toLocaleString("en-GB");
        percent.textContent = status.percent;
      })
      .catch(function () {});
  }, 2000);
})();
