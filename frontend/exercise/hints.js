/*
 * Hints, one at a time after a failed Submit (POST <data-hints-url> ->
 * {hints: [html, ...], total, can_reveal}). They are not in the page until
 * revealed. Their HTML is the course's own Markdown rendered by the server,
 * like the rest of the lesson, so it is the one server text put in as HTML.
 */
import { errorMessage, requestJson } from "../http.js";
import { part, templateFill } from "./dom.js";

export class Hints {
  constructor(root) {
    this.url = root.dataset.hintsUrl || "";
    this.total = parseInt(root.dataset.hintsTotal, 10) || 0;
    this.revealed = parseInt(root.dataset.hintsRevealed, 10) || 0;
    this.list = part(root, "hints");
    this.button = part(root, "reveal-hint");
    this.note = part(root, "hint-note");
    if (this.button) this.button.addEventListener("click", () => this.reveal());
  }

  /* After a graded Submit: one that did not pass opens the next hint. */
  offer(result) {
    if (result.status !== "pass" && this.button && this.revealed < this.total) {
      this.button.disabled = false;
      this.note.textContent = "You can reveal a hint now.";
    }
  }

  reveal() {
    if (!this.url || this.button.disabled) return;
    this.button.disabled = true;
    requestJson(this.url, { method: "POST", body: "{}" })
      .then((reply) => {
        const body = reply.body || {};
        if (reply.status === 200 && Array.isArray(body.hints)) {
          this.show(body.hints, body.total || this.total);
          this.button.disabled = !body.can_reveal;
          this.note.textContent =
            "Hint " + body.hints.length + " of " + this.total + " revealed." + (body.can_reveal ? "" : " That was the last one.");
          // The new hint takes the focus, so that it is read out and seen.
          const last = this.list.lastElementChild;
          if (last) last.focus();
          return;
        }
        if (reply.status === 409) {
          this.note.textContent = "All hints are revealed.";
          return;
        }
        this.note.textContent = errorMessage(reply, "No hint yet");
        this.button.disabled = reply.status === 403 || reply.status === 401;
      })
      .catch(() => {
        this.button.disabled = false;
        this.note.textContent = "Could not reach the server. Try again.";
      });
  }

  show(hints, total) {
    this.total = total;
    this.revealed = hints.length;
    this.list.replaceChildren(
      ...hints.map((html, index) => {
        const item = templateFill("hint", { label: "Hint " + (index + 1) + " of " + total });
        item.querySelector('[data-slot="body"]').innerHTML = html;
        return item;
      })
    );
  }
}
