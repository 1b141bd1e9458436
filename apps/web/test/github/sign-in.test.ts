// "Sign in with GitHub" through the App's own OAuth client, against the fake GitHub, over HTTP through next-auth's
// own handler (csrf → signin → GitHub's authorize → callback → session; served the way Next serves an API route)
// with the options the app builds: the
// `installation` webhook's sender becomes the admin of the tenant it created at their first GitHub sign-in, and
// sees its runs; another GitHub user gets no membership; a tenant that has an admin gets no second one.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { intake, type Database } from "@gantry/db";
import { InstallationTokens, parseGithubAppCredentials, syncInstallation, type GithubAppCredentials } from "@gantry/github";
import { FAKE_INSTALLATION_PERMISSIONS, FakeGithub } from "@gantry/github/testing";
import { TRPCError } from "@trpc/server";
import NextAuth, { type NextAuthOptions } from "next-auth";
import type { NextApiRequest, NextApiResponse } from "next";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseWebEnv } from "../../src/env";
import { buildAuthOptions } from "../../src/server/auth";
import { createCaller } from "../../src/server/routers/_app";
import { createTRPCContext } from "../../src/server/trpc";
import { DEMO, setupWebTest, type WebTestContext } from "../support";

let t: WebTestContext;
let fake: FakeGithub;
let app: GithubAppCredentials;
let options: NextAuthOptions;
let server: Server;
let appUrl = "";
const INSTALLATION = 70_001;
const OCTOCAT = { login: "octocat", id: 583_231 };

/** What Next's API resolver adds to a request before `pages/api/auth/[...nextauth]` runs: query, cookies, body, and res.status/send/json. */
async function nextAuthRoute(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", appUrl);
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const cookies = Object.fromEntries((request.headers.cookie ?? "").split(/;\s*/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf("=")), decodeURIComponent(pair.slice(pair.indexOf("=") + 1))]));
  const req: NextApiRequest = Object.assign(request, {
    query: { ...Object.fromEntries(url.searchParams), nextauth: url.pathname.replace(/^\/api\/auth\//, "").split("/") },
    cookies,
    body: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())),
    env: {},
  });
  const unused = (): never => {
    throw new Error("next-auth's handler does not call this");
  };
  const res: NextApiResponse = Object.assign(response, {
    status: (code: number) => ((response.statusCode = code), res),
    send: (body: unknown) => void response.end(typeof body === "string" ? body : JSON.stringify(body)),
    json: (body: unknown) => void (response.setHeader("content-type", "application/json"), response.end(JSON.stringify(body))),
    redirect: unused,
    setDraftMode: unused,
    setPreviewData: unused,
    clearPreviewData: unused,
    revalidate: unused,
  });
  await NextAuth(req, res, options);
}

