// A link to a collapsed <details> section (e.g. #additional-settings) opens it.
(function () {
  function openIfTargeted() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  openIfTargeted();
  window.addEventListener("hashchange", openIfTargeted);
})();
