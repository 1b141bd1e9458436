// Creating the GitHub App by manifest: GET /api/github/manifest renders the form that posts Gantry's manifest
// to GitHub ("Create GitHub App"); GitHub then sends the browser to GET /api/github/manifest/callback with a
// code, which is exchanged for the App's id, key and secrets — sealed into GANTRY_GITHUB_APP_FILE with the
// master key, never shown. The state parameter binds the callback to the user who started it (HMAC, 1 hour).
// Who may do it: for now a signed-in admin of any tenant (there is no platform-admin role yet).
import { escapeHtml } from "../escape-html";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "@gantry/db";
import { buildAppManifest, convertManifestCode, GithubApiError, manifestFormAction, writeAppFile, type Fetch, type GithubAppCredentials } from "@gantry/github";
import { z } from "zod";
import type { SessionUser } from "../auth";
import type { GithubConfig } from "@gantry/github";

/** What the manifest flow needs of the GitHub settings (apps/web/src/env.ts). */
export type ManifestSettings = Pick<GithubConfig, "appFile" | "masterKey" | "apiUrl" | "webUrl">;

const STATE_TTL_MS = 60 * 60_000;

export interface ManifestDeps {
  database: Database;
  user: SessionUser | null;
  /** The App already configured (env or file), if any. */
  existing: GithubAppCredentials | null;
  settings: ManifestSettings;
  appUrl: string;
  publicUrl: string;
  /** Signs the state parameter (NEXTAUTH_SECRET). */
  stateSecret: string;
  now?: () => number;
  fetch?: Fetch;
}

const refuse = (status: number, code: string, error: string) => Response.json({ error, code }, { status });

const sign = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("base64url");

export function manifestState(secret: string, userId: string, now: number): string {
  const body = `${now + STATE_TTL_MS}.${randomBytes(9).toString("base64url")}`;
  return `${body}.${sign(secret, `${userId}.${body}`)}`;
}

export function stateIsValid(secret: string, userId: string, state: string, now: number): boolean {
  const [expires, nonce, signature] = state.split(".");
  if (!expires || !nonce || !signature || Number(expires) < now) return false;
  const expected = Buffer.from(sign(secret, `${userId}.${expires}.${nonce}`));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The refusal for this user and configuration, or null when they may create the App. */
async function gate(deps: ManifestDeps): Promise<Response | null> {
  if (!deps.user) return refuse(401, "unauthorized", "Sign in first.");
  if (deps.existing) return refuse(409, "already_configured", `A GitHub App (id ${deps.existing.appId}) is already configured.`);
  if (!deps.settings.appFile || !deps.settings.masterKey) return refuse(503, "not_configured", "The manifest flow needs GANTRY_GITHUB_APP_FILE (where to keep the App's credentials) and GANTRY_MASTER_KEY.");
  const admin = await deps.database
    .system("github manifest: is the user an admin of any tenant")
    .membership.findFirst({ where: { userId: deps.user.userId, role: "ADMIN" }, select: { tenantId: true } });
  if (!admin) return refuse(403, "forbidden", "Creating the GitHub App needs the admin role in a tenant.");
  return null;
}


const startQuery = z.object({ organization: z.string().regex(/^[A-Za-z0-9-]{1,39}$/, "organization must be a GitHub organisation login").optional(), name: z.string().min(1).max(34).optional() });

export async function handleManifestStart(request: Request, deps: ManifestDeps): Promise<Response> {
  const refused = await gate(deps);
  if (refused || !deps.user) return refused ?? refuse(401, "unauthorized", "Sign in first.");
  const query = startQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return refuse(400, "invalid_query", query.error.issues.map((issue) => issue.message).join("; "));
  const manifest = buildAppManifest({ name: query.data.name ?? "Gantry CI", appUrl: deps.appUrl, publicUrl: deps.publicUrl });
  const action = manifestFormAction(deps.settings.webUrl, manifestState(deps.stateSecret, deps.user.userId, (deps.now ?? Date.now)()), query.data.organization);
  const html = `<!doctype html><meta charset="utf-8"><title>Create the GitHub App</title>
<form id="manifest" method="post" action="${escapeHtml(action)}">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<p>GitHub will ask you to confirm the App's name; its permissions and events are set by Gantry.</p>
<button type="submit">Create the GitHub App on GitHub</button>
</form>`;
  return new Response(html, { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

const callbackQuery = z.object({ code: z.string().min(1).max(200), state: z.string().min(1).max(300) });

export async function handleManifestCallback(request: Request, deps: ManifestDeps): Promise<Response> {
  const refused = await gate(deps);
  if (refused || !deps.user || !deps.settings.appFile || !deps.settings.masterKey) return refused ?? refuse(503, "not_configured", "The manifest flow is not configured.");
  const query = callbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return refuse(400, "invalid_query", "GitHub's redirect carries a code and a state.");
  if (!stateIsValid(deps.stateSecret, deps.user.userId, query.data.state, (deps.now ?? Date.now)())) {
    return refuse(400, "invalid_state", "This callback was not started by you in the last hour: start again from /api/github/manifest.");
  }
  let app;
  try {
    app = await convertManifestCode(deps.settings.apiUrl, query.data.code, deps.fetch);
  } catch (error) {
    if (error instanceof GithubApiError) return refuse(502, "github_refused", `GitHub did not convert the code: ${error.message}`);
    throw error;
  }
  if (!app.webhook_secret) return refuse(502, "no_webhook_secret", "GitHub created the App without a webhook secret; set one in its settings and configure it by env.");
  writeAppFile(deps.settings.appFile, deps.settings.masterKey, {
    appId: String(app.id),
    ...(app.slug ? { slug: app.slug } : {}),
    htmlUrl: app.html_url,
    privateKeyPem: app.pem,
    webhookSecret: app.webhook_secret,
    ...(app.client_id ? { clientId: app.client_id, clientSecret: app.client_secret } : {}),
    apiUrl: deps.settings.apiUrl,
    webUrl: deps.settings.webUrl,
  });
  // Next: install it.
  return new Response(null, { status: 303, headers: { location: `${app.html_url}/installations/new` } });
}
