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

/* An ISO time as the learner's clock says it. */
function localTime(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/* One HTTP exchange of a web exercise's test: what it sent, what the app answered. */
function exchangeFill(exchange) {
  const body = exchange.body || "";
  return templateFill("exchange", {
    request: exchange.method + " " + exchange.path,
    status: String(exchange.status),
    "content-type": exchange.content_type || "no content type",
    body: body ? body + (exchange.truncated ? "\u2026" : "") : exchange.truncated ? "(the body was not read)" : "(empty body)",
  });
}

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
    this.whenNode = part(root, "results-when");
    const data = root.dataset;
    this.maxScore = Number(data.maxScore || 0);
    this.nextUrl = data.nextUrl || "";
    this.nextTitle = data.nextTitle || "";
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

  /* A new run or submission is being sent; `quiet` for one shown again after a reload. */
  begin(mode, { quiet = false } = {}) {
    this.mode = mode;
    this.plan = [];
    this.clearTests();
    this.summaryNode.textContent = "";
    this.whenNode.textContent = "";
    this.resultsNode.hidden = false;
    if (quiet) return;
    this.announce(mode === "run" ? "Sending a run of the visible tests\u2026" : "Sending your submission\u2026", "sending");
  }

  /* The server would not cancel: it had just finished, or is gone. */
  cancelRefused(reply) {
    const message = reply ? errorMessage(reply, "It could not be cancelled") : "Could not reach the server to cancel.";
    this.announce(message + " Its result follows.", this.root.getAttribute("data-state"));
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
    const comparison = test.comparison;
    // With the values or the HTTP exchange said plainly, pytest's own words are one click away.
    const plain = Boolean(comparison) || Boolean(test.exchanges && test.exchanges.length);
    const fragment = templateFill("test-result", {
      icon: this.words.test_icons[status],
      status: this.words.test_statuses[status],
      name: test.name,
      hidden: test.visibility === "hidden",
      points:
        hasPoints &&
        formatPoints(test.points) + " of " + formatPoints(test.max_points) + (Number(test.max_points) === 1 ? " point" : " points"),
      comparison: Boolean(comparison),
      expected: comparison ? comparison.expected : "",
      got: comparison ? comparison.got : "",
      message: !plain && test.message,
      details: plain && Boolean(test.message),
      "details-text": test.message,
      output: Boolean(test.output),
      "output-text": test.output,
    });
    const raised = test.learner_raised;
    const jump = fragment.querySelector('[data-slot="jump"]');
    if (raised && this.files.has(raised.file)) {
      jump.textContent = "Your code raised " + raised.exception + ": go to " + raised.file + ", line " + raised.line;
      jump.addEventListener("click", () => this.files.goTo(raised.file, Number(raised.line)));
    } else {
      jump.remove();
    }
    const exchanges = fragment.querySelector('[data-slot="exchanges"]');
    if (test.exchanges && test.exchanges.length) {
      exchanges.append(...test.exchanges.map(exchangeFill));
    } else {
      exchanges.remove();
    }
    const item = fragment.firstElementChild;
    item.classList.add("test-result--" + status);
    item.setAttribute("data-test", test.name);
    item.setAttribute("data-status", status);
    this.testsNode.appendChild(fragment);
  }

  /* The final verdict, said in words for every case. A run that stopped as a
     whole (a syntax error, a limit, a cancel) is one message: the tests it
     never reached get no card of their own. */
  complete(result, { earlier = "" } = {}) {
    const verdict = result.verdict || (result.status === "pass" ? "passed" : result.status === "fail" ? "failed" : "grader_error");
    const tests = result.tests || [];
    const wholeRun = verdict !== "passed" && verdict !== "failed";
    const notRun = tests.filter((test) => test.ran === false);
    // Tests we never heard about one by one (say, after falling back to polling).
    tests.filter((test) => !(wholeRun && test.ran === false)).forEach((test) => this.showTest(test));
    const passed = tests.filter((test) => test.status === "pass").length;
    const run = this.mode === "run";
    let headline = this.words.verdicts[verdict] || "The code could not be graded.";
    if (verdict === "failed") headline = "Failed: " + passed + " of " + plural(tests.length, "test") + " passed.";
    if (verdict === "passed") headline = "Passed: all " + plural(tests.length, "test") + " pass.";
    const location = result.location;
    if ((verdict === "syntax_error" || verdict === "import_error") && location) {
      headline += " See " + location.file + ", line " + location.line + ".";
    }
    let notRunText = "";
    // A syntax or import error's own message already says that nothing ran.
    if (wholeRun && notRun.length && verdict !== "syntax_error" && verdict !== "import_error") {
      notRunText =
        notRun.length === tests.length
          ? "None of the " + plural(tests.length, "test") + " ran."
          : plural(tests.length - notRun.length, "test") + " of " + tests.length + " ran; the other " + notRun.length + " did not.";
    }
    const score = formatPoints(result.score) + " of " + formatPoints(result.max_score) + " points";
    let scoreText;
    if (run) scoreText = "Visible tests: " + score + ". A run is not recorded; Submit to be graded on every test.";
    else if (result.gradable === false) scoreText = "Not counted as an attempt.";
    else scoreText = "Score: " + score + (Number(result.score) >= Number(result.max_score) ? ", full marks." : ".");
    const state = verdict === "passed" ? "pass" : result.status === "fail" ? "fail" : "error";
    // Said once in words for screen readers; the summary below says it in full.
    const label = this.words.labels[verdict] || "Not graded";
    const what = earlier ? (run ? "Your last run: " : "Your last submission: ") : run ? "Run finished: " : "Submission finished: ";
    this.announce(what + label + ". " + scoreText, state);
    this.progressNode.hidden = this.plan.length === 0 || (wholeRun && this.finished === 0);

    const canJump = Boolean(location) && this.files.has(location.file);
    const summary = templateFill("summary", {
      icon: this.words.test_icons[state],
      headline,
      score: scoreText,
      jump: canJump && "Go to " + location.file + ", line " + location.line,
      // For passed and failed the headline says it all; otherwise the message explains.
      message: wholeRun && result.message,
      "not-run": notRunText,
      next: verdict === "passed" && !run && Boolean(this.nextUrl),
      output: Boolean(result.output),
      "output-text": result.output,
    });
    const verdictLine = summary.querySelector(".exercise__verdict");
    verdictLine.classList.add("exercise__verdict--" + state);
    verdictLine.setAttribute("data-verdict", verdict);
    const scoreLine = summary.querySelector(".exercise__score");
    scoreLine.setAttribute("data-score", formatPoints(result.score));
    scoreLine.setAttribute("data-max-score", formatPoints(result.max_score));
    const next = summary.querySelector('[data-slot="next"] a');
    if (next) {
      next.href = this.nextUrl;
      next.textContent = "Next: " + this.nextTitle;
    }
    if (canJump) {
      summary
        .querySelector('[data-slot="jump"]')
        .addEventListener("click", () => this.files.goTo(location.file, Number(location.line)));
    }
    this.summaryNode.replaceChildren(summary);
    if (earlier) this.whenNode.textContent = "Your last " + (run ? "run" : "submission") + ", sent " + localTime(earlier) + ".";
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
