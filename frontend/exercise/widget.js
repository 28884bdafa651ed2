/*
 * One exercise widget (templates/learning/_exercise.html): its files, drafts,
 * hints, solution and results view put together, and Run and Submit, which
 * send the files (POST <data-submit-url> {"files": {...}, "mode": "run"|"submit"}
 * -> 202 {id, mode, position, status_url, events_url, cancel_url}, or 4xx
 * {error}) and follow the submission's events to its result; Cancel (POST
 * <cancel_url>) while it waits or runs. After a reload it shows the newest
 * submission again (GET <data-latest-url>: the same fields with its result,
 * or 204). Configuration comes from the data- attributes of the .exercise
 * section.
 */
import { requestJson } from "../http.js";
import { part } from "./dom.js";
import { Drafts } from "./drafts.js";
import { Files } from "./files.js";
import { Hints } from "./hints.js";
import { ResultsView } from "./results.js";
import { Solution } from "./solution.js";
import { SubmissionStream, websocketUrl } from "./stream.js";
import { TryPanel } from "./try.js";

export class Widget {
  constructor(root, words) {
    this.root = root;
    const data = root.dataset;
    this.submitUrl = data.submitUrl;
    this.loginUrl = data.loginUrl || "";
    const authenticated = data.authenticated === "true";
    this.runButton = part(root, "run");
    this.submitButton = part(root, "submit");
    this.resetButton = part(root, "reset");
    this.cancelButton = part(root, "cancel");
    this.latestUrl = authenticated ? data.latestUrl || "" : "";
    this.cancelUrl = "";
    this.checkNode = part(root, "check");
    this.busy = false;
    this.stream = null;

    this.files = new Files(root, {
      commands: authenticated ? { run: () => this.send("run"), submit: () => this.send("submit") } : {},
      onChange: () => this.changed(),
    });
    this.drafts = new Drafts({
      slug: data.exercise,
      url: authenticated ? data.draftUrl || "" : "",
      authenticated,
      files: this.files,
      statusNode: part(root, "draft-status"),
    });
    this.hints = new Hints(root);
    this.solution = new Solution(root);
    this.tryPanel = new TryPanel(root, this.files);
    this.view = new ResultsView(root, words, this.files);

    [this.runButton, this.submitButton, this.resetButton].forEach((button) => {
      if (button) button.hidden = false;
    });
    if (this.runButton) this.runButton.addEventListener("click", () => this.send("run"));
    if (this.submitButton) this.submitButton.addEventListener("click", () => this.send("submit"));
    if (this.resetButton) this.resetButton.addEventListener("click", () => this.resetToStarter());
    if (this.cancelButton) this.cancelButton.addEventListener("click", () => this.cancel());
    window.addEventListener("pagehide", () => this.drafts.flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.drafts.flush();
    });
    this.drafts.restore();
    this.showLatest();
  }

  /* After a reload: the last result again, or the submission still being graded, followed. */
  showLatest() {
    if (!this.latestUrl) return;
    requestJson(this.latestUrl)
      .then((reply) => {
        const latest = reply.status === 200 && reply.body;
        // A Run or Submit sent since the page loaded has the view now.
        if (!latest || this.busy || this.stream) return;
        this.view.begin(latest.mode, { quiet: true });
        if (latest.status === "queued" || latest.status === "running") {
          this.setBusy(true);
          this.accepted(latest);
        } else if (latest.result) {
          this.view.complete(latest.result, { earlier: latest.created_at });
        }
      })
      .catch(() => {
        /* Nothing to show again; the page works as on a first visit. */
      });
  }

  cancel() {
    if (!this.cancelUrl) return;
    this.cancelButton.disabled = true;
    requestJson(this.cancelUrl, { method: "POST", body: "{}" })
      .then((reply) => {
        // The stream brings the cancelled result; a refusal (already finished) is said.
        if (reply.status === 202) this.view.announce("Stopping the run\u2026", "running");
        else if (reply.status !== 200) this.view.cancelRefused(reply);
      })
      .catch(() => this.view.cancelRefused(null))
      .then(() => {
        this.cancelButton.disabled = false;
      });
  }

  changed() {
    if (!this.checkNode.hidden) this.showCheck(""); // about code that has changed since
    this.drafts.changed();
  }

  /* A role="alert" paragraph: read out as soon as it appears. */
  showCheck(message) {
    this.checkNode.textContent = message;
    this.checkNode.hidden = !message;
  }

  setBusy(busy) {
    this.busy = busy;
    [this.runButton, this.submitButton].forEach((button) => {
      if (button) button.disabled = busy;
    });
    this.view.setBusy(busy);
    if (this.cancelButton) this.cancelButton.hidden = !busy || !this.cancelUrl;
  }

  resetToStarter() {
    const question =
      "Replace your code in " +
      this.files.describe() +
      " with the starter code? Undo (Ctrl+Z) in the editor brings your code back.";
    if (!window.confirm(question)) return;
    this.files.setValues(this.files.starterValues(), true);
    this.changed();
    this.view.announce("The code is back to the starter.", "");
  }

  /* Run and Submit bring the status line into view: on a phone it is below
     the fold, and nothing would seem to happen. It is put at the top, with
     the results coming in under it, unless it is already in sight. */
  revealStatus() {
    const node = part(this.root, "status");
    const box = node.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) return;
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    node.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
  }

  send(mode) {
    if (!this.submitButton) return;
    // Another tab's submission would queue behind this one; this page waits for its own.
    if (this.busy) {
      this.view.stillBusy();
      return;
    }
    const values = this.files.values();
    const problem = this.files.check(values);
    this.showCheck(problem);
    if (problem) return;
    this.drafts.save(false);
    if (this.stream) this.stream.stop();
    this.stream = null;
    this.view.begin(mode);
    this.revealStatus();
    this.setBusy(true);
    requestJson(this.submitUrl, { method: "POST", body: JSON.stringify({ files: values, mode }) })
      .then((reply) => {
        if (reply.status === 202 && reply.body && reply.body.id) this.accepted(reply.body);
        else this.refused(reply);
      })
      .catch(() => {
        this.fail("Could not reach the server. Check your connection and try again.");
      });
  }

  refused(reply) {
    this.view.refused(reply, this.loginUrl);
    this.setBusy(false);
  }

  fail(message) {
    this.view.fail(message);
    this.setBusy(false);
  }

  accepted(submission) {
    this.cancelUrl = submission.cancel_url || "";
    if (this.cancelButton) this.cancelButton.hidden = !this.cancelUrl;
    this.view.queued(submission.position);
    this.stream = new SubmissionStream({
      eventsUrl: submission.events_url ? websocketUrl(submission.events_url, window.location) : "",
      statusUrl: submission.status_url,
      onEvent: (message) => this.event(message),
    });
    this.stream.start();
  }

  event(message) {
    if (message.type !== "completed") {
      this.view.handle(message);
      return;
    }
    const result = (message.data && message.data.result) || {};
    this.view.complete(result);
    this.cancelUrl = "";
    this.setBusy(false);
    if (this.view.mode !== "run" && result.gradable !== false) {
      this.view.recorded(result);
      this.hints.offer(result);
      if (Number(result.score) >= Number(result.max_score)) this.solution.unlock();
    }
  }
}
