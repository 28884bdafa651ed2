/*
 * "Try your API" (templates/learning/_exercise_try.html): the learner's
 * current code started in a sandbox of its own, and requests sent to it from
 * here over one WebSocket (grader/try_consumer.py says what travels). Each
 * answer is shown with what the app printed meanwhile, newest first.
 */
import { part, templateFill } from "./dom.js";
import { websocketUrl } from "./stream.js";

/* "Name: value" lines as [[name, value]]; lines without a colon are left out. */
export function headerPairs(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.includes(":"))
    .map((line) => {
      const at = line.indexOf(":");
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    })
    .filter(([name]) => name);
}

export class TryPanel {
  /* root: the exercise section; files: its Files, whose current text is what runs. */
  constructor(root, files) {
    this.section = part(root, "try");
    if (!this.section || typeof WebSocket !== "function") return;
    this.files = files;
    this.url = websocketUrl(this.section.dataset.tryUrl, window.location);
    this.startButton = part(this.section, "try-start");
    this.endButton = part(this.section, "try-end");
    this.status = part(this.section, "try-status");
    this.form = part(this.section, "try-form");
    this.log = part(this.section, "try-log");
    this.left = part(this.section, "try-left");
    this.socket = null;
    this.pending = null;
    this.countdown = null;
    this.startButton.hidden = false;
    this.startButton.addEventListener("click", () => this.start());
    this.endButton.addEventListener("click", () => this.send({ type: "end" }));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.request();
    });
  }

  start() {
    if (this.socket) this.socket.close();
    this.startButton.disabled = true;
    this.say("Starting your app\u2026");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "start", files: this.files.values() }));
    socket.onmessage = (event) => this.message(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket === socket) this.stopped("");
    };
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  request() {
    const data = new FormData(this.form);
    this.pending = {
      type: "request",
      method: String(data.get("method")),
      path: String(data.get("path")),
      headers: headerPairs(String(data.get("headers") || "")),
      body: String(data.get("body") || ""),
    };
    this.form.querySelector('button[type="submit"]').disabled = true;
    this.say("Sending " + this.pending.method + " " + this.pending.path + "\u2026");
    this.send(this.pending);
  }

  message(message) {
    switch (message.type) {
      case "started":
        this.running(Number(message.seconds));
        if (message.output) this.show({ output: message.output, request: null });
        break;
      case "answer":
        this.show(message);
        this.ready("Your app answered " + (message.error ? "nothing: " + message.error : message.status) + ".");
        break;
      case "error":
        this.ready(message.message);
        break;
      case "ended":
        this.stopped(message.reason);
        break;
      default:
        break;
    }
  }

  running(seconds) {
    const ends = Date.now() + seconds * 1000;
    this.form.hidden = false;
    this.endButton.hidden = false;
    this.startButton.disabled = false;
    this.startButton.textContent = "Restart with my current code";
    this.ready("Your app is running.");
    clearInterval(this.countdown);
    this.countdown = setInterval(() => {
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      this.section.setAttribute("data-seconds-left", String(left));
      this.left.textContent = left + " s left";
    }, 1000);
    this.form.querySelector('[name="path"]').focus();
  }

  ready(text) {
    this.form.querySelector('button[type="submit"]').disabled = false;
    this.say(text);
  }

  stopped(reason) {
    clearInterval(this.countdown);
    this.socket = null;
    this.form.hidden = true;
    this.endButton.hidden = true;
    this.startButton.disabled = false;
    this.startButton.textContent = "Start my app";
    this.section.removeAttribute("data-seconds-left");
    this.left.textContent = "";
    this.say(reason || "The session has ended.");
  }

  say(text) {
    this.status.textContent = text;
  }

  show(answer) {
    const request = answer.request;
    const headers = answer.headers || [];
    const type = headers.find(([name]) => name.toLowerCase() === "content-type");
    const entry = templateFill("try-exchange", {
      request: request ? request.method + " " + request.path : "",
      status: request && !answer.error ? String(answer.status) : "",
      "content-type": type ? type[1] : "",
      ms: request && !answer.error ? answer.ms + " ms" : "",
      error: answer.error,
      body: request && !answer.error ? answer.body + (answer.truncated ? "\u2026" : "") || "(empty body)" : "",
      headers: headers.length > 0,
      "headers-text": headers.map(([name, value]) => name + ": " + value).join("\n"),
      output: Boolean(answer.output),
      "output-text": answer.output,
    });
    if (!request) entry.querySelectorAll(".exchange__request, .exchange__response").forEach((node) => node.remove());
    this.log.prepend(entry);
  }
}
