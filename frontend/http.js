/*
 * JSON over fetch, for the exercise widget and author mode alike: one place
 * that knows Django's CSRF cookie and the API's error shape (docs/grading.md).
 */

function cookie(name) {
  const parts = document.cookie ? document.cookie.split(";") : [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part.startsWith(name + "=")) return decodeURIComponent(part.slice(name.length + 1));
  }
  return "";
}

/* Resolves {status, body} for every HTTP answer (body null when it is not
   JSON) and rejects only when the server cannot be reached, so that callers
   tell "refused" from "unreachable" without try/catch around each status. */
export function requestJson(url, options = {}) {
  const init = { credentials: "same-origin", ...options };
  init.headers = { Accept: "application/json", ...(options.headers || {}) };
  if (init.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = cookie("csrftoken");
  }
  return fetch(url, init).then((response) =>
    response
      .json()
      .catch(() => null)
      .then((body) => ({ status: response.status, body }))
  );
}

/* The server's own words when it sent some ({error: {message}}), else a
   fallback that at least names the HTTP status. */
export function errorMessage(reply, fallback) {
  const error = reply.body && reply.body.error;
  return error && error.message ? error.message : fallback + " (HTTP " + reply.status + ").";
}
