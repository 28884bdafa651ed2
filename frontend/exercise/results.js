/*
 * What the learner sees of one submission: the live region that says each
 * change of state, the progress bar, a row per test as it finishes, the final
 * verdict and score, and the learner's record once a Submit is graded.
 *
 * The words of a result (test statuses, their icons, what each verdict means)
 * come from grader/vocabulary.py through the page ({% verdict_words %}), so
 * they are written in one place; the markup from lesson.html's <template>s.
 */
import { errorMessage } from "../http.js";
import { part, templateFill } from "./dom.js";
import { formatPoints, plural } from "./text.js";

export class ResultsView {
  /* words: the page's verdict words; files: the exercise's Files, to jump to
     the line of a syntax error. */
  constructor(root, words, files) {
    this.root = root;
    this.words = words;
    this.files = files;
    this.statusNode = part(root, "status");
    this.resultsNode = part(root, "results");
    this.progressNode = part(root, "progress");
    this.progressBar = part(root, "progressbar");
    this.progressText = part(root, "progress-text");
    this.testsNode = part(root, "tests");
    this.summaryNode = part(root, "summary");
    const data = root.dataset;
    this.maxScore = Number(data.maxScore || 0);
    this.record = {
      attempts: parseInt(data.attempts, 10) || 0,
      best: Number(data.bestScore || 0),
      completed: data.completed === "true",
    };
    this.mode = "";
    this.plan = [];
    this.clearTests();
  }

  /* The live region: every status change and the final verdict are read out. */
  announce(text, state) {
    this.statusNode.textContent = text;
    this.root.setAttribute("data-state", state || "");
  }

  setBusy(busy) {
    this.resultsNode.setAttribute("aria-busy", busy ? "true" : "false");
  }

  kind() {
    return this.mode === "run" ? "Run" : "Submission";
  }

  clearTests() {
    this.started = false;
    this.shown = new Set();
    this.finished = 0;
    this.testsNode.textContent = "";
    this.progressNode.hidden = true;
  }

  /* A new run or submission is being sent. */
  begin(mode) {
    this.mode = mode;
    this.plan = [];
    this.clearTests();
    this.summaryNode.textContent = "";
    this.resultsNode.hidden = false;
    this.announce(mode === "run" ? "Sending a run of the visible tests\u2026" : "Sending your submission\u2026", "sending");
  }

  stillBusy() {
    this.announce(
      "Your previous " + (this.mode === "run" ? "run" : "submission") + " is still being graded: wait for its result.",
      this.root.getAttribute("data-state")
    );
  }

  queued(position) {
    if (this.started) return;
    let text = this.kind() + " queued";
    if (position !== undefined && position !== null) {
      text += position <= 1 ? ": next in line." : ": position " + position + " in the queue.";
    } else {
      text += ".";
    }
    this.announce(text, "queued");
  }

  /* One event of the stream other than `completed` (see complete). */
  handle(message) {
    const data = message.data || {};
    switch (message.type) {
      case "queued":
        // The grader restarted mid-grading and will grade again from the start.
        if (data.retry) this.clearTests();
        this.queued(data.position);
        break;
      case "position":
        this.queued(data.position);
        break;
      case "grader":
        // The grader cannot reach its sandboxes: say why the queue does not move.
        if (!data.available && !this.started) this.announce(data.message, "queued");
        break;
      case "started":
        this.started = true;
        if (data.mode) this.mode = data.mode;
        this.plan = data.tests || [];
        this.showProgress();
        this.announce(
          (this.mode === "run" ? "Running the visible tests: " : "Running all tests: ") + plural(this.plan.length, "test") + "\u2026",
          "running"
        );
        break;
      case "test":
        if (!this.started) {
          this.started = true;
          this.announce("Running\u2026", "running");
        }
        this.showTest(data);
        break;
      default:
        break;
    }
  }

  showProgress() {
    const total = this.plan.length;
    if (!total) return;
    this.progressNode.hidden = false;
    this.progressBar.max = total;
    this.progressBar.value = this.finished;
    this.progressText.textContent = this.finished + " of " + plural(total, "test") + " finished";
  }

  showTest(test) {
    if (!test || !test.name || this.shown.has(test.name)) return;
    this.shown.add(test.name);
    this.finished += 1;
    this.showProgress();
    const status = this.words.test_statuses[test.status] ? test.status : "error";
    const hasPoints = test.max_points !== undefined && test.max_points !== null;
    const fragment = templateFill("test-result", {
      icon: this.words.test_icons[status],
      status: this.words.test_statuses[status],
      name: test.name,
      hidden: test.visibility === "hidden",
      points:
        hasPoints &&
        formatPoints(test.points) + " of " + formatPoints(test.max_points) + (Number(test.max_points) === 1 ? " point" : " points"),
      message: test.message,
      output: Boolean(test.output),
      "output-text": test.output,
    });
    const item = fragment.firstElementChild;
    item.classList.add("test-result--" + status);
    item.setAttribute("data-test", test.name);
    item.setAttribute("data-status", status);
    this.testsNode.appendChild(fragment);
  }

