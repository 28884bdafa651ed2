/*
 * One exercise widget (templates/learning/_exercise.html): its files, drafts,
 * hints and results view put together, and Run and Submit, which send the
 * files (POST <data-submit-url> {"files": {...}, "mode": "run"|"submit"} ->
 * 202 {id, position, status_url, events_url}, or 4xx {error}) and follow the
 * submission's events to its result. Configuration comes from the data-
 * attributes of the .exercise section.
 */
import { requestJson } from "../http.js";
import { part } from "./dom.js";
import { Drafts } from "./drafts.js";
import { Files } from "./files.js";
import { Hints } from "./hints.js";
import { ResultsView } from "./results.js";
import { SubmissionStream, websocketUrl } from "./stream.js";

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
    this.view = new ResultsView(root, words, this.files);

    [this.runButton, this.submitButton, this.resetButton].forEach((button) => {
      if (button) button.hidden = false;
    });
    if (this.runButton) this.runButton.addEventListener("click", () => this.send("run"));
    if (this.submitButton) this.submitButton.addEventListener("click", () => this.send("submit"));
    if (this.resetButton) this.resetButton.addEventListener("click", () => this.resetToStarter());
    window.addEventListener("pagehide", () => this.drafts.flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.drafts.flush();
    });
    this.drafts.restore();
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
    this.setBusy(false);
    if (this.view.mode !== "run" && result.gradable !== false) {
      this.view.recorded(result);
      this.hints.offer(result);
    }
  }
}
