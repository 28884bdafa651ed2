/*
 * Author mode (manage.py author): reload the page when the course content is
 * reloaded. Polls the content version every second; base.html includes it
 * only in author mode. Bundled into build/frontend/js/author.js, served as
 * /static/js/author.js.
 *
 * If the exercise editor holds edits, reloading would throw them away: then
 * only a notice with a reload button appears. The notice is built here rather
 * than from a <template> because base.html, on every page, would carry it.
 */
import { requestJson } from "./http.js";

const INTERVAL_MS = 1000;

/* The widget mirrors each editor into its text area (frontend/exercise/files.js). */
function editorHasEdits() {
  const areas = document.querySelectorAll("textarea[data-filename]");
  return Array.from(areas).some((area) => area.value !== area.defaultValue);
}

function notice() {
  if (document.querySelector(".author-notice")) return;
  const box = document.createElement("div");
  box.className = "author-notice";
  box.setAttribute("role", "status");
  const text = document.createElement("p");
  text.textContent = "The course content changed. Reloading would discard your edits in the editor.";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = "Reload now";
  button.addEventListener("click", () => window.location.reload());
  box.append(text, button);
  document.body.appendChild(box);
}

function watch(url, shown) {
  const poll = () => {
    requestJson(url, { cache: "no-store" })
      .then((reply) => {
        if (reply.status === 200 && reply.body && reply.body.version !== shown) {
          if (!editorHasEdits()) {
            window.location.reload();
            return;
          }
          notice();
        }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(() => {
        // The server is restarting: keep trying.
        window.setTimeout(poll, INTERVAL_MS);
      });
  };
  window.setTimeout(poll, INTERVAL_MS);
}

const script = document.querySelector("script[data-version-url]");
if (script) watch(script.getAttribute("data-version-url"), script.getAttribute("data-version"));