beforeAll(async () => {
  t = await setupWebTest();
  server = createServer((request, response) => {
    nextAuthRoute(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vi.stubEnv("NEXTAUTH_URL", appUrl);
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(INSTALLATION);
  app = parseGithubAppCredentials({
    GANTRY_GITHUB_APP_ID: fake.appId,
    GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem,
    GANTRY_GITHUB_WEBHOOK_SECRET: randomBytes(20).toString("hex"),
    GANTRY_GITHUB_APP_CLIENT_ID: fake.oauthClient.id,
    GANTRY_GITHUB_APP_CLIENT_SECRET: fake.oauthClient.secret,
    GANTRY_GITHUB_API_URL: fake.url,
    GANTRY_GITHUB_WEB_URL: fake.url,
  });
  const github = { apiUrl: fake.url, tokens: new InstallationTokens({ appId: app.appId, privateKey: app.privateKey, apiUrl: fake.url }) };
  options = buildAuthOptions(parseWebEnv({ ...t.env, NEXTAUTH_URL: appUrl }), t.database, t.redis, app, () => github);
  options.secret = t.env.NEXTAUTH_SECRET;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => server?.close(resolve));
  await fake?.stop();
  await t?.close();
});

/** One browser: a cookie jar, following nothing by itself. */
class Browser {
  readonly cookies = new Map<string, string>();

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string> | undefined), cookie: [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ") } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      this.cookies.set(pair.slice(0, pair.indexOf("=")), decodeURIComponent(pair.slice(pair.indexOf("=") + 1)));
    }
    return response;
  }

  /** The whole GitHub sign-in as a browser goes through it; the signed-in user's id (undefined: none). */
  async signInWithGitHub(): Promise<string | undefined> {
    const csrf = (await (await this.go(`${appUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
    const started = await this.go(`${appUrl}/api/auth/signin/github`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: `${appUrl}/` }).toString() });
    expect(started.status).toBe(302);
    const authorize = new URL(started.headers.get("location") ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fake.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("client_id")).toBe(fake.oauthClient.id);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${appUrl}/api/auth/callback/github`);
    const github = await this.go(authorize.toString());
    expect(github.status).toBe(302);
    const back = github.headers.get("location") ?? "";
    expect(back.startsWith(`${appUrl}/api/auth/callback/github?code=`)).toBe(true);
    const callback = await this.go(back);
    expect([callback.status, callback.headers.get("location")]).toEqual([302, `${appUrl}/`]);
    const session = (await (await this.go(`${appUrl}/api/auth/session`)).json()) as { userId?: string };
    return session.userId;
  }
}

const sessionOf = async (database: Database, userId: string) => {
  const user = await database.system("test").user.findUniqueOrThrow({ where: { id: userId } });
  return { userId, email: user.email, name: user.name };
};
const caller = async (userId: string) => createCaller(createTRPCContext({ session: await sessionOf(t.database, userId), database: t.database, redis: t.redis, queues: t.queues, now: () => new Date() }));

async function installedByWebhook(installation: number, sender: { login: string; id: number }) {
  fake.addInstallation(installation);
  const synced = await syncInstallation(t.database, {
    name: "installation",
    payload: { action: "created", installation: { id: installation, account: { id: installation, login: `org${installation}`, type: "Organization" } }, repositories: [{ id: installation * 10, name: "app", full_name: `org${installation}/app`, private: true }], sender: { ...sender, type: "User" } },
  });
  if (!synced.tenantId) throw new Error("no tenant");
  return synced.tenantId;
}

describe("GitHub sign-in with the App's OAuth client", () => {
  it("the installation webhook keeps its sender; the tenant it creates has no member", async () => {
    const tenantId = await installedByWebhook(INSTALLATION, OCTOCAT);
    const installation = await t.database.system("test").installation.findFirstOrThrow({ where: { tenantId } });
    expect(installation).toMatchObject({ senderLogin: "octocat", senderGithubId: BigInt(OCTOCAT.id) });
    expect(await t.database.system("test").membership.count({ where: { tenantId } })).toBe(0);
  });

  it("the installer's first GitHub sign-in makes them the tenant's admin, and they see its runs; once", async () => {
    const tenantId = (await t.database.system("test").installation.findFirstOrThrow({ where: { githubInstallationId: BigInt(INSTALLATION) } })).tenantId;
    const repository = await t.database.system("test").repository.findFirstOrThrow({ where: { tenantId } });
    const run = await intake.createInvalidRun(t.database.system("test"), { tenantId, actor: { kind: "SYSTEM" } }, { repositoryId: repository.id, idempotencyKey: "push:x", workflowPath: ".github/workflows/ci.yml", workflowName: "CI", event: "push", ref: "refs/heads/main", sha: "a".repeat(40), trusted: true, errors: [] });

    fake.addUser({ ...OCTOCAT, name: "The Octocat", email: null });
    fake.signInAs("octocat");
    const browser = new Browser();
    const userId = await browser.signInWithGitHub();
    if (!userId) throw new Error("not signed in");
    const user = await t.database.system("test").user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({ githubLogin: "octocat", githubId: BigInt(OCTOCAT.id), name: "The Octocat", email: "583231+octocat@users.noreply.github.com" });
    const memberships = await t.database.system("test").membership.findMany({ where: { userId } });
    expect(memberships.map((membership) => [membership.tenantId, membership.role])).toEqual([[tenantId, "ADMIN"]]);
    const tenant = await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect((await (await caller(userId)).runs.get({ tenant: tenant.slug, runId: run.runId })).id).toBe(run.runId);
    const audits = await t.database.system("test").auditEvent.findMany({ where: { tenantId, action: "membership.created" } });
    expect(audits).toEqual([expect.objectContaining({ actorId: userId, targetId: `${tenantId}/${userId}` })]);

    // The token exchange used the App's client (client_secret_basic, as next-auth sends it) and a form body.
    const exchange = fake.callsTo(/^POST \/login\/oauth\/access_token$/).at(-1);
    expect(exchange).toMatchObject({ status: 200, authorization: expect.stringMatching(/^Basic /) });

    // A second sign-in changes nothing.
    expect(await new Browser().signInWithGitHub()).toBe(userId);
    expect(await t.database.system("test").auditEvent.count({ where: { tenantId, action: "membership.created" } })).toBe(1);
  });

  it("another GitHub user signs in and gets no membership; the run stays closed to them", async () => {
    fake.addUser({ login: "hubot", id: 9_919, email: "hubot@example.com" });
    fake.signInAs("hubot");
    const userId = await new Browser().signInWithGitHub();
    if (!userId) throw new Error("not signed in");
    expect(await t.database.system("test").membership.count({ where: { userId } })).toBe(0);
    const tenantId = (await t.database.system("test").installation.findFirstOrThrow({ where: { githubInstallationId: BigInt(INSTALLATION) } })).tenantId;
    const tenant = await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: tenantId } });
    await expect((await caller(userId)).runs.list({ tenant: tenant.slug })).rejects.toBeInstanceOf(TRPCError);
  });

  it("a tenant that already has an admin gets no second one from an installer's sign-in", async () => {
    const tenantId = await installedByWebhook(70_002, { login: "monalisa", id: 7_777 });
    const adminId = "usr_existing_admin";
    await t.database.system("test").user.create({ data: { id: adminId, email: "admin@example.com", name: "Admin" } });
    await t.database.system("test").membership.create({ data: { tenantId, userId: adminId, role: "ADMIN" } });
    fake.signInAs("monalisa");
    fake.addUser({ login: "monalisa", id: 7_777 });
    const userId = await new Browser().signInWithGitHub();
    expect(await t.database.system("test").membership.findMany({ where: { tenantId }, select: { userId: true, role: true } })).toEqual([{ userId: adminId, role: "ADMIN" }]);
    expect(userId).toBeDefined();
  });

  it("a login renamed and taken by another GitHub account does not sign in as the old account", async () => {
    fake.addUser({ login: "octocat", id: 123_456 });
    fake.signInAs("octocat");
    const impostor = await new Browser().signInWithGitHub();
    const original = await t.database.system("test").user.findUniqueOrThrow({ where: { githubId: BigInt(OCTOCAT.id) } });
    expect(impostor).not.toBe(original.id);
    expect(original.githubLogin).toBeNull();
    expect(await t.database.system("test").membership.count({ where: { userId: impostor ?? "" } })).toBe(0);
  });
});

