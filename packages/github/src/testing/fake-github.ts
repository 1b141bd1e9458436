// A local stand-in for api.github.com that speaks the real wire format: the REST paths, headers and JSON shapes
// (typed by @octokit/openapi-types) of the endpoints Gantry calls, served from in-memory installations and
// repositories. It checks what GitHub checks — the App JWT's RS256 signature and claims, installation tokens,
// the headers — and records every call so tests can assert on them.
import { createHash, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { components } from "@octokit/openapi-types";
import { ActionsRepositories, type ActionsRepositoriesOptions } from "./actions-repositories";
import { serveGitHttpBackend } from "./git-http-backend";

type InstallationTokenBody = components["schemas"]["installation-token"];
type ContentDirectory = components["schemas"]["content-directory"];
type ContentFile = components["schemas"]["content-file"];
type BasicError = components["schemas"]["basic-error"];
type CheckRun = components["schemas"]["check-run"];
type Integration = NonNullable<components["schemas"]["integration"]>;
type ManifestSecrets = { client_secret: string; webhook_secret: string | null; pem: string };
type ShortBranch = components["schemas"]["short-branch"];
type Commit = components["schemas"]["commit"];
type PullRequestSimple = components["schemas"]["pull-request-simple"];
type RepositorySchema = components["schemas"]["repository"];
/** The part of a listed commit the fake serves (every field typed by GitHub's schema). */
type ListedCommit = Pick<Commit, "sha" | "url" | "html_url"> & { commit: Pick<Commit["commit"], "message" | "url"> & { committer: { name: string; email: string; date: string } } };
type PullSide = Pick<PullRequestSimple["head"], "label" | "ref" | "sha"> & { repo: Pick<RepositorySchema, "id" | "full_name" | "fork"> | null };
/** The part of a listed pull request the fake serves. */
type ListedPull = Pick<PullRequestSimple, "number" | "state" | "title" | "updated_at" | "created_at" | "draft" | "merge_commit_sha" | "author_association"> & { head: PullSide; base: PullSide; user: { login: string } };

/** The pull request's author as GitHub lists it: login and author_association. */
const authorOf = (pull: FakePullRequest): Pick<ListedPull, "user" | "author_association"> => ({
  user: { login: pull.author ?? "octocat" },
  author_association: pull.authorAssociation ?? "CONTRIBUTOR",
});
type PullRequest = components["schemas"]["pull-request"];

export interface FakePullRequest {
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** The head repository; null: a deleted fork. */
  headRepo: { id: number; full_name: string; fork: boolean } | null;
  updatedAt: Date;
  /** GitHub's test merge commit (refs/pull/<n>/merge; add its tree with addCommit); null or absent: none. */
  mergeCommitSha?: string | null;
  /** false: head and base conflict; null or absent: not computed yet. */
  mergeable?: boolean | null;
  /** The author's login (default `octocat`) and GitHub's author_association for them (default CONTRIBUTOR). */
  author?: string;
  authorAssociation?: PullRequestSimple["author_association"];
}

/** A check-run create/update body as received: every field still to be checked. */
interface CheckRunBody {
  name?: unknown;
  head_sha?: unknown;
  external_id?: unknown;
  status?: unknown;
  conclusion?: unknown;
  started_at?: unknown;
  completed_at?: unknown;
  details_url?: unknown;
  output?: unknown;
}

const CHECK_STATUSES = ["queued", "in_progress", "completed"] as const;
const CHECK_CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"] as const;
const asStatus = (value: unknown) => CHECK_STATUSES.find((status) => status === value);
const asConclusion = (value: unknown) => CHECK_CONCLUSIONS.find((conclusion) => conclusion === value);

export interface FakeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  status: number;
  /** The JSON request body, when there was one. */
  body?: unknown;
  /** For token exchanges: the App JWT's verified claims (null when it did not verify). */
  jwt?: { iss: string; iat: number; exp: number } | null;
}

interface FakeRepository {
  fullName: string;
  installationId: number;
  id: number;
  branches: Map<string, string>;
  /** tag name → commit sha */
  tags: Map<string, string>;
  pulls: FakePullRequest[];
  /** sha → committer date */
  dates: Map<string, Date>;
  /** sha → path → content */
  commits: Map<string, Map<string, string>>;
  /** A bare repository on disk served over git's smart HTTP (addGitRepository). */
  bareDir?: string;
  issues: FakeIssue[];
  /** refs created through POST /repos/{o}/{r}/git/refs: ref → sha */
  createdRefs: Map<string, string>;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  comments: string[];
}

/** What one installation token may do, as GitHub remembers it. */
export interface FakeTokenGrant {
  installationId: number;
  expiresAt: number;
  /** The repositories it is limited to (full names); null: every repository of the installation. */
  repositories: Set<string> | null;
  /** App permission → read | write. */
  permissions: Record<string, string>;
}

/** What an installation grants when a test does not say (the fake App's permissions). */
export const FAKE_INSTALLATION_PERMISSIONS: Readonly<Record<string, string>> = Object.freeze({
  actions: "write",
  checks: "write",
  contents: "write",
  deployments: "write",
  issues: "write",
  metadata: "read",
  packages: "write",
  pull_requests: "write",
  statuses: "write",
});

const LEVELS: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** A GitHub account the fake signs in (GitHub sign-in) and answers GET /user with. */
export interface FakeGithubUser {
  login: string;
  id: number;
  name: string | null;
  email: string | null;
  /** Installations GET /user/installations lists for this user's tokens. */
  installations: number[];
}

export interface FakeGithubOptions {
  appId?: string;
  /** How long minted tokens live (GitHub: one hour). */
  tokenTtlMs?: number;
  now?: () => number;
}

export class FakeGithub {
  readonly appId: string;
  readonly privateKeyPem: string;
  readonly calls: FakeCall[] = [];
  private readonly publicKey: KeyObject;
  private readonly installations = new Map<number, Record<string, string>>();
  private readonly suspended = new Set<number>();
  private readonly repositories = new Map<string, FakeRepository>();
  private readonly tokens = new Map<string, FakeTokenGrant>();
  /** Annotations posted per check run id. */
  readonly annotations = new Map<number, unknown[]>();
  /** Check runs by id, as GitHub would return them. */
  readonly checkRuns = new Map<number, CheckRun & { repository: string }>();
  private nextCheckRunId = 1;
  /** OAuth: one-time codes and user tokens → the user's login and reachable installations. */
  private readonly oauthCodes = new Map<string, { login: string; installations: number[]; redirectUri?: string }>();
  private readonly userTokens = new Map<string, { login: string; installations: number[] }>();
  /** Organisations by lower-cased login: the installation made on it and its members' lower-cased logins. */
  private readonly organisations = new Map<string, { installationId: number; members: Set<string> }>();
  /** Manifest codes GitHub hands back after "Create GitHub App", and the manifests they were for. */
  private readonly manifestCodes = new Set<string>();
  readonly webhookSecret = randomBytes(20).toString("hex");
  /** The OAuth client the App has (client id → secret). */
  readonly oauthClient = { id: "Iv1.fakeclient", secret: randomBytes(20).toString("hex") };
  private server: Server | null = null;
  url = "";

