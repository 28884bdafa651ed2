/*
 * The exercise widget (templates/lessons/_exercise.html): a code editor per
 * file in tabs, drafts saved as you type, Run and Submit with results streamed
 * test by test, hints one at a time. Described for learners in docs/editor.md.
 *
 * Configuration comes from the data- attributes of each .exercise section.
 * Server APIs (docs/grading.md, lessons/urls.py):
 *   POST <data-submit-url>  {"files": {...}, "mode": "run"|"submit"}
 *                           -> 202 {id, status, position, status_url, events_url}
 *                           -> 4xx {error: {code, message, fields?}}
 *   WS   <events_url>?after=<seq>   stored events {seq, type, data, at}, ephemeral
 *        {type: "position"} and {type: "grader", data: {available, message}}
 *   GET  <status_url>               {id, status, result, events: [...]}  (fallback when WS fails)
 *   GET/PUT <data-draft-url>        {"files": {...}} (logged-in learners; anonymous drafts stay in localStorage)
 *   POST <data-hints-url>           -> {hints: [html, ...], total, can_reveal}
 *
 * The editor is CodeMirror 6 from the bundle build/frontend/editor/editor.js
 * (window.LecternEditor); if it did not load, the text areas are used as they are.
 *
 * Text from the server is only ever put into the page with textContent, except
 * the hints' HTML, which is the course's own Markdown rendered by the server
 * like the rest of the lesson.
 */
