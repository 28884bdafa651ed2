/*
 * On every page: tell the server the browser's time zone, so that the times
 * it writes into pages are local ones (config/time_zone.py reads the cookie).
 * The page being read stays as it is; the next one is in local time. And on a
 * lesson without exercises, reading to its end marks it done.
 */
import { watchLessonEnd } from "./lesson_done.js";

// The same name is in config/time_zone.py.
const COOKIE = "lectern_tz";
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

function cookieValue(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return null;
}

const zone = browserTimeZone();
// IANA names are letters, digits and / _ + - only: nothing to escape in a cookie.
if (/^[A-Za-z0-9/_+-]{1,64}$/.test(zone) && cookieValue(COOKIE) !== zone) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie =
    COOKIE + "=" + zone + "; path=/; max-age=" + ONE_YEAR_SECONDS + "; SameSite=Lax" + secure;
}

watchLessonEnd();