  /* The final verdict, said in words for every case. */
  complete(result) {
    // Tests we never heard about one by one (say, after falling back to polling).
    (result.tests || []).forEach((test) => this.showTest(test));
    const verdict = result.verdict || (result.status === "pass" ? "passed" : result.status === "fail" ? "failed" : "grader_error");
    const tests = result.tests || [];
    const passed = tests.filter((test) => test.status === "pass").length;
    const run = this.mode === "run";
    let headline = this.words.verdicts[verdict] || "The code could not be graded.";
    if (verdict === "failed") headline = "Failed: " + passed + " of " + plural(tests.length, "test") + " passed.";
    if (verdict === "passed") headline = "Passed: all " + plural(tests.length, "test") + " pass.";
    const location = result.location;
    if ((verdict === "syntax_error" || verdict === "import_error") && location) {
      headline += " See " + location.file + ", line " + location.line + ".";
    }
    const score = formatPoints(result.score) + " of " + formatPoints(result.max_score) + " points";
    let scoreText;
    if (run) scoreText = "Visible tests: " + score + ". A run is not recorded; Submit to be graded on every test.";
    else if (result.gradable === false) scoreText = "Not counted as an attempt.";
    else scoreText = "Score: " + score + (Number(result.score) >= Number(result.max_score) ? ", full marks." : ".");
    const state = verdict === "passed" ? "pass" : result.status === "fail" ? "fail" : "error";
    this.announce((run ? "Run finished. " : "Submission finished. ") + headline + " " + scoreText, state);
    this.progressNode.hidden = this.plan.length === 0;

    const canJump = Boolean(location) && this.files.has(location.file);
    const summary = templateFill("summary", {
      icon: this.words.test_icons[state],
      headline,
      score: scoreText,
      jump: canJump && "Go to " + location.file + ", line " + location.line,
      // For passed and failed the headline says it all; otherwise the message explains.
      message: verdict !== "passed" && verdict !== "failed" && result.message,
      output: Boolean(result.output),
      "output-text": result.output,
    });
    const verdictLine = summary.querySelector(".exercise__verdict");
    verdictLine.classList.add("exercise__verdict--" + state);
    verdictLine.setAttribute("data-verdict", verdict);
    const scoreLine = summary.querySelector(".exercise__score");
    scoreLine.setAttribute("data-score", formatPoints(result.score));
    scoreLine.setAttribute("data-max-score", formatPoints(result.max_score));
    if (canJump) {
      summary
        .querySelector('[data-slot="jump"]')
        .addEventListener("click", () => this.files.goTo(location.file, Number(location.line)));
    }
    this.summaryNode.replaceChildren(summary);
  }

  /* Nothing was queued: the server refused the submission or could not be reached. */
  fail(message) {
    this.announce(message, "error");
  }

  refused(reply, loginUrl) {
    if (reply.status === 401) {
      this.fail("You are not logged in any more. Log in again to run and submit; your draft is kept.");
      if (loginUrl) {
        const line = templateFill("log-in-again");
        line.querySelector("a").href = loginUrl;
        this.summaryNode.appendChild(line);
      }
      return;
    }
    this.fail(errorMessage(reply, "The submission was refused"));
    const fields = reply.body && reply.body.error && reply.body.error.fields;
    if (fields) {
      const list = templateFill("field-errors");
      const items = Object.keys(fields).map((name) => {
        const value = fields[name];
        return templateFill("field-error", { text: name + ": " + (Array.isArray(value) ? value.join(" ") : value) });
      });
      list.firstElementChild.append(...items);
      this.summaryNode.appendChild(list);
    }
  }

  /* A graded Submit: the learner's record changes. */
  recorded(result) {
    const record = this.record;
    record.attempts += 1;
    record.best = Math.max(record.best, Number(result.score || 0));
    record.completed = record.completed || Number(result.score) >= Number(result.max_score);
    const attempts = part(this.root, "record-attempts");
    if (attempts) attempts.textContent = plural(record.attempts, "attempt");
    const best = part(this.root, "record-best");
    if (best) best.textContent = formatPoints(record.best) + " of " + formatPoints(this.maxScore);
    const state = part(this.root, "record-state");
    if (state) {
      const status = record.completed ? "done" : "in_progress";
      state.className = "status status--" + status;
      state.replaceChildren(templateFill("status-" + status));
    }
  }
}
