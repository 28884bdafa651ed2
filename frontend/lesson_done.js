/*
 * A lesson without exercises is done once its learner marks it so or reads to
 * its end (learning.services.lesson_done_mark). Reading to the end is the
 * "Mark as done" form at the lesson's end coming into view after the learner
 * has scrolled: it is then sent as if pressed, without leaving the page.
 */

export function watchLessonEnd() {
  const form = document.querySelector('form[data-role="lesson-done"]');
  if (!form || !form.querySelector('button[type="submit"]')) return;
  let sent = false;
  const reachedEnd = () => {
    if (sent || form.getBoundingClientRect().top > window.innerHeight) return;
    sent = true;
    window.removeEventListener("scroll", reachedEnd);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual" })
      .then((response) => {
        // The view answers with a redirect to the next page, which stays unfollowed here.
        if (response.type !== "opaqueredirect" && !response.ok) throw new Error("HTTP " + response.status);
        const note = form.querySelector('[data-role="lesson-done-note"]');
        note.textContent = "Done: you read this lesson to its end.";
      })
      .catch(() => {
        sent = false; // the button is still there to press
      });
  };
  // Only after a scroll: a lesson whose end shows at once has not been read yet.
  window.addEventListener("scroll", reachedEnd, { passive: true });
}
