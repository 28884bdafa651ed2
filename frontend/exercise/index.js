/*
 * The lesson page's script (templates/learning/lesson.html): one Widget per
 * exercise section. Bundled by esbuild into build/frontend/js/exercise.js,
 * served as /static/js/exercise.js; docs/editor.md says which module does what.
 */
import { Widget } from "./widget.js";

function init() {
  // The words of a result, from grader/vocabulary.py ({% verdict_words %}).
  const words = JSON.parse(document.getElementById("lectern-verdict-words").textContent);
  document.querySelectorAll(".exercise[data-submit-url]").forEach((root) => {
    // Reachable from the browser console, for debugging a page.
    root.lecternWidget = new Widget(root, words);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
