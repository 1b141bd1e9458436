// Where sign-in may send someone afterwards: only a path on this site. A callbackUrl is attacker-controlled (anyone
// can send a link to /signin?callbackUrl=…), so anything a browser could read as another origin is refused: "//host",
// "/\host" (browsers treat "\" as "/"), schemes, and control characters browsers strip before resolving.

/** The page URL header the proxy (src/proxy.ts) stamps on every /t/… request: path and query as requested. */
export const REQUEST_PATH_HEADER = "x-gantry-path";

const BASE = "http://gantry.invalid";

/** `value` as a same-origin path with its query and fragment, or `fallback` when it is anything else. */
export function safeLocalPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page that comes back to `path` (a safe local path) once signed in. */
export function signInPath(path: string): string {
  const back = safeLocalPath(path);
  return back === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(back)}`;
}
