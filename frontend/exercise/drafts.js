/*
 * Drafts: what the learner types is saved a second after the last edit, to
 * the account (GET/PUT <data-draft-url>, {"files": {...}}) when logged in,
 * otherwise in this browser's localStorage, and put back on the next visit.
 */
import { errorMessage, requestJson } from "../http.js";

const DELAY_MS = 1000;

/* localStorage, or null where the browser refuses it (privacy settings). */
function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function timeOfDay(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export class Drafts {
  /* url: the account's draft, "" for an anonymous visitor; files: the
     exercise's Files; statusNode: where to say what happened (may be null). */
  constructor({ slug, url, authenticated, files, statusNode }) {
    this.key = "lectern:draft:" + slug;
    this.url = url;
    this.authenticated = authenticated;
    this.files = files;
    this.statusNode = statusNode;
    this.edited = false;
    this.pending = false;
    this.timer = null;
  }

  /* After each edit: save once the typing pauses. */
  changed() {
    this.edited = true;
    this.pending = true;
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.save(false), DELAY_MS);
  }

  /* Save now what is still unsaved, as the page goes away. */
  flush() {
    if (this.pending) this.save(true);
  }

  say(text) {
    if (this.statusNode) this.statusNode.textContent = text;
  }

  restore() {
    if (!this.url) {
      this.restoreLocal();
      return;
    }
    requestJson(this.url, { method: "GET", cache: "no-store" })
      .then((reply) => {
        if (reply.status === 200 && reply.body && reply.body.files) {
          // The account's draft wins; a copy kept in this browser is out of date.
          this.forgetLocal();
          this.apply(reply.body.files, reply.body.updated_at, "your account");
        } else if (this.restoreLocal()) {
          // Edits made before logging in move to the account.
          this.changed();
        }
      })
      .catch(() => {
        this.say("Could not load your saved draft.");
      });
  }

  restoreLocal() {
    const store = storage();
    let saved;
    try {
      saved = store ? JSON.parse(store.getItem(this.key) || "null") : null;
    } catch {
      saved = null;
    }
    if (!saved || typeof saved.files !== "object" || saved.files === null) return false;
    return this.apply(saved.files, saved.updated_at, "this browser");
  }

  apply(values, updatedAt, where) {
    // Never overwrite what the learner typed while the draft was loading.
    if (this.edited || this.files.isStarter({ ...this.files.values(), ...values })) return false;
    this.files.setValues(values, false);
    const when = updatedAt ? new Date(updatedAt) : null;
    this.say(
      "Restored your draft from " +
        where +
        (when && !isNaN(when) ? " (saved " + when.toLocaleString() + ")" : "") +
        ". Reset to starter to begin again."
    );
    return true;
  }

  /* leaving: the page is going away, so the request must outlive it (keepalive). */
  save(leaving) {
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    this.pending = false;
    const values = this.files.values();
    if (!this.url) {
      this.saveLocal(values);
      this.say(
        this.authenticated ? "Draft saved in this browser." : "Draft saved in this browser. Log in to keep it with your account."
      );
      return;
    }
    this.say("Saving draft\u2026");
    requestJson(this.url, { method: "PUT", body: JSON.stringify({ files: values }), keepalive: leaving })
      .then((reply) => {
        if (reply.status === 200) {
          this.forgetLocal();
          this.say("Draft saved at " + timeOfDay(new Date()) + ".");
        } else if (reply.status === 401) {
          this.saveLocal(values);
          this.say("You are logged out: the draft is kept in this browser until you log in again.");
        } else {
          this.say("Draft not saved: " + errorMessage(reply, "the server refused it"));
        }
      })
      .catch(() => {
        this.saveLocal(values);
        this.pending = true;
        this.say("Could not reach the server: the draft is kept in this browser for now.");
      });
  }

  saveLocal(values) {
    const store = storage();
    if (!store) return;
    try {
      store.setItem(this.key, JSON.stringify({ files: values, updated_at: new Date().toISOString() }));
    } catch {
      /* Storage full or refused: the draft lives on in the editor only. */
    }
  }

  forgetLocal() {
    const store = storage();
    if (store) store.removeItem(this.key);
  }
}