  constructor(private readonly options: FakeGithubOptions = {}) {
    this.appId = options.appId ?? "424242";
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    this.publicKey = publicKey;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Public action repositories served from a directory of `owner/repo/ref/` folders (actions-repositories.ts). */
  actions: ActionsRepositories | null = null;

  /** Serves `root` (e.g. the shared actions folder, in place) as public repositories: commits, tarballs, rate limits. */
  serveActions(root: string, options: ActionsRepositoriesOptions = {}): ActionsRepositories {
    this.actions = new ActionsRepositories(root, { ...(this.options.now ? { now: this.options.now } : {}), ...options });
    return this.actions;
  }

  /** An installation with the permissions its owner granted the App (default FAKE_INSTALLATION_PERMISSIONS). */
  addInstallation(id: number, permissions: Record<string, string> = { ...FAKE_INSTALLATION_PERMISSIONS }): this {
    this.installations.set(id, permissions);
    return this;
  }

  /** What GitHub remembers about a token (undefined: unknown, expired or revoked). */
  /** An organisation whose App installation is `installationId`, with these members (GET /orgs/{org}/members/{username}). */
  setOrganisationMembers(organisation: string, installationId: number, logins: string[]): void {
    this.organisations.set(organisation.toLowerCase(), { installationId, members: new Set(logins.map((login) => login.toLowerCase())) });
  }

  /**
   * GitHub's answer to an installation asking about a member: 204 (no body) for a member, 404 for anyone else or an
   * organisation the installation is not on, 403 without the "members" permission.
   */
  private organisationMembership(organisation: string, login: string, authorization: string | null | undefined, response: ServerResponse): number {
    const given = /^(?:token|Bearer) (ghs_.+)$/i.exec(authorization ?? "")?.[1];
    const grant = given ? this.tokenGrant(given) : undefined;
    if (!grant) return this.error(response, 401, "Bad credentials");
    const org = this.organisations.get(organisation.toLowerCase());
    if (!org || org.installationId !== grant.installationId) return this.error(response, 404, "Not Found");
    if (!grant.permissions.members) return this.error(response, 403, "Resource not accessible by integration");
    if (!org.members.has(login.toLowerCase())) return this.error(response, 404, "Not Found");
    response.writeHead(204);
    response.end();
    return 204;
  }

  tokenGrant(token: string): FakeTokenGrant | undefined {
    const grant = this.tokens.get(token);
    return grant && grant.expiresAt > this.now() ? grant : undefined;
  }

  /** Issues opened through the API, per repository. */
  issuesOf(fullName: string): FakeIssue[] {
    return this.repositories.get(fullName)?.issues ?? [];
  }

  /** Refs created through the API (POST git/refs), per repository. */
  createdRefsOf(fullName: string): Map<string, string> {
    return this.repositories.get(fullName)?.createdRefs ?? new Map();
  }

  /** Serves a bare repository over git's smart HTTP at `/<owner>/<repo>.git` (what `git clone` of github.com speaks). */
  addGitRepository(fullName: string, installationId: number, bareDir: string): void {
    this.repo(fullName, installationId).bareDir = bareDir;
  }

  /** A one-time code, as GitHub appends to the setup URL, for a user who can reach these installations. */
  issueOAuthCode(login: string, installations: number[]): string {
    const code = randomBytes(10).toString("hex");
    this.oauthCodes.set(code, { login, installations });
    return code;
  }

  // ---- GitHub sign-in (OAuth web flow): users, the browser's GitHub session, /login/oauth/authorize, /user ----
  private readonly users = new Map<string, FakeGithubUser>();
  private browserUser: string | null = null;

  /** A GitHub account (GET /user answers with it); one is made up for a login never added. */
  addUser(user: { login: string; id?: number; name?: string | null; email?: string | null; installations?: number[] }): FakeGithubUser {
    const full: FakeGithubUser = { login: user.login, id: user.id ?? this.userIdOf(user.login), name: user.name ?? null, email: user.email ?? null, installations: user.installations ?? [] };
    this.users.set(user.login, full);
    return full;
  }

  /** The account GitHub's authorize page signs in as (the browser's GitHub session); null: nobody, the page refuses. */
  signInAs(login: string | null): void {
    this.browserUser = login;
    if (login !== null && !this.users.has(login)) this.addUser({ login });
  }

  private userIdOf(login: string): number {
    return this.users.get(login)?.id ?? 1_000_000 + (createHash("sha256").update(login).digest().readUInt32BE(0) % 1_000_000_000);
  }

  /** GET /login/oauth/authorize: the user approves at once and is sent back with a code (and the client's state). */
  private authorize(url: URL, response: ServerResponse): number {
    const clientId = url.searchParams.get("client_id");
    const redirectUri = url.searchParams.get("redirect_uri");
    const page = (status: number, text: string) => {
      response.writeHead(status, { "content-type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><title>GitHub</title><p>${text}</p>`);
      return status;
    };
    if (clientId !== this.oauthClient.id) return page(404, "Not Found: no application with that client_id.");
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return page(400, "The redirect_uri is missing or not a URL.");
    if (this.browserUser === null) return page(401, "Sign in to GitHub to continue (FakeGithub.signInAs was not called).");
    const user = this.users.get(this.browserUser) ?? this.addUser({ login: this.browserUser });
    const code = randomBytes(10).toString("hex");
    this.oauthCodes.set(code, { login: user.login, installations: user.installations, redirectUri });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = url.searchParams.get("state");
    if (state !== null) back.searchParams.set("state", state);
    response.writeHead(302, { location: back.toString() });
    response.end();
    return 302;
  }

  /** GET /user and /user/emails with a user token. */
  private sendUser(path: string, authorization: string | null, response: ServerResponse): number {
    const given = /^(?:token|Bearer|bearer) (ghu_.+)$/.exec(authorization ?? "")?.[1];
    const holder = given ? this.userTokens.get(given) : undefined;
    if (!holder) return this.error(response, 401, "Requires authentication");
    const user = this.users.get(holder.login) ?? this.addUser({ login: holder.login });
    if (path === "/user/emails") return this.send(response, 200, user.email ? [{ email: user.email, primary: true, verified: true, visibility: "private" }] : []);
    const body: Pick<components["schemas"]["private-user"], "login" | "id" | "node_id" | "name" | "email" | "avatar_url" | "type" | "site_admin" | "html_url" | "url"> = {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      name: user.name,
      email: user.email,
      avatar_url: `${this.url}/avatars/${user.login}`,
      type: "User",
      site_admin: false,
      html_url: `${this.url}/${user.login}`,
      url: `${this.url}/users/${user.login}`,
    };
    return this.send(response, 200, body);
  }
  // ---- end of GitHub sign-in ----

  /** A code as GitHub returns to the manifest's redirect_url once the App is created. */
  issueManifestCode(): string {
    const code = `mc_${randomBytes(10).toString("hex")}`;
    this.manifestCodes.add(code);
    return code;
  }

  private readonly failures: { match: RegExp; status: number; times: number; headers: Record<string, string>; message: string }[] = [];
  private readonly holds: { match: RegExp; reached: () => void; released: Promise<void> }[] = [];
  private readonly heldResponses = new WeakMap<ServerResponse, { reached: () => void; released: Promise<void> }>();

  /**
   * Holds the answer to the next request matching `METHOD /path`: computed when the request arrives, sent only
   * after release() — a slow reply that other requests overtake. `reached` resolves once the answer is held.
   */
  holdNext(match: RegExp): { reached: Promise<void>; release: () => void } {
    let reached = () => undefined as void;
    let release = () => undefined as void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ match, reached, released });
    return { reached: reachedPromise, release };
  }

  /** The next `times` requests matching `METHOD /path` answer `status` (with headers such as retry-after). */
  failNext(match: RegExp, status: number, options: { times?: number; headers?: Record<string, string>; message?: string } = {}): void {
    this.failures.push({ match, status, times: options.times ?? 1, headers: options.headers ?? {}, message: options.message ?? "Server Error" });
  }

  /** Revokes every installation token minted so far (DELETE /installation/token, or an admin's action). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  suspendInstallation(id: number): void {
    this.suspended.add(id);
  }

  private repo(fullName: string, installationId: number): FakeRepository {
    const repo = this.repositories.get(fullName) ?? { fullName, installationId, id: this.repositories.size + 1, branches: new Map(), tags: new Map(), pulls: [], dates: new Map(), commits: new Map(), issues: [], createdRefs: new Map() };
    this.repositories.set(fullName, repo);
    return repo;
  }

  /** Registers a repository under GitHub's id for it (otherwise the fake numbers repositories itself). */
  addRepository(fullName: string, installationId: number, id: number): void {
    this.repo(fullName, installationId).id = id;
  }

  /** Adds (or extends) a repository with a commit whose tree is exactly `files`. */
  addCommit(fullName: string, installationId: number, sha: string, files: Record<string, string>, date: Date = new Date(this.now())): void {
    const repo = this.repo(fullName, installationId);
    repo.commits.set(sha, new Map(Object.entries(files)));
    repo.dates.set(sha, date);
  }

  /** Points a branch at a commit (added with addCommit). */
  setBranch(fullName: string, installationId: number, branch: string, sha: string): void {
    this.repo(fullName, installationId).branches.set(branch, sha);
  }

  /** Points a tag at a commit (added with addCommit). */
  setTag(fullName: string, installationId: number, tag: string, sha: string): void {
    this.repo(fullName, installationId).tags.set(tag, sha);
  }

  /** Opens (or updates) a pull request. */
  setPullRequest(fullName: string, installationId: number, pull: FakePullRequest): void {
    const repo = this.repo(fullName, installationId);
    repo.pulls = [...repo.pulls.filter((existing) => existing.number !== pull.number), pull];
  }

  callsTo(pattern: RegExp): FakeCall[] {
    return this.calls.filter((call) => pattern.test(`${call.method} ${call.path}`));
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.send(response, 500, { message: String(error), documentation_url: "" }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private record(call: Omit<FakeCall, "status">, status: number): void {
    this.calls.push({ ...call, status });
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    const text = JSON.stringify(body);
    const write = () => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-github-media-type": "github.v3; format=json", ...headers });
      response.end(text);
    };
    const hold = this.heldResponses.get(response);
    if (hold) {
      hold.reached();
      void hold.released.then(write);
    } else {
      write();
    }
    return status;
  }

  private error(response: ServerResponse, status: number, message: string): number {
    const body: BasicError = { message, documentation_url: "https://docs.github.com/rest" };
    return this.send(response, status, body);
  }

  /** Verifies an RS256 App JWT the way GitHub does: signature, issuer, iat not in the future, exp ≤ 10 min. */
  verifyJwt(jwt: string): { iss: string; iat: number; exp: number } | null {
    const [header, payload, signature] = jwt.split(".");
    if (!header || !payload || !signature) return null;
    const head: unknown = JSON.parse(Buffer.from(header, "base64url").toString());
    if (typeof head !== "object" || head === null || !("alg" in head) || head.alg !== "RS256") return null;
    const valid = createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(this.publicKey, Buffer.from(signature, "base64url"));
    if (!valid) return null;
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString());
    if (typeof claims !== "object" || claims === null || !("iss" in claims) || !("iat" in claims) || !("exp" in claims)) return null;
    const { iss, iat, exp } = claims;
    if (typeof iat !== "number" || typeof exp !== "number") return null;
    const now = Math.floor(this.now() / 1000);
    if (String(iss) !== this.appId || iat > now + 60 || exp <= now || exp - iat > 600) return null;
    return { iss: String(iss), iat, exp };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const authorization = request.headers.authorization ?? null;
    const smart = /^\/([^/]+)\/([^/]+)\.git(\/info\/refs|\/git-upload-pack|\/git-receive-pack)$/.exec(url.pathname);
    if (smart) return this.handleGit(request, response, url, `${decodeURIComponent(smart[1] ?? "")}/${decodeURIComponent(smart[2] ?? "")}`, smart[3] ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    // GitHub's OAuth token endpoint also takes a form body (what OAuth clients such as next-auth's send).
    const formBody = url.pathname === "/login/oauth/access_token" && String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    if (raw && formBody) body = Object.fromEntries(new URLSearchParams(raw));
    else if (raw) {
      if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) return this.record({ method: request.method ?? "GET", path: url.pathname, query: {}, authorization }, this.error(response, 415, "Content-Type must be application/json"));
      try {
        body = JSON.parse(raw);
      } catch {
        return this.record({ method: request.method ?? "GET", path: url.pathname, query: {}, authorization }, this.error(response, 400, "Problems parsing JSON"));
      }
    }
    const call = { method: request.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), authorization, ...(body === undefined ? {} : { body }) };
    const holding = this.holds.findIndex((candidate) => candidate.match.test(`${call.method} ${call.path}`));
    if (holding >= 0) {
      const [hold] = this.holds.splice(holding, 1);
      if (hold) this.heldResponses.set(response, hold);
    }
    const failure = this.failures.find((candidate) => candidate.times > 0 && candidate.match.test(`${call.method} ${call.path}`));
    if (failure) {
      failure.times -= 1;
      const body: BasicError = { message: failure.message, documentation_url: "https://docs.github.com/rest" };
      response.writeHead(failure.status, { "content-type": "application/json; charset=utf-8", ...failure.headers });
      response.end(JSON.stringify(body));
      return this.record(call, failure.status);
    }
    if (this.actions?.handles(url.pathname) && request.method === "GET") return this.record(call, this.actions.handle(request, url, response, this.rateIdentity(authorization), this.url));
    if (url.pathname === "/login/oauth/access_token" && request.method === "POST") return this.record(call, this.handleOAuth(body, response, authorization));
    if (url.pathname === "/login/oauth/authorize" && request.method === "GET") return this.record(call, this.authorize(url, response));
    // GitHub answers /user with any JSON Accept header (OAuth clients send application/json).
    if ((url.pathname === "/user" || url.pathname === "/user/emails") && request.method === "GET") return this.record(call, this.sendUser(url.pathname, authorization, response));
    // GitHub refuses requests without a User-Agent, and Gantry always asks for the v3 JSON media type.
    if (!request.headers["user-agent"]) return this.record(call, this.error(response, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"));
    if (!String(request.headers.accept ?? "").includes("application/vnd.github")) return this.record(call, this.error(response, 415, "Unsupported media type"));

    if (url.pathname === "/user/installations" && request.method === "GET") {
      const given = /^(?:token|Bearer) (ghu_.+)$/i.exec(authorization ?? "")?.[1];
      const user = given ? this.userTokens.get(given) : undefined;
      if (!user) return this.record(call, this.error(response, 401, "Bad credentials"));
      const list: { total_count: number; installations: Pick<components["schemas"]["installation"], "id" | "app_id" | "target_type" | "target_id">[] } = {
        total_count: 0,
        installations: user.installations.filter((id) => this.installations.has(id)).map((id) => ({ id, app_id: Number(this.appId), target_type: "Organization", target_id: id })),
      };
      list.total_count = list.installations.length;
      const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get("per_page") ?? 30) || 30));
      const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
      const next = new URLSearchParams(url.searchParams);
      next.set("page", String(page + 1));
      const link: Record<string, string> = page * perPage < list.total_count ? { link: `<${this.url}/user/installations?${next.toString()}>; rel="next"` } : {};
      const shown = list.installations.slice((page - 1) * perPage, page * perPage);
      return this.record(call, this.send(response, 200, { ...list, installations: shown.map((item) => ({ ...item, account: { login: `org-${item.id}`, id: item.id, type: "Organization" } })) }, link));
    }

