/*
 * Check-yourself questions on a lesson page (templates/learning/_question.html).
 * Each question is a form that works without this script; with it, the answer
 * is POSTed as JSON to the form's data-answer-url ({"choices": [0, 2]} or
 * {"answer": "..."}) and the server's verdict and feedback replace the
 * question's status region in place, so the page does not reload. The key
 * never reaches the page: only the server grades. The feedback is the
 * course's own Markdown rendered by the server, the one server text put in
 * as HTML (as hints are); error messages go in as text.
 * Bundled by esbuild into build/frontend/js/questions.js.
 */
import { errorMessage, requestJson } from "./http.js";

function answerOf(form) {
  if (form.dataset.kind === "choice") {
    const chosen = form.querySelectorAll('input[name="choice"]:checked');
    return { choices: Array.from(chosen, (input) => parseInt(input.value, 10)) };
  }
  return { answer: form.querySelector('input[name="answer"]').value };
}

function messageShow(feedback, text) {
  const line = document.createElement("p");
  line.className = "question__error";
  line.textContent = text;
  feedback.replaceChildren(line);
}

export function questionMount(form) {
  const url = form.dataset.answerUrl;
  const feedback = form.querySelector('[data-role="feedback"]');
  const button = form.querySelector('[data-role="check"]');
  if (!url || !feedback || !button) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    requestJson(url, { method: "POST", body: JSON.stringify(answerOf(form)) })
      .then((reply) => {
        const body = reply.body || {};
        if (reply.status === 200 && typeof body.feedback_html === "string") {
          const state = body.correct ? "correct" : "incorrect";
          form.dataset.state = state;
          form.className = "question question--" + state;
          feedback.innerHTML = body.feedback_html;
          return;
        }
        messageShow(feedback, errorMessage(reply, "Your answer was not checked"));
      })
      .catch(() => messageShow(feedback, "Could not reach the server. Try again."))
      .finally(() => {
        button.disabled = false;
        form.removeAttribute("aria-busy");
      });
  });
}

function init() {
  document.querySelectorAll("form.question[data-answer-url]").forEach(questionMount);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
