// Poll until the callback (in the consent tab) has stored a new authorisation, then return to the list.
(function () {
  var authkey = document.getElementById("authkey");
  var initial = JSON.parse(document.getElementById("authorise-status").textContent);
  var statusUrl = authkey.dataset.statusUrl;
  var listUrl = authkey.dataset.listUrl;
  var problem = document.getElementById("authorise-problem");
  var waiting = document.getElementById("authorise-waiting");
  var slow = document.getElementById("authorise-slow");
  var SLOW_AFTER_MS = 2 * 60 * 1000;
  var started = Date.now();
  var polling = null;
  function startPolling() { if (polling === null) { polling = window.setInterval(poll, 2000); } }
  function stopPolling() { window.clearInterval(polling); polling = null; }
  startPolling();
  function poll() {
    // The consent link expires after 10 minutes; stop asking a while after that (authkey starts again).
    if (Date.now() - started > 15 * 60 * 1000) { stopPolling(); return; }
    // An expired or reused link fails in the other tab without telling this one: say what to do.
    if (!waiting.classList.contains("d-none") && Date.now() - started > SLOW_AFTER_MS) { slow.classList.remove("d-none"); }
    fetch(statusUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.authorised && status.authorised_at !== initial.authorised_at) {
          stopPolling();
          window.location.assign(listUrl);
          return;
        }
        if (status.problem) {
          problem.textContent = status.problem;
          problem.classList.remove("d-none");
          waiting.classList.add("d-none");
          slow.classList.add("d-none");
        }
      })
      .catch(function () {});
  }
  authkey.addEventListener("click", function () {
    problem.classList.add("d-none");
    slow.classList.add("d-none");
    waiting.classList.remove("d-none");
    started = Date.now();
    startPolling();
  });
})();
