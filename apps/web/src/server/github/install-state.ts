// The `state` of "Install on GitHub": GitHub hands it back to the setup callback unchanged, so it is signed
// (HMAC with NEXTAUTH_SECRET), expires within the hour, and binds the install to the user who clicked and the
// tenant they clicked it in. A state made for someone else, tampered with, or stale is refused by the callback.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { GithubAppCredentials } from "@gantry/github";

const STATE_TTL_MS = 60 * 60_000;

const sign = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("base64url");

/** `<tenant slug>.<expires ms>.<nonce>.<signature over user, tenant, expiry and nonce>` */
export function installState(secret: string, userId: string, tenant: string, now: number): string {
  const body = `${tenant}.${now + STATE_TTL_MS}.${randomBytes(9).toString("base64url")}`;
  return `${body}.${sign(secret, `install.${userId}.${body}`)}`;
}

/** The tenant the install was started from; null when the state is not this user's, was altered, or expired. */
export function readInstallState(secret: string, userId: string, state: string, now: number): { tenant: string } | null {
  const [tenant, expires, nonce, signature, ...rest] = state.split(".");
  if (!tenant || !expires || !nonce || !signature || rest.length > 0 || !/^[\w-]+$/.test(tenant) || Number(expires) < now) return null;
  const expected = Buffer.from(sign(secret, `install.${userId}.${tenant}.${expires}.${nonce}`));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { tenant } : null;
}

/** GitHub's install page for the App, carrying the state; null when the App's slug is not known. */
export function githubInstallUrl(app: Pick<GithubAppCredentials, "slug" | "webUrl">, state: string): string | null {
  if (!app.slug) return null;
  return `${app.webUrl}/apps/${encodeURIComponent(app.slug)}/installations/new?state=${encodeURIComponent(state)}`;
}
