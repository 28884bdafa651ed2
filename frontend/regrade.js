/*
 * A running regrade's page: polls its progress and moves the bar; once it is
 * finished the page is loaded again, with the whole table of score changes.
 */

const POLL_MS = 1000;

function follow(section) {
  const bar = section.querySelector("progress");
  const status = section.querySelector('[data-role="regrade-status"]');
  const poll = () => {
    fetch(section.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((progress) => {
        bar.max = progress.total;
        bar.value = progress.graded + progress.cancelled;
        bar.textContent = progress.percent + "%";
        if (progress.finished) {
          window.location.reload();
          return;
        }
        status.textContent = `${progress.graded} of ${progress.total} regraded, ${progress.waiting} waiting behind live submissions.`;
        window.setTimeout(poll, POLL_MS);
      })
      .catch(() => window.setTimeout(poll, POLL_MS * 5));
  };
  window.setTimeout(poll, POLL_MS);
}

const section = document.querySelector('[data-role="regrade-progress"]');
if (section && section.dataset.finished !== "true") follow(section);