    const manifest = /^\/app-manifests\/([^/]+)\/conversions$/.exec(url.pathname);
    if (manifest?.[1] && request.method === "POST") {
      if (!this.manifestCodes.delete(decodeURIComponent(manifest[1]))) return this.record(call, this.error(response, 404, "Not Found"));
      const app: Pick<Integration, "id" | "slug" | "node_id" | "client_id" | "name" | "description" | "external_url" | "html_url" | "created_at" | "updated_at" | "permissions" | "events"> & ManifestSecrets = {
        id: Number(this.appId),
        slug: "gantry-ci",
        node_id: "A_1",
        client_id: this.oauthClient.id,
        name: "Gantry CI",
        description: null,
        external_url: "http://gantry.test",
        html_url: "https://github.com/apps/gantry-ci",
        created_at: new Date(this.now()).toISOString(),
        updated_at: new Date(this.now()).toISOString(),
        permissions: { contents: "read", metadata: "read", checks: "write" },
        events: ["push", "pull_request"],
        client_secret: this.oauthClient.secret,
        webhook_secret: this.webhookSecret,
        pem: this.privateKeyPem,
      };
      return this.record(call, this.send(response, 201, app));
    }

    const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (tokenPath?.[1] && request.method === "POST") {
      const jwt = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1];
      const claims = jwt ? this.verifyJwt(jwt) : null;
      const entry = { ...call, jwt: claims };
      if (!claims) return this.record(entry, this.error(response, 401, "A JSON web token could not be decoded"));
      const installationId = Number(tokenPath[1]);
      const granted = this.installations.get(installationId);
      if (!granted) return this.record(entry, this.error(response, 404, "Not Found"));
      if (this.suspended.has(installationId)) return this.record(entry, this.error(response, 403, "This installation has been suspended"));
      const narrowed = this.narrow(installationId, granted, body);
      if (typeof narrowed === "string") return this.record(entry, this.error(response, 422, narrowed));
      const token = `ghs_${randomBytes(18).toString("base64url")}`;
      const expiresAt = this.now() + (this.options.tokenTtlMs ?? 3_600_000);
      this.tokens.set(token, { installationId, expiresAt, ...narrowed });
      const repositories = narrowed.repositories ? [...narrowed.repositories].map((name) => ({ id: this.repositories.get(name)?.id ?? 0, full_name: name, name: name.split("/")[1] ?? name })) : undefined;
      // GitHub lists the full repository objects; the fake sends the fields a client reads.
      const tokenBody: Omit<InstallationTokenBody, "repositories"> & { repositories?: Pick<RepositorySchema, "id" | "full_name" | "name">[] } = {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: narrowed.permissions,
        repository_selection: narrowed.repositories ? "selected" : "all",
        ...(repositories ? { repositories } : {}),
      };
      return this.record(entry, this.send(response, 201, tokenBody));
    }

    const installationPath = /^\/app\/installations\/(\d+)$/.exec(url.pathname);
    if (installationPath?.[1] && request.method === "GET") {
      const jwt = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1];
      const claims = jwt ? this.verifyJwt(jwt) : null;
      if (!claims) return this.record({ ...call, jwt: claims }, this.error(response, 401, "A JSON web token could not be decoded"));
      const installationId = Number(installationPath[1]);
      const granted = this.installations.get(installationId);
      if (!granted) return this.record(call, this.error(response, 404, "Not Found"));
      return this.record(call, this.send(response, 200, { id: installationId, app_id: Number(this.appId), target_type: "Organization", permissions: granted, events: [], repository_selection: "selected" }));
    }

    // The repositories an installation token may reach (GitHub answers `{ total_count, repositories }`).
    if (url.pathname === "/installation/repositories" && request.method === "GET") {
      const given = /^(?:token|Bearer) (ghs_.+)$/i.exec(authorization ?? "")?.[1];
      const grant = given ? this.tokenGrant(given) : undefined;
      if (!grant) return this.record(call, this.error(response, 401, "Bad credentials"));
      const repositories = [...this.repositories.values()]
        .filter((repo) => repo.installationId === grant.installationId && (!grant.repositories || grant.repositories.has(repo.fullName)))
        .sort((a, b) => a.fullName.localeCompare(b.fullName))
        .map((repo) => ({ id: repo.id, name: repo.fullName.split("/")[1] ?? repo.fullName, full_name: repo.fullName, private: true }));
      return this.record(call, this.send(response, 200, { total_count: repositories.length, repository_selection: "selected", repositories }));
    }

    if (url.pathname === "/installation/token" && request.method === "DELETE") {
      const given = /^(?:token|Bearer) (ghs_.+)$/i.exec(authorization ?? "")?.[1];
      if (!given || !this.tokenGrant(given)) return this.record(call, this.error(response, 401, "Bad credentials"));
      this.tokens.delete(given);
      response.writeHead(204);
      response.end();
      return this.record(call, 204);
    }

    const membership = /^\/orgs\/([^/]+)\/members\/([^/]+)$/.exec(url.pathname);
    if (membership && request.method === "GET") return this.record(call, this.organisationMembership(decodeURIComponent(membership[1] ?? ""), decodeURIComponent(membership[2] ?? ""), authorization, response));

    const repoApi = /^\/repos\/([^/]+)\/([^/]+)(?:\/(issues)(?:\/(\d+)\/(comments))?|\/(git\/refs))?$/.exec(url.pathname);
    if (repoApi) return this.record(call, this.handleRepoApi(request.method ?? "GET", repoApi, authorization, body, response));

    const listing = /^\/repos\/([^/]+)\/([^/]+)\/(branches|commits|pulls)$/.exec(url.pathname);
    if (listing && request.method === "GET") {
      const fullName = `${decodeURIComponent(listing[1] ?? "")}/${decodeURIComponent(listing[2] ?? "")}`;
      const repo = this.authorizeRepo(fullName, authorization, response, listing[3] === "pulls" ? "pull_requests" : "contents", "read");
      if (typeof repo === "number") return this.record(call, repo);
      return this.record(call, this.sendListing(response, repo, listing[3] ?? "", url.searchParams));
    }
    const commitPath = /^\/repos\/([^/]+)\/([^/]+)\/commits\/(.+)$/.exec(url.pathname);
    if (commitPath && !commitPath[3]?.endsWith("/check-runs") && request.method === "GET") {
      const fullName = `${decodeURIComponent(commitPath[1] ?? "")}/${decodeURIComponent(commitPath[2] ?? "")}`;
      const repo = this.authorizeRepo(fullName, authorization, response, "contents", "read");
      if (typeof repo === "number") return this.record(call, repo);
      return this.record(call, this.sendCommit(response, repo, decodeURIComponent(commitPath[3] ?? "")));
    }
    const onePull = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(url.pathname);
    if (onePull && request.method === "GET") return this.record(call, this.sendPullRequest(response, `${decodeURIComponent(onePull[1] ?? "")}/${decodeURIComponent(onePull[2] ?? "")}`, Number(onePull[3]), authorization));
    if (/^\/repos\/[^/]+\/[^/]+\/(check-runs|commits\/)/.test(url.pathname)) return this.record(call, this.handleChecks(request.method ?? "GET", url, authorization, body, response));

    const contentsPath = /^\/repos\/([^/]+)\/([^/]+)\/contents(?:\/(.*))?$/.exec(url.pathname);
    if (contentsPath && request.method === "GET") {
      const fullName = `${decodeURIComponent(contentsPath[1] ?? "")}/${decodeURIComponent(contentsPath[2] ?? "")}`;
      const repo = this.authorizeRepo(fullName, authorization, response, "contents", "read");
      if (typeof repo === "number") return this.record(call, repo);
      const ref = url.searchParams.get("ref");
      const tree = ref ? repo.commits.get(ref) : undefined;
      if (!ref || !tree) return this.record(call, this.error(response, 404, `No commit found for the ref ${ref ?? ""}`));
      const path = (contentsPath[3] ?? "").split("/").map(decodeURIComponent).join("/").replace(/\/+$/, "");
      return this.record(call, this.sendContents(response, fullName, ref, tree, path));
    }
    this.record(call, this.error(response, 404, "Not Found"));
  }

  private handleOAuth(body: unknown, response: ServerResponse, authorization: string | null): number {
    const fields = typeof body === "object" && body !== null ? body : {};
    const basic = /^Basic (.+)$/.exec(authorization ?? "")?.[1];
    // client_secret_basic: the client in the Authorization header (each part form-encoded, RFC 6749 2.3.1).
    const [basicId, basicSecret] = basic ? Buffer.from(basic, "base64").toString().split(":").map((part) => decodeURIComponent(part.replace(/\+/g, " "))) : [];
    const get = (name: string) => (name in fields ? String(Reflect.get(fields, name)) : name === "client_id" ? (basicId ?? "") : name === "client_secret" ? (basicSecret ?? "") : "");
    // GitHub answers 200 with an error object for a bad code or client.
    if (get("client_id") !== this.oauthClient.id || get("client_secret") !== this.oauthClient.secret) {
      return this.send(response, 200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    const user = this.oauthCodes.get(get("code"));
    if (!user) return this.send(response, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    this.oauthCodes.delete(get("code"));
    if (user.redirectUri !== undefined && get("redirect_uri") !== "" && get("redirect_uri") !== user.redirectUri) {
      return this.send(response, 200, { error: "redirect_uri_mismatch", error_description: "The redirect_uri MUST match the registered callback URL for this application." });
    }
    const token = `ghu_${randomBytes(18).toString("base64url")}`;
    this.userTokens.set(token, user);
    return this.send(response, 200, { access_token: token, token_type: "bearer", scope: "" });
  }

  /** Who a request to a public repository counts against: anonymous, an installation's live token, or null (a bad token). */
  private rateIdentity(authorization: string | null): "anonymous" | number | null {
    if (!authorization) return "anonymous";
    const given = /^(?:token|Bearer) (ghs_.+)$/i.exec(authorization)?.[1];
    const grant = given ? this.tokenGrant(given) : undefined;
    return grant ? grant.installationId : null;
  }

  /**
   * The repository an installation token may reach with `permission` at `level`, or an error status already sent —
   * as GitHub answers: 401 for an unknown/revoked token, 404 for a repository outside the token's reach, 403
   * "Resource not accessible by integration" for a permission the token lacks.
   */
  private authorizeRepo(fullName: string, authorization: string | null, response: ServerResponse, permission: string, level: "read" | "write"): FakeRepository | number {
    const given = /^(?:token|Bearer) (ghs_.+)$/i.exec(authorization ?? "")?.[1];
    const grant = given ? this.tokenGrant(given) : undefined;
    if (!grant) return this.error(response, 401, "Bad credentials");
    const found = this.check(grant, fullName, permission, level);
    if (found === 404) return this.error(response, 404, "Not Found");
    if (found === 403) return this.error(response, 403, "Resource not accessible by integration");
    return found;
  }

  private check(grant: FakeTokenGrant, fullName: string, permission: string, level: "read" | "write"): FakeRepository | 403 | 404 {
    const repo = this.repositories.get(fullName);
    if (!repo || repo.installationId !== grant.installationId || (grant.repositories && !grant.repositories.has(fullName))) return 404;
    if ((LEVELS[grant.permissions[permission] ?? ""] ?? 0) < (LEVELS[level] ?? 9)) return 403;
    return repo;
  }

  /** The grant a token request asks for, or GitHub's 422 message. */
  private narrow(installationId: number, granted: Record<string, string>, body: unknown): Omit<FakeTokenGrant, "installationId" | "expiresAt"> | string {
    const fields = typeof body === "object" && body !== null ? body : {};
    const ids: unknown = "repository_ids" in fields ? fields.repository_ids : undefined;
    const names: unknown = "repositories" in fields ? fields.repositories : undefined;
    const asked: unknown = "permissions" in fields ? fields.permissions : undefined;
    let repositories: Set<string> | null = null;
    if (ids !== undefined || names !== undefined) {
      repositories = new Set();
      const inInstallation = [...this.repositories.values()].filter((repo) => repo.installationId === installationId);
      for (const id of Array.isArray(ids) ? ids : []) {
        const repo = inInstallation.find((candidate) => candidate.id === id);
        if (!repo) return `There is at least one repository that does not exist or is not accessible to the parent installation.`;
        repositories.add(repo.fullName);
      }
      for (const name of Array.isArray(names) ? names : []) {
        const repo = inInstallation.find((candidate) => candidate.fullName.split("/")[1] === name);
        if (!repo) return `There is at least one repository that does not exist or is not accessible to the parent installation.`;
        repositories.add(repo.fullName);
      }
    }
    if (asked === undefined) return { repositories, permissions: { ...granted } };
    if (typeof asked !== "object" || asked === null) return "Invalid request: permissions must be an object";
    const permissions: Record<string, string> = {};
    for (const [name, level] of Object.entries(asked)) {
      if (level !== "read" && level !== "write") return `Invalid request: ${String(level)} is not a permission level for ${name}`;
      if ((LEVELS[granted[name] ?? ""] ?? 0) < (LEVELS[level] ?? 9)) return "The permissions requested are not granted to this installation.";
      permissions[name] = level;
    }
    return { repositories, permissions };
  }

  /** A few endpoints a job calls with its GITHUB_TOKEN: the repository, issues and comments, creating a ref. */
  private handleRepoApi(method: string, match: RegExpExecArray, authorization: string | null, body: unknown, response: ServerResponse): number {
    const fullName = `${decodeURIComponent(match[1] ?? "")}/${decodeURIComponent(match[2] ?? "")}`;
    const fields: Record<string, unknown> = typeof body === "object" && body !== null ? { ...body } : {};
    const base = `${this.url}/repos/${fullName}`;
    if (match[3] === undefined && match[6] === undefined && method === "GET") {
      const repo = this.authorizeRepo(fullName, authorization, response, "metadata", "read");
      if (typeof repo === "number") return repo;
      const [owner = "", name = ""] = fullName.split("/");
      return this.send(response, 200, { id: repo.id, name, full_name: fullName, private: true, owner: { login: owner, id: 1, type: "Organization" }, default_branch: "main", url: base, html_url: `https://github.com/${fullName}` });
    }
    if (match[6] !== undefined && method === "POST") {
      const repo = this.authorizeRepo(fullName, authorization, response, "contents", "write");
      if (typeof repo === "number") return repo;
      const ref = fields.ref;
      const sha = fields.sha;
      if (typeof ref !== "string" || !ref.startsWith("refs/") || typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha)) return this.error(response, 422, "Invalid request: ref must start with refs/ and sha must be a commit sha");
      if (repo.createdRefs.has(ref) || repo.branches.has(ref.replace(/^refs\/heads\//, ""))) return this.error(response, 422, "Reference already exists");
      repo.createdRefs.set(ref, sha);
      return this.send(response, 201, { ref, node_id: "REF_1", url: `${base}/git/${ref}`, object: { type: "commit", sha, url: `${base}/git/commits/${sha}` } });
    }
    if (match[3] === "issues" && match[4] === undefined && method === "POST") {
      const repo = this.authorizeRepo(fullName, authorization, response, "issues", "write");
      if (typeof repo === "number") return repo;
      if (typeof fields.title !== "string" || fields.title === "") return this.error(response, 422, "Invalid request: title is required");
      const issue: FakeIssue = { number: repo.issues.length + 1, title: fields.title, body: typeof fields.body === "string" ? fields.body : "", comments: [] };
      repo.issues.push(issue);
      return this.send(response, 201, { id: issue.number, number: issue.number, title: issue.title, body: issue.body, state: "open", url: `${base}/issues/${issue.number}`, html_url: `https://github.com/${fullName}/issues/${issue.number}` });
    }
    if (match[3] === "issues" && match[5] === "comments" && method === "POST") {
      const repo = this.authorizeRepo(fullName, authorization, response, "issues", "write");
      if (typeof repo === "number") return repo;
      const issue = repo.issues.find((candidate) => candidate.number === Number(match[4]));
      if (!issue) return this.error(response, 404, "Not Found");
      if (typeof fields.body !== "string" || fields.body === "") return this.error(response, 422, "Invalid request: body is required");
      issue.comments.push(fields.body);
      return this.send(response, 201, { id: issue.comments.length, body: fields.body, url: `${base}/issues/comments/${issue.comments.length}`, html_url: `https://github.com/${fullName}/issues/${issue.number}#issuecomment-${issue.comments.length}` });
    }
    return this.error(response, 404, "Not Found");
  }

  /**
   * git's smart HTTP (clone, fetch, push) for a repository added with addGitRepository: basic auth
   * `x-access-token:<installation token>` with contents read (write for receive-pack) on that repository.
   */
  private async handleGit(request: IncomingMessage, response: ServerResponse, url: URL, fullName: string, service: string): Promise<void> {
    const authorization = request.headers.authorization ?? null;
    const call = { method: request.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), authorization };
    const plain = (status: number, text: string, headers: Record<string, string> = {}) => {
      request.resume();
      response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
      response.end(`${text}\n`);
      this.record(call, status);
    };
    const basic = /^Basic (.+)$/i.exec(authorization ?? "")?.[1];
    const [user, password] = basic ? Buffer.from(basic, "base64").toString("utf8").split(/:(.*)/s) : [];
    const grant = password ? this.tokenGrant(password) : undefined;
    if (!grant || user !== "x-access-token") return plain(401, "Invalid username or token.", { "www-authenticate": 'Basic realm="GitHub"' });
    const writing = service === "/git-receive-pack" || url.searchParams.get("service") === "git-receive-pack";
    const found = this.check(grant, fullName, "contents", writing ? "write" : "read");
    if (found === 404) return plain(404, "Repository not found.");
    if (found === 403) return plain(403, `Permission to ${fullName}.git denied to github-actions[bot].`);
    if (!found.bareDir) return plain(404, "Repository not found.");
    const status = await serveGitHttpBackend(request, response, { bareDir: found.bareDir, service, query: url.search.replace(/^\?/, ""), user: "x-access-token" });
    this.record(call, status);
  }

  private validateCheck(body: unknown, creating: boolean): string | null {
    if (typeof body !== "object" || body === null) return "Invalid request: body must be an object";
    const fields: CheckRunBody = body;
    if (creating && (typeof fields.name !== "string" || fields.name === "")) return "Invalid request: name is required";
    if (creating && (typeof fields.head_sha !== "string" || !/^[0-9a-f]{40}$/.test(fields.head_sha))) return "Invalid request: head_sha must be a commit sha";
    if (fields.status !== undefined && !asStatus(fields.status)) return `Invalid request: status ${String(fields.status)} is not one of ${CHECK_STATUSES.join(", ")}`;
    if (fields.conclusion !== undefined && !asConclusion(fields.conclusion)) return `Invalid request: conclusion ${String(fields.conclusion)} is not valid`;
    if (fields.status === "completed" && fields.conclusion === undefined) return "Invalid request: conclusion is required when status is completed";
    if (fields.conclusion !== undefined && fields.status !== undefined && fields.status !== "completed") return "Invalid request: a conclusion needs status completed";
    if (typeof fields.output === "object" && fields.output !== null) {
      const output: { title?: unknown; summary?: unknown; annotations?: unknown } = fields.output;
      if (typeof output.title !== "string" || typeof output.summary !== "string") return "Invalid request: output needs a title and a summary";
      if (output.annotations !== undefined) {
        if (!Array.isArray(output.annotations) || output.annotations.length > 50) return "Invalid request: at most 50 annotations per request";
        for (const annotation of output.annotations) {
          const a: { path?: unknown; start_line?: unknown; end_line?: unknown; start_column?: unknown; end_column?: unknown; annotation_level?: unknown; message?: unknown; title?: unknown } = typeof annotation === "object" && annotation !== null ? annotation : {};
          if (typeof a.path !== "string" || typeof a.start_line !== "number" || typeof a.end_line !== "number" || typeof a.message !== "string") return "Invalid request: an annotation needs path, start_line, end_line and message";
          if (!["notice", "warning", "failure"].includes(String(a.annotation_level))) return "Invalid request: annotation_level is notice, warning or failure";
          if (a.start_line < 1 || a.end_line < a.start_line) return "Invalid request: an annotation's lines start at 1 and end_line is not before start_line";
          if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) return "Invalid request: start_column and end_column only on a one-line annotation";
          if (a.title !== undefined && typeof a.title !== "string") return "Invalid request: an annotation's title is a string";
        }
      }
    }
    return null;
  }

  private keepAnnotations(id: number, output: unknown): void {
    if (typeof output !== "object" || output === null || !("annotations" in output) || !Array.isArray(output.annotations)) return;
    const list: unknown[] = output.annotations;
    this.annotations.set(id, [...(this.annotations.get(id) ?? []), ...list]);
    const run = this.checkRuns.get(id);
    if (run) this.checkRuns.set(id, { ...run, output: { ...run.output, annotations_count: (this.annotations.get(id) ?? []).length } });
  }

  private handleChecks(method: string, url: URL, authorization: string | null, body: unknown, response: ServerResponse): number {
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(?:check-runs(?:\/(\d+))?|commits\/([^/]+)\/check-runs)$/.exec(url.pathname);
    if (!match) return this.error(response, 404, "Not Found");
    const fullName = `${decodeURIComponent(match[1] ?? "")}/${decodeURIComponent(match[2] ?? "")}`;
    const repo = this.authorizeRepo(fullName, authorization, response, "checks", method === "GET" ? "read" : "write");
    if (typeof repo === "number") return repo;
    const ref = match[4];
    if (ref !== undefined && method === "GET") {
      const name = url.searchParams.get("check_name");
      const runs = [...this.checkRuns.values()].filter((run) => run.repository === fullName && run.head_sha === ref && (name === null || run.name === name));
      const list: { total_count: number; check_runs: CheckRun[] } = { total_count: runs.length, check_runs: runs.map(({ repository: _repository, ...run }) => run) };
      return this.send(response, 200, list);
    }
    const problem = this.validateCheck(body, method === "POST");
    if ((method === "POST" || method === "PATCH") && problem) return this.error(response, 422, problem);
    const fields: CheckRunBody = typeof body === "object" && body !== null ? body : {};
    const text = (value: unknown) => (typeof value === "string" ? value : null);
    const output = typeof fields.output === "object" && fields.output !== null && "title" in fields.output && "summary" in fields.output ? { title: text(fields.output.title), summary: text(fields.output.summary) } : null;
    if (method === "POST" && match[3] === undefined) {
      const id = this.nextCheckRunId++;
      const status = asStatus(fields.status) ?? "queued";
      const run: CheckRun & { repository: string } = {
        repository: fullName,
        id,
        node_id: `CR_${id}`,
        head_sha: String(fields.head_sha),
        external_id: text(fields.external_id),
        url: `${this.url}/repos/${fullName}/check-runs/${id}`,
        html_url: null,
        details_url: text(fields.details_url),
        status,
        conclusion: asConclusion(fields.conclusion) ?? null,
        started_at: text(fields.started_at),
        completed_at: text(fields.completed_at),
        output: { title: output?.title ?? null, summary: output?.summary ?? null, text: null, annotations_count: 0, annotations_url: `${this.url}/repos/${fullName}/check-runs/${id}/annotations` },
        name: String(fields.name),
        check_suite: { id: 1 },
        app: null,
        pull_requests: [],
      };
      this.checkRuns.set(id, run);
      this.keepAnnotations(id, fields.output);
      const { repository: _repository, ...sent } = run;
      return this.send(response, 201, sent);
    }
    const key = Number(match[3]);
    const existing = match[3] === undefined ? undefined : this.checkRuns.get(key);
    if (method === "PATCH" && existing && existing.repository === fullName) {
      const updated = {
        ...existing,
        ...(fields.status !== undefined ? { status: asStatus(fields.status) ?? existing.status } : {}),
        // A check run set back to queued or in progress (an App resetting it for a re-run) has no conclusion yet.
        ...(fields.status !== undefined && fields.status !== "completed" && fields.conclusion === undefined ? { conclusion: null, completed_at: null } : {}),
        ...(fields.external_id !== undefined ? { external_id: text(fields.external_id) } : {}),
        ...(fields.conclusion !== undefined ? { status: "completed" as const, conclusion: asConclusion(fields.conclusion) ?? null } : {}),
        ...(fields.started_at !== undefined ? { started_at: text(fields.started_at) } : {}),
        ...(fields.completed_at !== undefined ? { completed_at: text(fields.completed_at) } : {}),
        ...(fields.details_url !== undefined ? { details_url: text(fields.details_url) } : {}),
        ...(output ? { output: { ...existing.output, ...output } } : {}),
      };
      this.checkRuns.set(key, updated);
      this.keepAnnotations(key, fields.output);
      const { repository: _repository, ...sent } = updated;
      return this.send(response, 200, sent);
    }
    return this.error(response, 404, "Not Found");
  }

  /** GET /repos/{owner}/{repo}/commits/{ref}: a sha, a branch, a tag, or refs/heads/… / refs/tags/… */
  private sendCommit(response: ServerResponse, repo: FakeRepository, ref: string): number {
    const name = ref.replace(/^refs\/(heads|tags)\//, "");
    const sha = ref.startsWith("refs/tags/") ? repo.tags.get(name) : ref.startsWith("refs/heads/") ? repo.branches.get(name) : (repo.branches.get(ref) ?? repo.tags.get(ref) ?? (repo.dates.has(ref) ? ref : undefined));
    const date = sha ? repo.dates.get(sha) : undefined;
    if (!sha || !date) return this.error(response, 422, `No commit found for SHA: ${ref}`);
    const api = `${this.url}/repos/${repo.fullName}`;
    const commit: ListedCommit = { sha, url: `${api}/commits/${sha}`, html_url: `https://github.com/${repo.fullName}/commit/${sha}`, commit: { message: "commit", url: `${api}/git/commits/${sha}`, committer: { name: "Octo", email: "octo@example.com", date: date.toISOString().replace(/\.\d{3}Z$/, "Z") } } };
    return this.send(response, 200, commit);
  }

  private sendListing(response: ServerResponse, repo: FakeRepository, what: string, query: URLSearchParams): number {
    const api = `${this.url}/repos/${repo.fullName}`;
    if (what === "branches") {
      const branches: ShortBranch[] = [...repo.branches].map(([name, sha]) => ({ name, commit: { sha, url: `${api}/commits/${sha}` }, protected: false }));
      return this.sendPage(response, `${api}/branches`, branches, query);
    }
    if (what === "commits") {
      // No history is modelled: the commits "on" a ref are its head commit, filtered by `since`.
      const ref = query.get("sha") ?? "";
      const sha = repo.branches.get(ref) ?? ref;
      const date = repo.dates.get(sha);
      const since = query.get("since");
      if (!date) return this.error(response, 404, "No commit found for SHA");
      if (since && date.getTime() < Date.parse(since)) return this.send(response, 200, []);
      const commits: ListedCommit[] = [{ sha, url: `${api}/commits/${sha}`, html_url: `https://github.com/${repo.fullName}/commit/${sha}`, commit: { message: "commit", url: `${api}/git/commits/${sha}`, committer: { name: "Octo", email: "octo@example.com", date: date.toISOString().replace(/\.\d{3}Z$/, "Z") } } }];
      return this.send(response, 200, commits);
    }
    if (query.get("state") !== "open") return this.error(response, 422, "this fake serves state=open only");
    const side = (ref: string, sha: string, head: FakePullRequest["headRepo"]): PullSide => ({ label: `${head?.full_name.split("/")[0] ?? "unknown"}:${ref}`, ref, sha, repo: head });
    const pulls: ListedPull[] = [...repo.pulls]
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
      .map((pull) => ({
        number: pull.number,
        state: "open",
        title: `PR ${pull.number}`,
        draft: false,
        created_at: pull.updatedAt.toISOString(),
        updated_at: pull.updatedAt.toISOString(),
        head: side(pull.headRef, pull.headSha, pull.headRepo),
        base: side(pull.baseRef, repo.branches.get(pull.baseRef) ?? pull.headSha, { id: repo.id, full_name: repo.fullName, fork: false }),
        merge_commit_sha: pull.mergeCommitSha ?? null,
        ...authorOf(pull),
      }));
    return this.sendPage(response, `${api}/pulls`, pulls, query);
  }

  /** One page of a listing (`per_page` at most 100, default 30, `page` from 1) with GitHub's Link header. */
  private sendPage<T>(response: ServerResponse, base: string, items: T[], query: URLSearchParams): number {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number) => {
      const next = new URLSearchParams(query);
      next.set("page", String(n));
      return `${base}?${next.toString()}`;
    };
    const links = [...(page < last ? [`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`] : []), ...(page > 1 ? [`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`] : [])];
    return this.send(response, 200, items.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(", ") } : {});
  }

  /** GET /repos/{owner}/{repo}/pulls/{n}: the one answer with `mergeable` (and the merge commit). */
  private sendPullRequest(response: ServerResponse, fullName: string, number: number, authorization: string | null): number {
    const repo = this.authorizeRepo(fullName, authorization, response, "pull_requests", "read");
    if (typeof repo === "number") return repo;
    const pull = repo.pulls.find((candidate) => candidate.number === number);
    if (!pull) return this.error(response, 404, "Not Found");
    const side = (ref: string, sha: string, head: FakePullRequest["headRepo"]): PullSide => ({ label: `${head?.full_name.split("/")[0] ?? "unknown"}:${ref}`, ref, sha, repo: head });
    const body: ListedPull & Pick<PullRequest, "mergeable"> = {
      number: pull.number,
      state: "open",
      title: `PR ${pull.number}`,
      draft: false,
      created_at: pull.updatedAt.toISOString(),
      updated_at: pull.updatedAt.toISOString(),
      head: side(pull.headRef, pull.headSha, pull.headRepo),
      base: side(pull.baseRef, repo.branches.get(pull.baseRef) ?? pull.headSha, { id: repo.id, full_name: repo.fullName, fork: false }),
      merge_commit_sha: pull.mergeCommitSha ?? null,
      mergeable: pull.mergeable ?? null,
      ...authorOf(pull),
    };
    return this.send(response, 200, body);
  }

  /** The GitHub id the fake gives a repository (its pull requests' base.repo.id). */
  repositoryId(fullName: string): number | undefined {
    return this.repositories.get(fullName)?.id;
  }

  private links(fullName: string, path: string, ref: string) {
    const self = `${this.url}/repos/${fullName}/contents/${path}?ref=${ref}`;
    return { url: self, git_url: null, html_url: null, download_url: null, _links: { self, git: null, html: null } };
  }

  private sendContents(response: ServerResponse, fullName: string, ref: string, tree: Map<string, string>, path: string): number {
    const file = tree.get(path);
    if (file !== undefined) {
      const body: ContentFile = {
        type: "file",
        encoding: "base64",
        size: Buffer.byteLength(file),
        name: path.split("/").at(-1) ?? path,
        path,
        content: Buffer.from(file).toString("base64").replace(/(.{60})/g, "$1\n"),
        sha: randomBytes(20).toString("hex"),
        ...this.links(fullName, path, ref),
      };
      return this.send(response, 200, body);
    }
    const prefix = path === "" ? "" : `${path}/`;
    const children = new Map<string, "file" | "dir">();
    for (const [name] of tree) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      const [first, ...more] = rest.split("/");
      if (first) children.set(first, more.length > 0 ? "dir" : "file");
    }
    if (children.size === 0) return this.error(response, 404, "Not Found");
    const body: ContentDirectory = [...children].map(([name, type]) => ({
      type,
      name,
      path: `${prefix}${name}`,
      size: type === "file" ? Buffer.byteLength(tree.get(`${prefix}${name}`) ?? "") : 0,
      sha: randomBytes(20).toString("hex"),
      ...this.links(fullName, `${prefix}${name}`, ref),
    }));
    return this.send(response, 200, body);
  }
}
