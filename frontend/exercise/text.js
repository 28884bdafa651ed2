/* How numbers are said on the page, the same way in every module. */

export function plural(count, word) {
  return count + " " + word + (count === 1 ? "" : "s");
}

/* Scores with at most two decimals and no trailing zeros: "3", "2.5". */
export function formatPoints(value) {
  return String(Math.round(Number(value || 0) * 100) / 100);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return bytes + " bytes";
  return Math.round((bytes / 1024) * 10) / 10 + " KiB";
}
