/*
 * The events of one submission, whatever the connection does (docs/grading.md,
 * "WebSocket /ws/submissions/<id>/?after=<seq>"). A WebSocket first; when it
 * drops, a new one from the last seq seen, so nothing is missed; after
 * MAX_RECONNECTS drops in a row without a message, polling of the status
 * document instead, so the result always arrives. Replays repeat events, so
 * each stored event is passed on once, by seq; after `completed` nothing more
 * is, and no socket or timer is left behind.
 *
 * No DOM and no globals are used directly: the socket factory, fetch and the
 * timers come in as options (the browser's by default), so tests/js/ drives it
 * with fakes under node.
 */

export const MAX_RECONNECTS = 4;
export const POLL_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 8000;

/* The ws: or wss: URL of an events path on this page's host. */
export function websocketUrl(path, location) {
  return (location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + path;
}

function browserSocket() {
  return typeof WebSocket === "function" ? (url) => new WebSocket(url) : null;
}

export class SubmissionStream {
  /* eventsUrl: a ws: URL, or "" to poll at once; statusUrl: the submission's
     document; onEvent(message) gets each event once, in order. openSocket(url)
     returns something WebSocket-like (onmessage, onclose, close()), or is null
     when the browser has no WebSocket. */
  constructor({
    eventsUrl,
    statusUrl,
    onEvent,
    openSocket = browserSocket(),
    fetch = (url, init) => globalThis.fetch(url, init),
    setTimeout = (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout = (id) => globalThis.clearTimeout(id),
  }) {
    Object.assign(this, { eventsUrl, statusUrl, onEvent, openSocket, fetch, setTimeout, clearTimeout });
    this.lastSeq = 0;
    this.reconnects = 0;
    this.socket = null;
    this.timer = null;
    this.polling = false;
    this.stopped = false;
  }

  start() {
    if (this.openSocket && this.eventsUrl) this.connect();
    else this.startPolling();
  }

  stop() {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      try {
        socket.close();
      } catch {
        /* already closed */
      }
    }
    if (this.timer !== null) this.clearTimeout(this.timer);
    this.timer = null;
  }

  deliver(message) {
    if (this.stopped || !message) return;
    if (typeof message.seq === "number") {
      if (message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
    }
    if (message.type === "completed") this.stop();
    this.onEvent(message);
  }

  connect() {
    const separator = this.eventsUrl.includes("?") ? "&" : "?";
    let socket;
    try {
      socket = this.openSocket(this.eventsUrl + separator + "after=" + this.lastSeq);
    } catch {
      this.startPolling();
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      // Only drops in a row count: a socket that delivered was working.
      this.reconnects = 0;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.deliver(message);
    };
    socket.onclose = () => {
      // A socket replaced or stopped since must not start a second chain of reconnects.
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      if (this.reconnects >= MAX_RECONNECTS) {
        this.startPolling();
        return;
      }
      const delay = Math.min(MAX_RECONNECT_DELAY_MS, 500 * 2 ** this.reconnects);
      this.reconnects += 1;
      this.timer = this.setTimeout(() => this.connect(), delay);
    };
  }

  startPolling() {
    if (this.polling) return;
    this.polling = true;
    this.poll();
  }

  poll() {
    if (this.stopped) return;
    this.fetch(this.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((document) => this.deliverDocument(document))
      .catch(() => {
        /* Try again on the next tick: the server may be restarting. */
      })
      .then(() => {
        if (!this.stopped) this.timer = this.setTimeout(() => this.poll(), POLL_MS);
      });
  }

  /* The polled document says as events what the socket would have sent. */
  deliverDocument(document) {
    const queued = document.status === "queued";
    if (queued) this.deliver({ type: "position", data: { position: document.position } });
    (document.events || []).forEach((message) => this.deliver(message));
    if (queued && document.grader) this.deliver({ type: "grader", data: document.grader });
    // A result without its `completed` event (a cancelled submission, say).
    if ((document.status === "completed" || document.status === "cancelled") && document.result) {
      this.deliver({ type: "completed", data: { result: document.result } });
    }
  }
}
