// "Sign in with GitHub" through the GitHub App's own OAuth client (a GitHub App is an OAuth app too): the client
// of GANTRY_GITHUB_APP_CLIENT_ID/SECRET or of the manifest flow's App file — the same one the setup callback uses —
// against GANTRY_GITHUB_WEB_URL (authorize, token) and GANTRY_GITHUB_API_URL (the user), so GitHub Enterprise
// Server and the fake GitHub work alike. A separate OAuth app (GITHUB_CLIENT_ID/SECRET) is still taken when the
// App has no client. The App's "Callback URL" list must hold `<NEXTAUTH_URL>/api/auth/callback/github` (the
// manifest puts it there).
import type { GithubAppCredentials, GithubConfig } from "@gantry/github";
import GitHubProvider from "next-auth/providers/github";
import { z } from "zod";

export interface GithubSignInClient {
  clientId: string;
  clientSecret: string;
  webUrl: string;
  apiUrl: string;
  /** Whose client: the GitHub App's, or a separate OAuth app's (GITHUB_CLIENT_ID). */
  from: "app" | "oauth-app";
}

export type GithubSignInStatus = { configured: true; from: GithubSignInClient["from"] } | { configured: false; reason: string };

interface SignInEnv {
  github: { clientId: string; clientSecret: string } | null;
  githubApp: Pick<GithubConfig, "apiUrl" | "webUrl">;
}

/** The OAuth client GitHub sign-in uses now (the App may appear later, through the manifest flow); null: none. */
export function githubSignInClient(env: SignInEnv, app: GithubAppCredentials | null): GithubSignInClient | null {
  if (app?.client) return { clientId: app.client.id, clientSecret: app.client.secret, webUrl: app.webUrl, apiUrl: app.apiUrl, from: "app" };
  if (env.github) return { clientId: env.github.clientId, clientSecret: env.github.clientSecret, webUrl: app?.webUrl ?? env.githubApp.webUrl, apiUrl: app?.apiUrl ?? env.githubApp.apiUrl, from: "oauth-app" };
  return null;
}

/** Whether GitHub sign-in works, and if not what to set: said on /health and the dashboard. */
export function githubSignInStatus(env: SignInEnv, app: GithubAppCredentials | null): GithubSignInStatus {
  const client = githubSignInClient(env, app);
  if (client) return { configured: true, from: client.from };
  return {
    configured: false,
    reason: app
      ? "GitHub sign-in is not configured: the GitHub App has no OAuth client here; set GANTRY_GITHUB_APP_CLIENT_ID and GANTRY_GITHUB_APP_CLIENT_SECRET (the App's settings page: Client ID, and Generate a new client secret)"
      : "GitHub sign-in is not configured: no GitHub App is set up (GANTRY_GITHUB_APP_* or the manifest flow's GANTRY_GITHUB_APP_FILE), and neither GANTRY_GITHUB_APP_CLIENT_ID/SECRET nor GITHUB_CLIENT_ID/SECRET is set",
  };
}

// next-auth's Profile wants strings or nothing: GitHub's nulls become absent.
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const githubUser = z.object({ id: z.number().int().positive(), login: z.string().min(1), name: text, email: text, avatar_url: text });
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean().optional(), verified: z.boolean().optional() }));

export type GithubUserProfile = z.infer<typeof githubUser>;

/** GET <api>/user (and /user/emails when the profile hides its email), as next-auth's GitHub provider does, on our API URL. */
export async function fetchGithubUser(apiUrl: string, accessToken: string, fetcher: typeof fetch = fetch): Promise<GithubUserProfile> {
  const headers = { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "gantry-ci" };
  const response = await fetcher(`${apiUrl}/user`, { headers, signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`GitHub answered ${response.status} to GET /user`);
  const profile = githubUser.parse(await response.json());
  if (profile.email) return profile;
  const emails = await fetcher(`${apiUrl}/user/emails`, { headers, signal: AbortSignal.timeout(15_000) });
  const listed = emails.ok ? githubEmails.safeParse(await emails.json()) : null;
  const verified = listed?.success ? listed.data.filter((entry) => entry.verified !== false) : [];
  const email = (verified.find((entry) => entry.primary) ?? verified[0])?.email;
  return email ? { ...profile, email } : profile;
}

/** The user's email addresses GitHub has verified (GET /user/emails, which the sign-in's `user:email` scope allows). */
export async function verifiedGithubEmails(apiUrl: string, accessToken: string, fetcher: typeof fetch = fetch): Promise<string[]> {
  const headers = { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "gantry-ci" };
  const response = await fetcher(`${apiUrl}/user/emails`, { headers, signal: AbortSignal.timeout(15_000) });
  const listed = response.ok ? githubEmails.safeParse(await response.json()) : null;
  return listed?.success ? listed.data.filter((entry) => entry.verified === true).map((entry) => entry.email.toLowerCase()) : [];
}

/** next-auth's GitHub provider on the given client and hosts. */
export function githubSignInProvider(client: GithubSignInClient): ReturnType<typeof GitHubProvider> {
  return GitHubProvider({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    issuer: `${client.webUrl}/login/oauth`,
    authorization: { url: `${client.webUrl}/login/oauth/authorize`, params: { scope: "read:user user:email" } },
    token: `${client.webUrl}/login/oauth/access_token`,
    userinfo: { url: `${client.apiUrl}/user`, request: ({ tokens }) => fetchGithubUser(client.apiUrl, String(tokens.access_token ?? "")) },
  });
}
