// The exercise widget's event stream (frontend/exercise/stream.js) under node,
// with a fake socket factory, fetch and clock: reconnects, replay from the last
// seq, dedupe, the fall back to polling, and the final event. `npm test`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_RECONNECTS, POLL_MS, SubmissionStream, websocketUrl } from "../../frontend/exercise/stream.js";

const EVENTS = "ws://lectern.test/ws/submissions/7/";
const STATUS = "/submissions/7/";

/* Timers that run only when the test says so. */
function fakeClock() {
  const clock = {
    pending: new Map(),
    next: 1,
    setTimeout(callback, ms) {
      const id = clock.next++;
      clock.pending.set(id, { callback, ms });
      return id;
    },
    clearTimeout(id) {
      clock.pending.delete(id);
    },
    /* Run the one pending timer, and say how long it was set for. */
    fire() {
      assert.equal(clock.pending.size, 1, "exactly one timer should be pending");
      const [[id, { callback, ms }]] = clock.pending;
      clock.pending.delete(id);
      callback();
      return ms;
    },
  };
  return clock;
}

/* Sockets the test opens messages on and closes. */
function fakeSockets() {
  const sockets = [];
  const open = (url) => {
    const socket = {
      url,
      closed: false,
      onmessage: null,
      onclose: null,
      close() {
        socket.closed = true;
      },
      send(message) {
        socket.onmessage({ data: JSON.stringify(message) });
      },
      drop() {
        socket.closed = true;
        if (socket.onclose) socket.onclose();
      },
    };
    sockets.push(socket);
    return socket;
  };
  return { sockets, open, last: () => sockets[sockets.length - 1] };
}

/* fetch answering each call with the next of `answers` (a document, or an Error to reject). */
function fakeFetch(answers) {
  const calls = [];
  const fetch = (url, init) => {
    calls.push({ url, init });
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer instanceof Error) return Promise.reject(answer);
    if (typeof answer === "number") return Promise.resolve({ ok: false, status: answer, json: () => Promise.resolve({}) });
    return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(answer) });
  };
  return { fetch, calls };
}

