/*
 * Author mode (manage.py author): reload the page when the course content is
 * reloaded. Polls the content version every second; included by base.html
 * only in author mode.
 *
 * If the exercise editor holds edits, reloading would throw them away: then
 * only a notice with a reload button appears.
 */
(function () {
  "use strict";

  var script = document.querySelector("script[data-version-url]");
  if (!script || !window.fetch) {
    return;
  }
  var url = script.getAttribute("data-version-url");
  var shown = script.getAttribute("data-version");
  var INTERVAL_MS = 1000;

  function editorHasEdits() {
    var areas = document.querySelectorAll("textarea[data-filename]");
    return Array.prototype.some.call(areas, function (area) {
      return area.value !== area.defaultValue;
    });
  }

  function notice() {
    if (document.querySelector(".author-notice")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "author-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "The course content changed. Reloading would discard your edits in the editor.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Reload now";
    button.addEventListener("click", function () {
      window.location.reload();
    });
    box.appendChild(text);
    box.appendChild(button);
    document.body.appendChild(box);
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.version !== shown) {
          if (!editorHasEdits()) {
            window.location.reload();
            return;
          }
          notice();
        }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () {
        // The server is restarting: keep trying.
        window.setTimeout(poll, INTERVAL_MS);
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