describe("GitHub sign-in joins tenants by invitation and by organisation", () => {
  const demoAdmin = () => caller(DEMO.userId);

  it("accepts an open invitation for the user's GitHub login, without case", async () => {
    await (await demoAdmin()).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "github", githubLogin: "Invited-Dev" }, role: "DEVELOPER" });
    fake.addUser({ login: "invited-dev", id: 4_401, email: null });
    fake.signInAs("invited-dev");
    const userId = await new Browser().signInWithGitHub();
    const memberships = await t.database.system("test").membership.findMany({ where: { userId: userId ?? "" }, select: { tenantId: true, role: true } });
    expect(memberships).toEqual([{ tenantId: DEMO.tenantId, role: "DEVELOPER" }]);
    const accepted = await t.database.system("test").auditEvent.findMany({ where: { action: "invitation.accepted", targetId: `${DEMO.tenantId}/${userId ?? ""}` } });
    expect(accepted.map((event) => event.data)).toEqual([expect.objectContaining({ role: "DEVELOPER", via: "github" })]);
  });

  it("accepts an email invitation when GitHub has verified that address", async () => {
    await (await demoAdmin()).members.invite({ tenant: DEMO.tenantSlug, invitee: { kind: "email", email: "verified@example.com" }, role: "MAINTAINER" });
    fake.addUser({ login: "verified-user", id: 4_402, email: "Verified@example.com" });
    fake.signInAs("verified-user");
    const userId = await new Browser().signInWithGitHub();
    expect((await t.database.system("test").membership.findFirst({ where: { userId: userId ?? "", tenantId: DEMO.tenantId } }))?.role).toBe("MAINTAINER");
  });

  it("a tenant with an organisation join role takes the organisation's members (asked of GitHub as the App), and nobody else", async () => {
    const installation = 70_003;
    const tenantId = await installedByWebhook(installation, { login: "org-owner", id: 4_500 });
    fake.addInstallation(installation, { ...FAKE_INSTALLATION_PERMISSIONS, members: "read" });
    fake.setOrganisationMembers(`org${installation}`, installation, ["Org-Dev"]);
    fake.addUser({ login: "org-dev", id: 4_501 });
    fake.addUser({ login: "outsider", id: 4_502 });

    // Not set: a member of the organisation joins nothing.
    fake.signInAs("org-dev");
    const orgDev = await new Browser().signInWithGitHub();
    expect(await t.database.system("test").membership.count({ where: { tenantId, userId: orgDev ?? "" } })).toBe(0);

    await t.database.system("test").tenant.update({ where: { id: tenantId }, data: { githubOrgJoinRole: "VIEWER" } });
    expect(await new Browser().signInWithGitHub()).toBe(orgDev);
    expect((await t.database.system("test").membership.findFirst({ where: { tenantId, userId: orgDev ?? "" } }))?.role).toBe("VIEWER");
    expect(fake.callsTo(/^GET \/orgs\/org70003\/members\/org-dev$/).map((call) => call.status)).toContain(204);
    const created = await t.database.system("test").auditEvent.findMany({ where: { tenantId, action: "membership.created", targetId: `${tenantId}/${orgDev ?? ""}` } });
    expect(created).toHaveLength(1);

    fake.signInAs("outsider");
    const outsider = await new Browser().signInWithGitHub();
    expect(await t.database.system("test").membership.count({ where: { tenantId, userId: outsider ?? "" } })).toBe(0);
    expect(fake.callsTo(/^GET \/orgs\/org70003\/members\/outsider$/).map((call) => call.status)).toEqual([404]);
  });
});