/* Let the promise chains of a poll run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function streamWith({ sockets = fakeSockets(), clock = fakeClock(), fetch = fakeFetch([{ status: "queued" }]), eventsUrl = EVENTS } = {}) {
  const seen = [];
  const stream = new SubmissionStream({
    eventsUrl,
    statusUrl: STATUS,
    onEvent: (message) => seen.push(message),
    openSocket: sockets.open,
    fetch: fetch.fetch,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  stream.start();
  return { stream, seen, sockets, clock, fetch };
}

const event = (seq, type = "test", data = {}) => ({ seq, type, data, at: "2030-01-01T00:00:00Z" });
const completed = (seq) => event(seq, "completed", { result: { status: "pass" } });

test("connects from the start and passes events on in order", () => {
  const { seen, sockets } = streamWith();
  assert.equal(sockets.sockets.length, 1);
  assert.equal(sockets.last().url, EVENTS + "?after=0");
  sockets.last().send(event(1, "queued", { position: 2 }));
  sockets.last().send({ type: "position", data: { position: 1 } });
  sockets.last().send(event(2, "started"));
  assert.deepEqual(
    seen.map((message) => message.type),
    ["queued", "position", "started"]
  );
});

test("events already seen are dropped; unnumbered ones always pass", () => {
  const { seen, sockets } = streamWith();
  const socket = sockets.last();
  socket.send(event(1));
  socket.send(event(2));
  socket.send(event(2));
  socket.send(event(1));
  socket.send({ type: "position", data: { position: 1 } });
  socket.send({ type: "position", data: { position: 1 } });
  socket.send(event(3));
  assert.deepEqual(
    seen.map((message) => message.seq ?? message.type),
    [1, 2, "position", "position", 3]
  );
});

test("a message that is not JSON is ignored", () => {
  const { seen, sockets } = streamWith();
  sockets.last().onmessage({ data: "not json" });
  sockets.last().send(event(1));
  assert.equal(seen.length, 1);
});

test("after a drop it reconnects from the last seq seen, and the replay is not repeated", () => {
  const { seen, sockets, clock } = streamWith();
  sockets.last().send(event(1, "queued"));
  sockets.last().send(event(2, "started"));
  sockets.last().drop();
  assert.equal(sockets.sockets.length, 1, "not before the delay");
  assert.equal(clock.fire(), 500);
  assert.equal(sockets.last().url, EVENTS + "?after=2");
  // The server replays from `after`, but a replay may overlap what was seen.
  sockets.last().send(event(2, "started"));
  sockets.last().send(event(3));
  assert.deepEqual(
    seen.map((message) => message.seq),
    [1, 2, 3]
  );
});

test("an events URL with a query gets after= appended", () => {
  const { sockets } = streamWith({ eventsUrl: EVENTS + "?token=x" });
  assert.equal(sockets.last().url, EVENTS + "?token=x&after=0");
});

test("reconnects back off, then it polls after the last one fails", async () => {
  const fetch = fakeFetch([{ status: "queued", position: 3, events: [] }]);
  const { sockets, clock, seen } = streamWith({ fetch });
  const delays = [];
  for (let drop = 0; drop < MAX_RECONNECTS; drop++) {
    sockets.last().drop();
    delays.push(clock.fire());
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  assert.equal(sockets.sockets.length, MAX_RECONNECTS + 1);
  assert.equal(fetch.calls.length, 0);

  sockets.last().drop();
  assert.equal(sockets.sockets.length, MAX_RECONNECTS + 1, "no more sockets once polling");
  assert.equal(fetch.calls.length, 1);
  assert.equal(fetch.calls[0].url, STATUS);
  await settle();
  assert.deepEqual(seen, [{ type: "position", data: { position: 3 } }]);
  // And again every POLL_MS while the submission is not finished.
  assert.equal(clock.fire(), POLL_MS);
  assert.equal(fetch.calls.length, 2);
});

test("a message resets the count of reconnects", () => {
  const { sockets, clock } = streamWith();
  sockets.last().drop();
  assert.equal(clock.fire(), 500);
  sockets.last().drop();
  assert.equal(clock.fire(), 1000);
  sockets.last().send(event(1));
  sockets.last().drop();
  assert.equal(clock.fire(), 500);
});

test("polling passes on only the events the socket had not delivered", async () => {
  const document = {
    status: "running",
    events: [event(1, "queued"), event(2, "started"), event(3), event(4)],
  };
  const fetch = fakeFetch([document]);
  const { sockets, clock, seen } = streamWith({ fetch });
  sockets.last().send(event(1, "queued"));
  sockets.last().send(event(2, "started"));
  for (let drop = 0; drop <= MAX_RECONNECTS; drop++) {
    sockets.last().drop();
    if (drop < MAX_RECONNECTS) clock.fire();
  }
  await settle();
  assert.deepEqual(
    seen.map((message) => message.seq),
    [1, 2, 3, 4]
  );
  clock.fire();
  await settle();
  assert.equal(seen.length, 4, "a second poll repeats nothing");
});

test("the final event stops everything", async () => {
  const { stream, sockets, clock, seen, fetch } = streamWith();
  const socket = sockets.last();
  socket.send(event(1, "started"));
  socket.send(completed(2));
  assert.equal(seen.at(-1).type, "completed");
  assert.equal(socket.closed, true, "the socket is closed");
  assert.equal(stream.socket, null);
  // Nothing after it is passed on, and its close starts no reconnect.
  socket.send(event(3));
  socket.drop();
  assert.equal(seen.length, 2);
  assert.equal(clock.pending.size, 0);
  assert.equal(sockets.sockets.length, 1);
  await settle();
  assert.equal(fetch.calls.length, 0);
});

test("the final event stops polling too, even in the middle of a document", async () => {
  const fetch = fakeFetch([
    { status: "completed", events: [event(1, "started"), completed(2), event(3)], result: { status: "pass" } },
  ]);
  const { clock, seen } = streamWith({ fetch, eventsUrl: "" });
  await settle();
  assert.deepEqual(
    seen.map((message) => message.type),
    ["started", "completed"]
  );
  assert.equal(clock.pending.size, 0, "no next poll");
  assert.equal(fetch.calls.length, 1);
});

test("a finished document without its completed event still completes", async () => {
  const result = { status: "error", verdict: "grader_error" };
  const fetch = fakeFetch([{ status: "cancelled", events: [event(1, "queued")], result }]);
  const { clock, seen } = streamWith({ fetch, eventsUrl: "" });
  await settle();
  assert.deepEqual(seen.at(-1), { type: "completed", data: { result } });
  assert.equal(clock.pending.size, 0);
});

test("a queued document says the position and the grader's trouble", async () => {
  const grader = { available: false, message: "The grader cannot reach its sandboxes." };
  const fetch = fakeFetch([{ status: "queued", position: 1, events: [event(1, "queued")], grader }]);
  const { seen } = streamWith({ fetch, eventsUrl: "" });
  await settle();
  assert.deepEqual(
    seen.map((message) => message.type),
    ["position", "queued", "grader"]
  );
  assert.deepEqual(seen[2].data, grader);
});

test("polling goes on after a failed request or an HTTP error", async () => {
  const fetch = fakeFetch([new Error("offline"), 502, { status: "running", events: [event(1, "started")] }]);
  const { clock, seen } = streamWith({ fetch, eventsUrl: "" });
  await settle();
  assert.equal(seen.length, 0);
  assert.equal(clock.fire(), POLL_MS);
  await settle();
  assert.equal(seen.length, 0);
  clock.fire();
  await settle();
  assert.deepEqual(
    seen.map((message) => message.type),
    ["started"]
  );
});

test("without WebSocket, or when opening one throws, it polls", async () => {
  const fetch = fakeFetch([{ status: "queued", events: [] }]);
  const stream = new SubmissionStream({
    eventsUrl: EVENTS,
    statusUrl: STATUS,
    onEvent: () => {},
    openSocket: null,
    fetch: fetch.fetch,
    setTimeout: () => 0,
    clearTimeout: () => {},
  });
  stream.start();
  assert.equal(fetch.calls.length, 1);

  const throwing = fakeFetch([{ status: "queued", events: [] }]);
  const refused = new SubmissionStream({
    eventsUrl: EVENTS,
    statusUrl: STATUS,
    onEvent: () => {},
    openSocket: () => {
      throw new Error("SecurityError");
    },
    fetch: throwing.fetch,
    setTimeout: () => 0,
    clearTimeout: () => {},
  });
  refused.start();
  assert.equal(throwing.calls.length, 1);
});

test("stop() cancels a pending reconnect and passes nothing more on", () => {
  const { stream, sockets, clock, seen } = streamWith();
  const socket = sockets.last();
  socket.drop();
  assert.equal(clock.pending.size, 1);
  stream.stop();
  assert.equal(clock.pending.size, 0);
  socket.send(event(1));
  assert.equal(seen.length, 0);
});

test("the socket URL follows the page's scheme and host", () => {
  assert.equal(websocketUrl("/ws/x/", { protocol: "http:", host: "a:8000" }), "ws://a:8000/ws/x/");
  assert.equal(websocketUrl("/ws/x/", { protocol: "https:", host: "b" }), "wss://b/ws/x/");
});
