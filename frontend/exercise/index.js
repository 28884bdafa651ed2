/*
 * The script of the pages with exercises (templates/learning/lesson.html and
 * workspace.html): one Widget per exercise section, the workspace's
 * separator, and the "Skip to the editor" link. Bundled by esbuild into
 * build/frontend/js/exercise.js, served as /static/js/exercise.js;
 * docs/editor.md says which module does what.
 */
import { splitInit } from "./split.js";
import { Widget } from "./widget.js";

/* "Skip to the editor" (templates/learning/_skip_to_editor.html) names the
   first file's text area, which the editor hides: focus the editor of the
   selected file instead, and show it as a jump to a fragment would. */
function skipLinkInit(link) {
  link.addEventListener("click", (event) => {
    const root = document.getElementById(link.dataset.skipToEditor);
    const files = root && root.lecternWidget && root.lecternWidget.files;
    const file = files && (files.list.find((each) => !each.panel.hidden) || files.list[0]);
    if (!file) return;
    event.preventDefault();
    // The tabs too, above the editor.
    (file.panel.closest(".exercise__files") || file.panel).scrollIntoView({ block: "start" });
    file.editor.focus();
  });
}

function init() {
  // The words of a result, from grader/vocabulary.py ({% verdict_words %}).
  const words = JSON.parse(document.getElementById("lectern-verdict-words").textContent);
  document.querySelectorAll(".exercise[data-submit-url]").forEach((root) => {
    // Reachable from the skip link below, and from the browser console for debugging.
    root.lecternWidget = new Widget(root, words);
  });
  document.querySelectorAll('[role="separator"][data-role="split"]').forEach(splitInit);
  document.querySelectorAll("[data-skip-to-editor]").forEach(skipLinkInit);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
