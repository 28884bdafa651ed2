/*
 * The separator between the two panes of an exercise's own page
 * (templates/learning/workspace.html): WAI-ARIA's window splitter. Drag it,
 * or focus it and press the arrow keys (Page Up/Down for bigger steps, Home
 * and End for the ends), to share the width between the instructions and the
 * editor. aria-valuenow is the instructions' share in percent; the CSS reads
 * it as --workspace-split. The split is remembered in localStorage, the same
 * for every exercise: it is about the learner's screen, not the exercise.
 */
const KEY = "lectern:workspace-split";
const STEP = 2;
const PAGE_STEP = 10;

/* localStorage, or null where the browser refuses it (privacy settings). */
function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function splitInit(separator) {
  const container = separator.parentElement;
  const min = Number(separator.getAttribute("aria-valuemin")) || 20;
  const max = Number(separator.getAttribute("aria-valuemax")) || 80;
  const store = storage();
  let value = Number(separator.getAttribute("aria-valuenow")) || 40;

  function apply(next, save) {
    if (!Number.isFinite(next)) return;
    // Tenths of a percent: dragging follows the pointer, a key press moves whole steps.
    value = Math.round(Math.min(max, Math.max(min, next)) * 10) / 10;
    container.style.setProperty("--workspace-split", value + "%");
    const shown = Math.round(value);
    separator.setAttribute("aria-valuenow", String(shown));
    separator.setAttribute("aria-valuetext", "Instructions " + shown + "%, editor " + (100 - shown) + "%");
    if (save && store) {
      try {
        store.setItem(KEY, String(value));
      } catch {
        /* Full or refused: the split is simply not remembered. */
      }
    }
  }

  apply(Number((store && store.getItem(KEY)) || value), false);
  separator.hidden = false;

  separator.addEventListener("keydown", (event) => {
    let next = null;
    if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = value - STEP;
    else if (event.key === "ArrowRight" || event.key === "ArrowDown") next = value + STEP;
    else if (event.key === "PageUp") next = value - PAGE_STEP;
    else if (event.key === "PageDown") next = value + PAGE_STEP;
    else if (event.key === "Home") next = min;
    else if (event.key === "End") next = max;
    if (next === null) return;
    event.preventDefault();
    apply(next, true);
  });

  const follow = (event) => {
    const box = container.getBoundingClientRect();
    if (box.width > 0) apply(((event.clientX - box.left) / box.width) * 100, false);
  };
  separator.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    // No text selection while dragging, and every move comes here even off the separator.
    event.preventDefault();
    separator.setPointerCapture(event.pointerId);
    separator.classList.add("workspace__separator--dragging");
    separator.focus();
    separator.addEventListener("pointermove", follow);
  });
  const stop = (event) => {
    if (!separator.hasPointerCapture(event.pointerId)) return;
    separator.releasePointerCapture(event.pointerId);
    separator.classList.remove("workspace__separator--dragging");
    separator.removeEventListener("pointermove", follow);
    apply(value, true);
  };
  separator.addEventListener("pointerup", stop);
  separator.addEventListener("pointercancel", stop);
}
