/*
 * The exercise widget: submit the learner's files to the grader and show the
 * results test by test as they stream in over a WebSocket.
 *
 * Grader API (grader/urls.py):
 *   POST <data-submit-url>  {"files": {...}}  -> 202 {id, status, position, status_url, events_url}
 *                                             -> 4xx {error: {code, message, fields?}}
 *   WS   <events_url>?after=<seq>   stored events {seq, type, data, at}, ephemeral {type: "position"}
 *   GET  <status_url>               {id, status, result, events: [...]}  (fallback when WS fails)
 *
 * Server text is only ever put into the page with textContent.
 */
(function () {
  "use strict";

  var MAX_RECONNECTS = 4;
  var POLL_MS = 1000;
  var STATUS_TEXT = { pass: "passed", fail: "failed", error: "error" };
  var STATUS_ICON = { pass: "\u2713", fail: "\u2717", error: "!" };

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.indexOf(name + "=") === 0) {
        return decodeURIComponent(part.slice(name.length + 1));
      }
    }
    return "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatPoints(value) {
    var number = Number(value || 0);
    return String(Math.round(number * 100) / 100);
  }

  function socketUrl(path, after) {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    var separator = path.indexOf("?") === -1 ? "?" : "&";
    return scheme + "//" + window.location.host + path + separator + "after=" + after;
  }

  /* Tab inserts four spaces, as in an editor; Esc then Tab leaves the field,
     so keyboard users are never trapped (WCAG 2.1.2). */
  function editorKeys(textarea) {
    var escaped = false;
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        escaped = true;
        return;
      }
      if (event.key === "Tab" && !escaped && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        var start = textarea.selectionStart;
        var end = textarea.selectionEnd;
        textarea.value = textarea.value.slice(0, start) + "    " + textarea.value.slice(end);
        textarea.selectionStart = textarea.selectionEnd = start + 4;
        return;
      }
      escaped = false;
    });
  }

  /* Later hints stay hidden until the one before has been opened. */
  function progressiveHints(root) {
    var hints = root.querySelectorAll("details.hint");
    for (var i = 1; i < hints.length; i++) hints[i].hidden = true;
    Array.prototype.forEach.call(hints, function (hint, index) {
      hint.addEventListener("toggle", function () {
        if (hint.open && hints[index + 1]) hints[index + 1].hidden = false;
      });
    });
  }

  function Widget(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.button = root.querySelector('[data-role="submit"]');
    this.statusNode = root.querySelector('[data-role="status"]');
    this.testsNode = root.querySelector('[data-role="tests"]');
    this.summaryNode = root.querySelector('[data-role="summary"]');
    this.submitUrl = root.getAttribute("data-submit-url");
    this.reset();
    var self = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    Array.prototype.forEach.call(root.querySelectorAll("textarea"), editorKeys);
    progressiveHints(root);
  }

  Widget.prototype.reset = function () {
    this.submission = null;
    this.lastSeq = 0;
    this.done = false;
    this.started = false;
    this.shownTests = {};
    this.reconnects = 0;
    this.socket = null;
    this.polling = false;
    if (this.pollTimer) window.clearTimeout(this.pollTimer);
    if (this.reconnectTimer) window.clearTimeout(this.reconnectTimer);
    this.pollTimer = null;
    this.reconnectTimer = null;
  };

  Widget.prototype.setStatus = function (text, state) {
    this.statusNode.textContent = text;
    this.root.setAttribute("data-state", state || "");
  };

  Widget.prototype.setBusy = function (busy) {
    this.button.disabled = busy;
    this.button.textContent = busy ? "Grading\u2026" : "Submit";
  };

  Widget.prototype.files = function () {
    var files = {};
    Array.prototype.forEach.call(this.form.querySelectorAll("textarea[data-filename]"), function (area) {
      files[area.getAttribute("data-filename")] = area.value;
    });
    return files;
  };

  Widget.prototype.submit = function () {
    if (this.button.disabled) return;
    this.stop();
    this.reset();
    this.testsNode.textContent = "";
    this.summaryNode.textContent = "";
    this.setBusy(true);
    this.setStatus("Sending\u2026", "sending");
    var self = this;
    fetch(this.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": cookie("csrftoken"),
      },
      body: JSON.stringify({ files: this.files() }),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            return { response: response, body: body };
          });
      })
      .then(function (reply) {
        if (reply.response.status === 202 && reply.body && reply.body.id) {
          self.accepted(reply.body);
        } else {
          self.refused(reply.response, reply.body);
        }
      })
      .catch(function () {
        self.fail("Could not reach the server. Check your connection and try again.");
      });
  };

  Widget.prototype.refused = function (response, body) {
    var error = body && body.error;
    var message = error && error.message ? error.message : "The submission was refused (HTTP " + response.status + ").";
    this.fail(message);
    if (error && error.fields) {
      var list = el("ul", "field-errors");
      Object.keys(error.fields).forEach(function (name) {
        var value = error.fields[name];
        list.appendChild(el("li", null, name + ": " + (Array.isArray(value) ? value.join(" ") : value)));
      });
      this.summaryNode.appendChild(list);
    }
  };

  Widget.prototype.fail = function (message) {
    this.done = true;
    this.setStatus(message, "error");
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

  Widget.prototype.showQueued = function (position) {
    if (this.started || this.done) return;
    var text = "Queued";
    if (position !== undefined && position !== null) text += " \u2014 position " + position;
    this.setStatus(text, "queued");
  };

  /* --- Events ---------------------------------------------------------- */

  Widget.prototype.handle = function (message) {
    if (!message || this.done) return;
    if (typeof message.seq === "number") {
      // Replays after a reconnect or a poll may repeat what we have seen.
      if (message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
    }
    var data = message.data || {};
    switch (message.type) {
      case "queued":
        if (data.retry) {
          // The grader restarted mid-grading and will grade again from the start.
          this.started = false;
          this.shownTests = {};
          this.testsNode.textContent = "";
        }
        this.showQueued(data.position);
        break;
      case "position":
        this.showQueued(data.position);
        break;
      case "started":
        this.started = true;
        var count = (data.tests || []).length;
        this.setStatus("Running" + (count ? " \u2014 " + count + " test" + (count === 1 ? "" : "s") : ""), "running");
        break;
      case "test":
        this.started = true;
        if (this.root.getAttribute("data-state") !== "running") this.setStatus("Running", "running");
        this.showTest(data);
        break;
      case "completed":
        this.complete(data.result || {});
        break;
      default:
        break;
    }
  };

  Widget.prototype.showTest = function (test) {
    if (!test || !test.name || this.shownTests[test.name]) return;
    this.shownTests[test.name] = true;
    var status = STATUS_TEXT[test.status] ? test.status : "error";
    var item = el("li", "test-result test-result--" + status);
    var head = el("div", "test-result__head");
    var icon = el("span", "test-result__icon", STATUS_ICON[status]);
    icon.setAttribute("aria-hidden", "true");
    head.appendChild(icon);
    head.appendChild(el("span", "test-result__status", STATUS_TEXT[status]));
    head.appendChild(el("code", "test-result__name", test.name));
    if (test.visibility === "hidden") head.appendChild(el("span", "badge", "hidden test"));
    if (test.max_points !== undefined && test.max_points !== null) {
      head.appendChild(
        el("span", "test-result__points", formatPoints(test.points) + " / " + formatPoints(test.max_points) + " pt")
      );
    }
    item.appendChild(head);
    if (test.message) item.appendChild(el("pre", "test-result__message", test.message));
    if (test.output) {
      var details = el("details", "test-result__output");
      details.appendChild(el("summary", null, "Printed output"));
      details.appendChild(el("pre", null, test.output));
      item.appendChild(details);
    }
    this.testsNode.appendChild(item);
  };

  Widget.prototype.complete = function (result) {
    var self = this;
    // Tests we never heard about one by one (say, after falling back to polling).
    (result.tests || []).forEach(function (test) {
      self.showTest(test);
    });
    this.done = true;
    this.stop();
    var status = STATUS_TEXT[result.status] ? result.status : "error";
    var label = { pass: "All tests passed", fail: "Some tests failed", error: "The code could not be graded" }[status];
    this.setStatus("Done \u2014 " + label, status);
    this.summaryNode.textContent = "";
    var score = el("p", "exercise__score");
    score.appendChild(el("strong", null, "Score: "));
    score.appendChild(document.createTextNode(formatPoints(result.score) + " / " + formatPoints(result.max_score)));
    this.summaryNode.appendChild(score);
    if (result.message) this.summaryNode.appendChild(el("pre", "exercise__message", result.message));
    this.setBusy(false);
  };

  /* --- Transport ---------------------------------------------------------- */

  Widget.prototype.stop = function () {
    if (this.socket) {
      var socket = this.socket;
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
    var self = this;
    var submission = this.submission;
    var socket;
    try {
      socket = new WebSocket(socketUrl(submission.events_url, this.lastSeq));
    } catch (error) {
      this.startPolling();
      return;
    }
    this.socket = socket;
    socket.onmessage = function (event) {
      if (self.submission !== submission) return;
      self.reconnects = 0;
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      self.handle(message);
    };
    socket.onclose = function () {
      // Only the current socket of the current submission may reconnect.
      if (self.socket !== socket || self.submission !== submission || self.done) return;
      self.socket = null;
      if (self.reconnects >= MAX_RECONNECTS) {
        self.startPolling();
        return;
      }
      var delay = Math.min(8000, 500 * Math.pow(2, self.reconnects));
      self.reconnects += 1;
      self.reconnectTimer = window.setTimeout(function () {
        self.connect();
      }, delay);
    };
  };

  Widget.prototype.startPolling = function () {
    if (this.polling) return;
    this.polling = true;
    this.poll();
  };

  Widget.prototype.poll = function () {
    var self = this;
    var submission = this.submission;
    if (!submission || this.done) return;
    fetch(submission.status_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        if (self.submission !== submission) return;
        if (body.status === "queued") self.showQueued(body.position);
        (body.events || []).forEach(function (message) {
          self.handle(message);
        });
        if (!self.done && body.status === "completed" && body.result) self.complete(body.result);
      })
      .catch(function () {
        /* Try again on the next tick: the server may be restarting. */
      })
      .then(function () {
        if (self.submission === submission && !self.done) {
          self.pollTimer = window.setTimeout(function () {
            self.poll();
          }, POLL_MS);
        }
      });
  };

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".exercise[data-submit-url]"), function (root) {
      new Widget(root);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