(function () {
  "use strict";

  const MAX_RECONNECTS = 4;
  const POLL_MS = 1000;
  const DRAFT_DELAY_MS = 1000;
  // The words of a result, from grader/vocabulary.py: the page renders them
  // as JSON ({% verdict_words %}), so they are written in one place.
  const WORDS = JSON.parse(document.getElementById("lectern-verdict-words").textContent);
  const STATUS_TEXT = WORDS.test_statuses;
  const STATUS_ICON = WORDS.test_icons;
  // What each verdict of a completed submission means, said in words.
  const VERDICTS = WORDS.verdicts;

  /* --- Small helpers ------------------------------------------------------- */

  function cookie(name) {
    const parts = document.cookie ? document.cookie.split(";") : [];
    for (const raw of parts) {
      const part = raw.trim();
      if (part.indexOf(name + "=") === 0) return decodeURIComponent(part.slice(name.length + 1));
    }
    return "";
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatPoints(value) {
    return String(Math.round(Number(value || 0) * 100) / 100);
  }

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    return Math.round((bytes / 1024) * 10) / 10 + " KiB";
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function byteLength(text) {
    return new TextEncoder().encode(text).length;
  }

  function socketUrl(path, after) {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const separator = path.indexOf("?") === -1 ? "?" : "&";
    return scheme + "//" + window.location.host + path + separator + "after=" + after;
  }

  function timeOfDay(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /* JSON over fetch: resolves {status, body} for every HTTP answer (body null
     when it is not JSON) and rejects only when the server cannot be reached. */
  function requestJson(url, options) {
    const init = Object.assign({ credentials: "same-origin" }, options || {});
    init.headers = Object.assign({ Accept: "application/json" }, init.headers || {});
    if (init.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRFToken"] = cookie("csrftoken");
    }
    return fetch(url, init).then((response) =>
      response
        .json()
        .catch(() => null)
        .then((body) => ({ status: response.status, body: body }))
    );
  }

  function errorMessage(reply, fallback) {
    const error = reply.body && reply.body.error;
    return error && error.message ? error.message : fallback + " (HTTP " + reply.status + ").";
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (blocked) {
      return null;
    }
  }

  /* --- One file: a CodeMirror editor, or the text area when there is none --- */

  /* Tab inserts four spaces; Esc then Tab leaves the field, so keyboard users
     are never trapped (WCAG 2.1.2). Only used without the editor bundle. */
  function textareaKeys(textarea) {
    let escaped = false;
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        escaped = true;
        return;
      }
      if (event.key === "Tab" && !escaped && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        const start = textarea.selectionStart;
        textarea.setRangeText("    ", start, textarea.selectionEnd, "end");
        textarea.dispatchEvent(new Event("input"));
        return;
      }
      escaped = false;
    });
  }

  function textareaEditor(textarea, onChange) {
    textareaKeys(textarea);
    textarea.addEventListener("input", () => onChange(textarea.value));
    return {
      getValue: () => textarea.value,
      setValue: (text) => {
        textarea.value = text;
      },
      focus: () => textarea.focus(),
      goToLine: (number) => {
        const lines = textarea.value.split("\n");
        let offset = 0;
        for (let index = 0; index < Math.max(0, number - 1) && index < lines.length; index++) {
          offset += lines[index].length + 1;
        }
        textarea.focus();
        textarea.setSelectionRange(offset, offset);
      },
    };
  }

  function fileEditor(panel, textarea, options) {
    const onChange = (text) => {
      // The text area keeps the current text: author mode (author.js) compares
      // it with the starter to know whether reloading would lose edits.
      textarea.value = text;
      options.onChange();
    };
    if (!window.LecternEditor || typeof window.LecternEditor.editorCreate !== "function") {
      return textareaEditor(textarea, onChange);
    }
    const mount = el("div", "exercise__editor");
    textarea.after(mount);
    textarea.hidden = true;
    const label = panel.querySelector(".exercise__file-label");
    if (label) label.hidden = true;
    return window.LecternEditor.editorCreate(mount, {
      doc: textarea.value,
      label: options.name + ", Python code editor",
      describedBy: textarea.getAttribute("aria-describedby"),
      onChange: onChange,
      commands: options.commands,
    });
  }

  /* --- The widget ------------------------------------------------------------ */

  function Widget(root) {
    this.root = root;
    const data = root.dataset;
    this.slug = data.exercise;
    this.submitUrl = data.submitUrl;
    this.authenticated = data.authenticated === "true";
    this.draftUrl = this.authenticated ? data.draftUrl || "" : "";
    this.hintsUrl = data.hintsUrl || "";
    this.loginUrl = data.loginUrl || "";
    this.maxFiles = parseInt(data.maxFiles, 10) || 0;
    this.maxBytes = parseInt(data.maxBytes, 10) || 0;
    this.maxScore = Number(data.maxScore || 0);
    this.record = {
      attempts: parseInt(data.attempts, 10) || 0,
      best: Number(data.bestScore || 0),
      completed: data.completed === "true",
    };
    this.hintsTotal = parseInt(data.hintsTotal, 10) || 0;
    this.hintsRevealed = parseInt(data.hintsRevealed, 10) || 0;
    this.draftKey = "lectern:draft:" + this.slug;

    const part = (role) => root.querySelector('[data-role="' + role + '"]');
    this.runButton = part("run");
    this.submitButton = part("submit");
    this.resetButton = part("reset");
    this.draftNode = part("draft-status");
    this.checkNode = part("check");
    this.statusNode = part("status");
    this.resultsNode = part("results");
    this.progressNode = part("progress");
    this.progressBar = part("progressbar");
    this.progressText = part("progress-text");
    this.testsNode = part("tests");
    this.summaryNode = part("summary");
    this.hintsList = part("hints");
    this.hintButton = part("reveal-hint");
    this.hintNote = part("hint-note");

    this.busy = false;
    this.edited = false;
    this.saveTimer = null;
    this.savePending = false;
    this.resetTransport();
    this.setUpFiles();
    this.setUpTabs();
    this.setUpActions();
    this.draftRestore();
  }

  /* --- Files and tabs --- */

  Widget.prototype.setUpFiles = function () {
    const self = this;
    const commands = this.authenticated
      ? { run: () => self.send("run"), submit: () => self.send("submit") }
      : {};
    this.files = Array.prototype.map.call(this.root.querySelectorAll(".exercise__panel"), (panel) => {
      const textarea = panel.querySelector("textarea[data-filename]");
      const name = textarea.getAttribute("data-filename");
      const file = {
        name: name,
        panel: panel,
        tab: self.root.querySelector('[role="tab"][data-filename="' + CSS.escape(name) + '"]'),
        starter: textarea.defaultValue,
      };
      file.editor = fileEditor(panel, textarea, {
        name: name,
        commands: commands,
        onChange: () => self.changed(),
      });
      return file;
    });
  };

  Widget.prototype.setUpTabs = function () {
    const tablist = this.root.querySelector('[data-role="tablist"]');
    const files = this.files.filter((file) => file.tab);
    if (!tablist || files.length !== this.files.length) return;
    tablist.hidden = false;
    const self = this;
    files.forEach((file, index) => {
      file.tab.addEventListener("click", () => self.selectFile(file, false));
      file.tab.addEventListener("keydown", (event) => {
        let next = null;
        if (event.key === "ArrowRight") next = files[(index + 1) % files.length];
        else if (event.key === "ArrowLeft") next = files[(index - 1 + files.length) % files.length];
        else if (event.key === "Home") next = files[0];
        else if (event.key === "End") next = files[files.length - 1];
        if (!next) return;
        event.preventDefault();
        self.selectFile(next, true);
      });
    });
    this.selectFile(files[0], false);
  };

  /* WAI-ARIA tabs with automatic activation: the selected tab is the only one
     in the tab order; arrows, Home and End move between tabs. */
  Widget.prototype.selectFile = function (chosen, focusTab) {
    this.files.forEach((file) => {
      const selected = file === chosen;
      if (file.tab) {
        file.tab.setAttribute("aria-selected", selected ? "true" : "false");
        file.tab.tabIndex = selected ? 0 : -1;
      }
      file.panel.hidden = !selected;
    });
    if (focusTab && chosen.tab) chosen.tab.focus();
  };

  Widget.prototype.fileNamed = function (name) {
    return this.files.find((file) => file.name === name) || null;
  };

  Widget.prototype.currentFiles = function () {
    const files = {};
    this.files.forEach((file) => {
      files[file.name] = file.editor.getValue();
    });
    return files;
  };

  Widget.prototype.setFiles = function (files, undoable) {
    this.applying = true;
    try {
      this.files.forEach((file) => {
        if (typeof files[file.name] === "string") file.editor.setValue(files[file.name], { undoable: undoable });
      });
    } finally {
      this.applying = false;
    }
  };

  Widget.prototype.isStarter = function (files) {
    return this.files.every((file) => (files[file.name] || "") === file.starter);
  };

  /* --- Buttons --- */

  Widget.prototype.setUpActions = function () {
    const self = this;
    [this.runButton, this.submitButton, this.resetButton].forEach((button) => {
      if (button) button.hidden = false;
    });
    if (this.runButton) this.runButton.addEventListener("click", () => self.send("run"));
    if (this.submitButton) this.submitButton.addEventListener("click", () => self.send("submit"));
    if (this.resetButton) this.resetButton.addEventListener("click", () => self.resetToStarter());
    if (this.hintButton) this.hintButton.addEventListener("click", () => self.revealHint());
    window.addEventListener("pagehide", () => self.draftFlush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") self.draftFlush();
    });
  };

  Widget.prototype.resetToStarter = function () {
    const question =
      "Replace your code in " +
      (this.files.length === 1 ? this.files[0].name : "every file") +
      " with the starter code? Undo (Ctrl+Z) in the editor brings your code back.";
    if (!window.confirm(question)) return;
    const starter = {};
    this.files.forEach((file) => {
      starter[file.name] = file.starter;
    });
    this.setFiles(starter, true);
    this.changed();
    this.announce("The code is back to the starter.", "");
  };

  Widget.prototype.setBusy = function (busy) {
    this.busy = busy;
    [this.runButton, this.submitButton].forEach((button) => {
      if (button) button.disabled = busy;
    });
    this.resultsNode.setAttribute("aria-busy", busy ? "true" : "false");
  };

  /* The live region: every status change and the final verdict are read out. */
  Widget.prototype.announce = function (text, state) {
    this.statusNode.textContent = text;
    this.root.setAttribute("data-state", state || "");
  };

  /* --- Drafts: saved a second after the last edit, restored on load --- */

  Widget.prototype.changed = function () {
    if (this.applying) return; // a draft or the starter being put in, not an edit
    this.edited = true;
    if (!this.checkNode.hidden) this.showCheck(""); // about code that has changed since
    this.savePending = true;
    if (this.saveTimer) window.clearTimeout(this.saveTimer);
    const self = this;
    this.saveTimer = window.setTimeout(() => self.draftSave(false), DRAFT_DELAY_MS);
  };

  Widget.prototype.setDraftStatus = function (text) {
    if (this.draftNode) this.draftNode.textContent = text;
  };

  Widget.prototype.draftRestore = function () {
    const self = this;
    if (!this.draftUrl) {
      this.draftRestoreLocal();
      return;
    }
    requestJson(this.draftUrl, { method: "GET", cache: "no-store" })
      .then((reply) => {
        if (reply.status === 200 && reply.body && reply.body.files) {
          // The account's draft wins; a copy kept in this browser is out of date.
          const store = storage();
          if (store) store.removeItem(self.draftKey);
          self.draftApply(reply.body.files, reply.body.updated_at, "your account");
        } else if (self.draftRestoreLocal()) {
          // Edits made before logging in move to the account.
          self.changed();
        }
      })
      .catch(() => {
        self.setDraftStatus("Could not load your saved draft.");
      });
  };

  Widget.prototype.draftRestoreLocal = function () {
    const store = storage();
    let saved = null;
    try {
      saved = store ? JSON.parse(store.getItem(this.draftKey) || "null") : null;
    } catch (broken) {
      saved = null;
    }
    if (!saved || typeof saved.files !== "object" || saved.files === null) return false;
    return this.draftApply(saved.files, saved.updated_at, "this browser");
  };

  Widget.prototype.draftApply = function (files, updatedAt, where) {
    // Never overwrite what the learner typed while the draft was loading.
    if (this.edited || this.isStarter(Object.assign(this.currentFiles(), files))) return false;
    this.setFiles(files, false);
    const when = updatedAt ? new Date(updatedAt) : null;
    this.setDraftStatus(
      "Restored your draft from " +
        where +
        (when && !isNaN(when) ? " (saved " + when.toLocaleString() + ")" : "") +
        ". Reset to starter to begin again."
    );
    return true;
  };

  Widget.prototype.draftSave = function (leaving) {
    if (this.saveTimer) window.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.savePending) return Promise.resolve();
    this.savePending = false;
    const files = this.currentFiles();
    if (!this.draftUrl) {
      this.draftSaveLocal(files);
      this.setDraftStatus(
        this.authenticated ? "Draft saved in this browser." : "Draft saved in this browser. Log in to keep it with your account."
      );
      return Promise.resolve();
    }
    const self = this;
    this.setDraftStatus("Saving draft\u2026");
    return requestJson(this.draftUrl, { method: "PUT", body: JSON.stringify({ files: files }), keepalive: leaving })
      .then((reply) => {
        if (reply.status === 200) {
          const store = storage();
          if (store) store.removeItem(self.draftKey);
          self.setDraftStatus("Draft saved at " + timeOfDay(new Date()) + ".");
        } else if (reply.status === 401) {
          self.draftSaveLocal(files);
          self.setDraftStatus("You are logged out: the draft is kept in this browser until you log in again.");
        } else {
          self.setDraftStatus("Draft not saved: " + errorMessage(reply, "the server refused it"));
        }
      })
      .catch(() => {
        self.draftSaveLocal(files);
        self.savePending = true;
        self.setDraftStatus("Could not reach the server: the draft is kept in this browser for now.");
      });
  };

  Widget.prototype.draftSaveLocal = function (files) {
    const store = storage();
    if (!store) return;
    try {
      store.setItem(this.draftKey, JSON.stringify({ files: files, updated_at: new Date().toISOString() }));
    } catch (full) {
      /* Storage full or refused: the draft lives on in the editor only. */
    }
  };

  Widget.prototype.draftFlush = function () {
    if (this.savePending) this.draftSave(true);
  };

  /* --- Checks before sending (the server checks again) --- */

  Widget.prototype.check = function (files) {
    const names = Object.keys(files);
    if (this.maxFiles && names.length > this.maxFiles) {
      return "This has " + plural(names.length, "file") + "; at most " + this.maxFiles + " may be sent.";
    }
    const bytes = names.reduce((total, name) => total + byteLength(files[name]), 0);
    if (this.maxBytes && bytes > this.maxBytes) {
      return (
        "Your code is " +
        formatBytes(bytes) +
        " in all; at most " +
        formatBytes(this.maxBytes) +
        " may be sent. Make it shorter, then try again."
      );
    }
    if (names.every((name) => files[name].trim() === "")) return "Every file is empty: write some code first.";
    return "";
  };

  Widget.prototype.showCheck = function (message) {
    this.checkNode.textContent = message;
    this.checkNode.hidden = !message;
  };

  /* --- Run and Submit --- */

  Widget.prototype.send = function (mode) {
    if (!this.submitButton) return;
    if (this.busy) {
      this.announce(
        "Your previous " + (this.mode === "run" ? "run" : "submission") + " is still being graded: wait for its result.",
        this.root.getAttribute("data-state")
      );
      return;
    }
    const files = this.currentFiles();
    const problem = this.check(files);
    // A role="alert" paragraph: read out as soon as it appears.
    this.showCheck(problem);
    if (problem) return;
    this.draftSave(false);
    this.stop();
    this.resetTransport();
    this.mode = mode;
    this.plan = [];
    this.testsNode.textContent = "";
    this.summaryNode.textContent = "";
    this.progressNode.hidden = true;
    this.resultsNode.hidden = false;
    this.setBusy(true);
    this.announce(mode === "run" ? "Sending a run of the visible tests\u2026" : "Sending your submission\u2026", "sending");
    const self = this;
    requestJson(this.submitUrl, { method: "POST", body: JSON.stringify({ files: files, mode: mode }) })
      .then((reply) => {
        if (reply.status === 202 && reply.body && reply.body.id) {
          self.accepted(reply.body);
        } else {
          self.refused(reply);
        }
      })
      .catch(() => {
        self.fail("Could not reach the server. Check your connection and try again.");
      });
  };

  Widget.prototype.refused = function (reply) {
    const error = (reply.body && reply.body.error) || {};
    if (reply.status === 401) {
      this.fail("You are not logged in any more. Log in again to run and submit; your draft is kept.");
      if (this.loginUrl) {
        const link = el("a", null, "Log in");
        link.href = this.loginUrl;
        const line = el("p");
        line.appendChild(link);
        this.summaryNode.appendChild(line);
      }
      return;
    }
    this.fail(errorMessage(reply, "The submission was refused"));
    if (error.fields) {
      const list = el("ul", "field-errors");
      Object.keys(error.fields).forEach((name) => {
        const value = error.fields[name];
        list.appendChild(el("li", null, name + ": " + (Array.isArray(value) ? value.join(" ") : value)));
      });
      this.summaryNode.appendChild(list);
    }
  };

  Widget.prototype.fail = function (message) {
    this.done = true;
    this.announce(message, "error");
    this.setBusy(false);
  };

  Widget.prototype.accepted = function (body) {
    this.submission = body;
    this.showQueued(body.position);
    if (window.WebSocket && body.events_url) {
      this.connect();
    } else {
      this.startPolling();
    }
  };

  Widget.prototype.kind = function () {
    return this.mode === "run" ? "Run" : "Submission";
  };

  Widget.prototype.showQueued = function (position) {
    if (this.started || this.done) return;
    let text = this.kind() + " queued";
    if (position !== undefined && position !== null) {
      text += position <= 1 ? ": next in line." : ": position " + position + " in the queue.";
    } else {
      text += ".";
    }
    this.announce(text, "queued");
  };

  /* --- Events ------------------------------------------------------------- */

  Widget.prototype.handle = function (message) {
    if (!message || this.done) return;
    if (typeof message.seq === "number") {
      // Replays after a reconnect or a poll may repeat what we have seen.
      if (message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
    }
    const data = message.data || {};
    switch (message.type) {
      case "queued":
        if (data.retry) {
          // The grader restarted mid-grading and will grade again from the start.
          this.started = false;
          this.shownTests = {};
          this.testsNode.textContent = "";
          this.finished = 0;
          this.progressNode.hidden = true;
        }
        this.showQueued(data.position);
        break;
      case "position":
        this.showQueued(data.position);
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
          (this.mode === "run" ? "Running the visible tests: " : "Running all tests: ") +
            plural(this.plan.length, "test") +
            "\u2026",
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
      case "completed":
        this.complete(data.result || {});
        break;
      default:
        break;
    }
  };

  Widget.prototype.showProgress = function () {
    const total = this.plan.length;
    if (!total) return;
    this.progressNode.hidden = false;
    this.progressBar.max = total;
    this.progressBar.value = this.finished;
    this.progressText.textContent = this.finished + " of " + plural(total, "test") + " finished";
  };

  Widget.prototype.showTest = function (test) {
    if (!test || !test.name || this.shownTests[test.name]) return;
    this.shownTests[test.name] = true;
    this.finished += 1;
    this.showProgress();
    const status = STATUS_TEXT[test.status] ? test.status : "error";
    const item = el("li", "test-result test-result--" + status);
    item.setAttribute("data-test", test.name);
    item.setAttribute("data-status", status);
    const head = el("div", "test-result__head");
    const icon = el("span", "test-result__icon", STATUS_ICON[status]);
    icon.setAttribute("aria-hidden", "true");
    head.appendChild(icon);
    head.appendChild(el("span", "test-result__status", STATUS_TEXT[status]));
    head.appendChild(el("code", "test-result__name", test.name));
    if (test.visibility === "hidden") head.appendChild(el("span", "badge", "hidden test"));
    if (test.max_points !== undefined && test.max_points !== null) {
      head.appendChild(
        el(
          "span",
          "test-result__points",
          formatPoints(test.points) + " of " + formatPoints(test.max_points) + (Number(test.max_points) === 1 ? " point" : " points")
        )
      );
    }
    item.appendChild(head);
    if (test.message) item.appendChild(el("pre", "test-result__message", test.message));
    if (test.output) {
      const details = el("details", "test-result__output");
      details.appendChild(el("summary", null, "What your code printed"));
      details.appendChild(el("pre", null, test.output));
      item.appendChild(details);
    }
    this.testsNode.appendChild(item);
  };

  Widget.prototype.complete = function (result) {
    const self = this;
    // Tests we never heard about one by one (say, after falling back to polling).
    (result.tests || []).forEach((test) => self.showTest(test));
    this.done = true;
    this.stop();
    const verdict = result.verdict || (result.status === "pass" ? "passed" : result.status === "fail" ? "failed" : "grader_error");
    const tests = result.tests || [];
    const passed = tests.filter((test) => test.status === "pass").length;
    const run = this.mode === "run";
    let headline = VERDICTS[verdict] || "The code could not be graded.";
    if (verdict === "failed") headline = "Failed: " + passed + " of " + plural(tests.length, "test") + " passed.";
    if (verdict === "passed") headline = "Passed: all " + plural(tests.length, "test") + " pass.";
    if ((verdict === "syntax_error" || verdict === "import_error") && result.location) {
      headline += " See " + result.location.file + ", line " + result.location.line + ".";
    }
    const score = formatPoints(result.score) + " of " + formatPoints(result.max_score) + " points";
    let scoreText;
    if (run) scoreText = "Visible tests: " + score + ". A run is not recorded; Submit to be graded on every test.";
    else if (result.gradable === false) scoreText = "Not counted as an attempt.";
    else scoreText = "Score: " + score + (Number(result.score) >= Number(result.max_score) ? ", full marks." : ".");
    const state = verdict === "passed" ? "pass" : result.status === "fail" ? "fail" : "error";
    this.announce((run ? "Run finished. " : "Submission finished. ") + headline + " " + scoreText, state);
    this.progressNode.hidden = this.plan.length === 0;

    this.summaryNode.textContent = "";
    const verdictLine = el("p", "exercise__verdict exercise__verdict--" + state);
    verdictLine.setAttribute("data-verdict", verdict);
    const icon = el("span", "exercise__verdict-icon", STATUS_ICON[state === "pass" ? "pass" : state === "fail" ? "fail" : "error"]);
    icon.setAttribute("aria-hidden", "true");
    verdictLine.appendChild(icon);
    verdictLine.appendChild(el("strong", null, headline));
    this.summaryNode.appendChild(verdictLine);
    const scoreLine = el("p", "exercise__score", scoreText);
    scoreLine.setAttribute("data-score", formatPoints(result.score));
    scoreLine.setAttribute("data-max-score", formatPoints(result.max_score));
    this.summaryNode.appendChild(scoreLine);
    if (result.location && this.fileNamed(result.location.file)) {
      const file = this.fileNamed(result.location.file);
      const jump = el("button", "button button--secondary", "Go to " + result.location.file + ", line " + result.location.line);
      jump.type = "button";
      jump.addEventListener("click", () => {
        self.selectFile(file, false);
        file.editor.goToLine(Number(result.location.line));
      });
      this.summaryNode.appendChild(jump);
    }
    // For passed and failed the headline says it all; otherwise the message explains.
    if (result.message && verdict !== "passed" && verdict !== "failed") {
      this.summaryNode.appendChild(el("pre", "exercise__message", result.message));
    }
    if (result.output) {
      const details = el("details", "test-result__output");
      details.appendChild(el("summary", null, "What your code printed outside the tests"));
      details.appendChild(el("pre", null, result.output));
      this.summaryNode.appendChild(details);
    }
    this.setBusy(false);
    if (!run && result.gradable !== false) this.recorded(result);
  };

  /* A graded Submit: the learner's record and the hints change. */
  Widget.prototype.recorded = function (result) {
    const record = this.record;
    record.attempts += 1;
    record.best = Math.max(record.best, Number(result.score || 0));
    record.completed = record.completed || Number(result.score) >= Number(result.max_score);
    const part = (role) => this.root.querySelector('[data-role="' + role + '"]');
    const attempts = part("record-attempts");
    if (attempts) attempts.textContent = plural(record.attempts, "attempt");
    const best = part("record-best");
    if (best) best.textContent = formatPoints(record.best) + " of " + formatPoints(this.maxScore);
    const state = part("record-state");
    if (state) {
      const done = record.completed;
      state.className = "status status--" + (done ? "done" : "in_progress");
      state.textContent = "";
      const icon = el("span", "status__icon", done ? "\u2713" : "\u25d0");
      icon.setAttribute("aria-hidden", "true");
      state.appendChild(icon);
      state.appendChild(document.createTextNode(done ? " Done" : " In progress"));
    }
    if (result.status !== "pass" && this.hintButton && this.hintsRevealed < this.hintsTotal) {
      this.hintButton.disabled = false;
      this.hintNote.textContent = "You can reveal a hint now.";
    }
  };

  /* --- Hints: one at a time, after a failed Submit --- */

  Widget.prototype.revealHint = function () {
    if (!this.hintsUrl || this.hintButton.disabled) return;
    const self = this;
    this.hintButton.disabled = true;
    requestJson(this.hintsUrl, { method: "POST", body: "{}" })
      .then((reply) => {
        const body = reply.body || {};
        if (reply.status === 200 && Array.isArray(body.hints)) {
          self.showHints(body.hints, body.total || self.hintsTotal);
          self.hintButton.disabled = !body.can_reveal;
          const last = self.hintsList.lastElementChild;
          self.hintNote.textContent =
            "Hint " + body.hints.length + " of " + self.hintsTotal + " revealed." + (body.can_reveal ? "" : " That was the last one.");
          if (last) last.focus();
          return;
        }
        if (reply.status === 409) {
          self.hintNote.textContent = "All hints are revealed.";
          return;
        }
        self.hintNote.textContent = errorMessage(reply, "No hint yet");
        self.hintButton.disabled = reply.status === 403 || reply.status === 401;
      })
      .catch(() => {
        self.hintButton.disabled = false;
        self.hintNote.textContent = "Could not reach the server. Try again.";
      });
  };

  Widget.prototype.showHints = function (hints, total) {
    this.hintsTotal = total;
    this.hintsRevealed = hints.length;
    this.hintsList.textContent = "";
    hints.forEach((html, index) => {
      const item = el("li", "hint");
      item.tabIndex = -1;
      item.appendChild(el("span", "hint__label", "Hint " + (index + 1) + " of " + total));
      const body = el("div", "prose");
      body.innerHTML = html; // The course's own rendered Markdown (see the top of this file).
      item.appendChild(body);
      this.hintsList.appendChild(item);
    });
  };

  /* --- Transport: WebSocket with reconnects, polling as the fallback -------- */

  Widget.prototype.resetTransport = function () {
    this.submission = null;
    this.lastSeq = 0;
    this.done = false;
    this.started = false;
    this.shownTests = {};
    this.finished = 0;
    this.reconnects = 0;
    this.socket = null;
    this.polling = false;
    this.pollTimer = null;
    this.reconnectTimer = null;
  };

  Widget.prototype.stop = function () {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onclose = null;
      try {
        socket.close();
      } catch (ignored) {
        /* already closed */
      }
    }
    if (this.pollTimer) window.clearTimeout(this.pollTimer);
    if (this.reconnectTimer) window.clearTimeout(this.reconnectTimer);
  };

  Widget.prototype.connect = function () {
    const self = this;
    const submission = this.submission;
    let socket;
    try {
      socket = new WebSocket(socketUrl(submission.events_url, this.lastSeq));
    } catch (error) {
      this.startPolling();
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      if (self.submission !== submission) return;
      self.reconnects = 0;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      self.handle(message);
    };
    socket.onclose = () => {
      // Only the current socket of the current submission may reconnect.
      if (self.socket !== socket || self.submission !== submission || self.done) return;
      self.socket = null;
      if (self.reconnects >= MAX_RECONNECTS) {
        self.startPolling();
        return;
      }
      const delay = Math.min(8000, 500 * Math.pow(2, self.reconnects));
      self.reconnects += 1;
      self.reconnectTimer = window.setTimeout(() => self.connect(), delay);
    };
  };

  Widget.prototype.startPolling = function () {
    if (this.polling) return;
    this.polling = true;
    this.poll();
  };

  Widget.prototype.poll = function () {
    const self = this;
    const submission = this.submission;
    if (!submission || this.done) return;
    fetch(submission.status_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((body) => {
        if (self.submission !== submission) return;
        if (body.mode) self.mode = body.mode;
        if (body.status === "queued") self.showQueued(body.position);
        (body.events || []).forEach((message) => self.handle(message));
        if (body.status === "queued" && body.grader) self.handle({ type: "grader", data: body.grader });
        if (!self.done && (body.status === "completed" || body.status === "cancelled") && body.result) {
          self.complete(body.result);
        }
      })
      .catch(() => {
        /* Try again on the next tick: the server may be restarting. */
      })
      .then(() => {
        if (self.submission === submission && !self.done) {
          self.pollTimer = window.setTimeout(() => self.poll(), POLL_MS);
        }
      });
  };

  function init() {
    document.querySelectorAll(".exercise[data-submit-url]").forEach((root) => {
      root.lecternWidget = new Widget(root);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
