/*
 * The page's markup stays in the Django templates: lesson.html renders a
 * <template data-template="…"> for each thing the widget adds later (test
 * rows, the verdict, hints…), and the script only copies one and fills it in.
 */

/* One exercise's element with data-role="role", or null. */
export function part(root, role) {
  return root.querySelector('[data-role="' + role + '"]');
}

/* A copy of a <template data-template="name">, as a fragment, with its
   [data-slot] elements filled from values: a string or number becomes the
   slot's text (textContent: text from the server is never parsed as HTML),
   true keeps the slot as the template has it, and false, null, undefined or ""
   removes it. Slots not named in values are left alone. */
export function templateFill(name, values = {}) {
  const template = document.querySelector('template[data-template="' + name + '"]');
  const fragment = template.content.cloneNode(true);
  fragment.querySelectorAll("[data-slot]").forEach((slot) => {
    const key = slot.getAttribute("data-slot");
    if (!(key in values)) return;
    const value = values[key];
    if (value === true) return;
    if (value === false || value === null || value === undefined || value === "") slot.remove();
    else slot.textContent = String(value);
  });
  return fragment;
}
