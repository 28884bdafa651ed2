/*
 * The reference solution, once the learner has passed (GET <data-solution-url>
 * -> {files: [{name, html}]}, or 403 {error}). It is not in the page before;
 * its HTML is the server's highlighting of the author's files, like the
 * visible tests, so it is put in as HTML.
 */
import { errorMessage, requestJson } from "../http.js";
import { part, templateFill } from "./dom.js";

export class Solution {
  constructor(root) {
    this.section = part(root, "solution");
    if (!this.section) return;
    this.url = this.section.dataset.solutionUrl;
    this.button = part(root, "show-solution");
    this.note = part(root, "solution-note");
    this.files = part(root, "solution-files");
    this.button.addEventListener("click", () => this.show());
  }

  /* A Submit just passed with full points. */
  unlock() {
    if (!this.section || !this.button.disabled || this.files.childElementCount) return;
    this.button.disabled = false;
    this.note.textContent = "You passed: the reference solution is open to you now.";
  }

  show() {
    this.button.disabled = true;
    requestJson(this.url)
      .then((reply) => {
        if (reply.status !== 200 || !reply.body || !Array.isArray(reply.body.files)) {
          this.note.textContent = errorMessage(reply, "The solution could not be shown");
          this.button.disabled = reply.status === 403;
          return;
        }
        this.files.replaceChildren(
          ...reply.body.files.map((file) => {
            const figure = templateFill("solution-file", { name: file.name });
            figure.querySelector('[data-slot="code"]').innerHTML = file.html;
            return figure;
          })
        );
        this.button.hidden = true;
        this.note.textContent = "Compare it with your own code: there is more than one good way.";
      })
      .catch(() => {
        this.button.disabled = false;
        this.note.textContent = "Could not reach the server. Try again.";
      });
  }
}
