// POST /api/runner/v1/actions/resolve against a real database and object store, with GitHub's own published actions
// (the shared actions folder, read in place) served from GANTRY_ACTIONS_DIR, the fake GitHub and a fake Gitea mirror:
// the sources in order, refs resolved as INDEX.tsv records them, one download per commit and tenant (also when
// resolutions race), tampered bytes refused with nothing stored, a run pinned to what it first resolved, the
// downloaded bytes matching the sha-256, a spent rate limit refused with its reset time, and job tokens checked.
import { createHash, createPrivateKey, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { randomId } from "@gantry/db";
import { InstallationTokens } from "@gantry/github";
import { FakeGitea, FakeGithub } from "@gantry/github/testing";
import { actionResolveResponse } from "@gantry/runner-protocol";
import { contentObjectKey, DirectoryObjectStore } from "@gantry/storage";
import { t as listTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as resolveRoute } from "../src/app/api/runner/v1/actions/resolve/route";
import { POST as completeRoute } from "../src/app/api/runner/v1/complete/route";
import { POST as stepRoute } from "../src/app/api/runner/v1/step/route";
import { GET as objectGet } from "../src/app/api/runner/v1/objects/route";
import { actionResolveDeps, handleActionResolve, type ActionResolveDeps } from "../src/server/runner-api/actions-resolve";
import { claimedJob, closeRunnerTest, demo, post } from "./runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "./support";

/** GitHub's published actions: env GANTRY_SHARED_ACTIONS_DIR when set, else `../shared/actions` beside the repo. */
const actionsRoot = process.env.GANTRY_SHARED_ACTIONS_DIR || path.resolve(import.meta.dirname, "../../../../shared/actions");

/** tag → commit, as INDEX.tsv records GitHub's releases. */
const indexed = new Map(
  readFileSync(path.join(actionsRoot, "INDEX.tsv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t"))
    .map(([action, tag, commit]) => [`${action}@${tag}`, commit ?? ""]),
);
const commitOf = (uses: string) => indexed.get(uses) ?? "";

let t: WebTestContext;
const prefix = `gantry-test-${Math.random().toString(16).slice(2, 10)}`;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-actions-storage-"));
const github = new FakeGithub();
const INSTALLATION = 4711;
let connectedRepository: { ctx: typeof demo; repositoryId: string };

beforeAll(async () => {
  t = await setupWebTest();
  await github.start();
  github.addInstallation(INSTALLATION);
  github.serveActions(actionsRoot);
  stubWebEnv({ ...t.env, GANTRY_QUEUE_PREFIX: prefix, GANTRY_STORAGE_DIR: storage, GANTRY_ACTIONS_DIR: actionsRoot, GANTRY_GITHUB_API_URL: github.url });
  const sys = t.database.system("test: a GitHub-connected repository");
  const installationId = randomId("inst");
  await sys.installation.create({ data: { id: installationId, tenantId: demo.tenantId, githubInstallationId: BigInt(INSTALLATION), accountLogin: "acme", accountType: "Organization" } });
  const repositoryId = randomId("repo");
  await sys.repository.create({ data: { id: repositoryId, tenantId: demo.tenantId, installationId, fullName: "acme/app", githubRepoId: 99n } });
  connectedRepository = { ctx: demo, repositoryId };
});
afterAll(async () => {
  await github.stop();
  await closeRunnerTest(t, prefix);
  rmSync(storage, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const json = async (response: Response) => [response.status, await response.json()] as const;

/** The app's own deps, with the sources a test chooses. */
function deps(sources: { dir?: boolean; mirror?: string; app?: boolean }): ActionResolveDeps {
  const base = actionResolveDeps();
  const client = sources.app ? { apiUrl: github.url, tokens: new InstallationTokens({ appId: github.appId, privateKey: createPrivateKey(github.privateKeyPem), apiUrl: github.url }) } : null;
  return { ...base, actionsDir: sources.dir ? actionsRoot : null, mirrorUrl: sources.mirror ?? null, github: { apiUrl: github.url, client } };
}

const resolveWith = (d: ActionResolveDeps, token: string, body: unknown) =>
  handleActionResolve(new Request("http://127.0.0.1/api/runner/v1/actions/resolve", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) }), d);

async function download(url: string): Promise<Buffer> {
  const response = await objectGet(new Request(new URL(url, "http://127.0.0.1")));
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function entriesOf(archive: Buffer): Promise<string[]> {
  const file = path.join(storage, `list-${randomBytes(4).toString("hex")}.tar.gz`);
  writeFileSync(file, archive);
  const names: string[] = [];
  await listTar({ file, onReadEntry: (entry) => names.push(entry.path) });
  rmSync(file);
  return names;
}

describe("the directory source (GANTRY_ACTIONS_DIR)", () => {
  it("resolves actions/checkout@v4.2.2 to INDEX.tsv's commit and serves GitHub's tarball layout, its bytes matching the sha-256", async () => {
    const { assignment } = await claimedJob(t, "dir");
    const [status, body] = await json(await post(resolveRoute, assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/checkout@v4.2.2", stepIndex: 0 }));
    expect(status).toBe(200);
    const answer = actionResolveResponse.parse(body);
    expect(answer).toMatchObject({ repository: "actions/checkout", path: "", ref: "v4.2.2", sha: commitOf("actions/checkout@v4.2.2"), source: "directory" });
    const bytes = await download(answer.downloadUrl);
    expect([sha256(bytes), bytes.length]).toEqual([answer.sha256, answer.sizeBytes]);
    const names = await entriesOf(bytes);
    const top = `actions-checkout-${answer.sha.slice(0, 7)}/`;
    expect(names[0]).toBe(top);
    expect(names.every((name) => name.startsWith(top))).toBe(true);
    expect(names).toContain(`${top}action.yml`);
    expect(names).toContain(`${top}dist/index.js`);
    // The action.yml inside is the published one, byte for byte.
    expect(gunzipSync(bytes).includes(readFileSync(path.join(actionsRoot, "actions/checkout/v4.2.2/action.yml")))).toBe(true);
    // The step shows the commit.
    const step = await t.database.forTenant(demo).stepRun.findFirst({ where: { attemptId: assignment.attemptId, index: 0 } });
    expect([step?.name, step?.status, step?.actionSha]).toEqual(["Run actions/checkout@v4.2.2", "QUEUED", answer.sha]);
    // The step's own start report names it and keeps the commit.
    expect((await post(stepRoute, assignment.jobToken, { attemptId: assignment.attemptId, index: 0, name: "Check out", status: "RUNNING", startedAt: Date.now(), outputs: {}, annotations: [] })).status).toBe(200);
    const started = await t.database.forTenant(demo).stepRun.findFirst({ where: { attemptId: assignment.attemptId, index: 0 } });
    expect([started?.name, started?.status, started?.actionSha]).toEqual(["Check out", "RUNNING", answer.sha]);
    expect(github.actions?.downloadCount("actions/checkout")).toBe(0);
  });

  it("finds a tag's folder by its full sha, and keeps a path inside the repository", async () => {
    const { assignment } = await claimedJob(t, "dir-sha");
    const sha = commitOf("actions/cache@v4.2.4");
    const answer = actionResolveResponse.parse(await (await post(resolveRoute, assignment.jobToken, { attemptId: assignment.attemptId, uses: `actions/cache/restore@${sha}` })).json());
    expect(answer).toMatchObject({ repository: "actions/cache", path: "restore", ref: sha, sha, source: "directory" });
    expect(await entriesOf(await download(answer.downloadUrl))).toContain(`actions-cache-${sha.slice(0, 7)}/restore/action.yml`);
  });

  it("answers 404 naming every source tried for a ref that resolves nowhere, and 400 for what is not owner/repo@ref", async () => {
    const { assignment } = await claimedJob(t, "dir-missing");
    const [status, body] = await json(await post(resolveRoute, assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/checkout@v9.9.9" }));
    expect(status).toBe(404);
    expect(body.code).toBe("action_not_found");
    expect(body.error).toMatch(/^action "actions\/checkout@v9\.9\.9" could not be resolved: GANTRY_ACTIONS_DIR: no folder actions\/checkout\/v9\.9\.9; GitHub \(anonymous\): no commit for v9\.9\.9 in actions\/checkout \(422\)$/);
    // A directory that is not there is named as such, and the other sources are still asked.
    const gone = { ...deps({}), actionsDir: path.join(storage, "no-such-actions-dir") };
    const [missingDir, missingBody] = await json(await resolveWith(gone, assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/checkout@v9.9.9" }));
    expect(missingDir).toBe(404);
    expect(missingBody.error).toMatch(/GANTRY_ACTIONS_DIR: \S+no-such-actions-dir cannot be read \(ENOENT.*; GitHub \(anonymous\): no commit for v9\.9\.9/);
    for (const [uses, why] of [
      ["docker://alpine:3", /docker actions need a pool with a container runtime/],
      ["./.github/actions/local", /local actions/],
      ["actions/checkout", /exactly one @/],
      ["actions/../etc@v1", /plain folder names|letters, digits/],
      ["actions/checkout@../../v1", /the ref after @/],
    ] as const) {
      const [code, refusal] = await json(await post(resolveRoute, assignment.jobToken, { attemptId: assignment.attemptId, uses }));
      expect([code, refusal.code]).toEqual([400, "invalid_uses"]);
      expect(refusal.error).toMatch(why);
    }
  });
});

describe("the GitHub source", () => {
  it("resolves through the run's installation token when the repository is connected, anonymously otherwise", async () => {
    const connected = await claimedJob(t, "gh-app", { tenant: connectedRepository });
    const before = github.calls.length;
    const answer = actionResolveResponse.parse(await (await resolveWith(deps({ app: true }), connected.assignment.jobToken, { attemptId: connected.assignment.attemptId, uses: "actions/setup-node@v4.4.0" })).json());
    expect(answer).toMatchObject({ sha: commitOf("actions/setup-node@v4.4.0"), source: "github" });
    const calls = github.calls.slice(before).filter((call) => call.path.startsWith("/repos/actions/setup-node/"));
    expect(calls.map((call) => [call.path, call.status])).toEqual([
      [`/repos/actions/setup-node/commits/v4.4.0`, 200],
      [`/repos/actions/setup-node/tarball/${answer.sha}`, 302],
    ]);
    expect(calls.every((call) => /^token ghs_/.test(call.authorization ?? ""))).toBe(true);
    const bytes = await download(answer.downloadUrl);
    expect(sha256(bytes)).toBe(answer.sha256);
    expect((await entriesOf(bytes))[0]).toBe(`actions-setup-node-${answer.sha.slice(0, 7)}/`);

    const anonymous = await claimedJob(t, "gh-anon");
    const mark = github.calls.length;
    const plain = actionResolveResponse.parse(await (await resolveWith(deps({ app: true }), anonymous.assignment.jobToken, { attemptId: anonymous.assignment.attemptId, uses: "actions/setup-python@v5.6.0" })).json());
    expect(plain).toMatchObject({ sha: commitOf("actions/setup-python@v5.6.0"), source: "github" });
    const anonymousCalls = github.calls.slice(mark).filter((call) => call.path.startsWith("/repos/actions/setup-python/"));
    expect(anonymousCalls.length).toBe(2);
    expect(anonymousCalls.every((call) => call.authorization === null)).toBe(true);
  });

  it("refuses with the reset time when the rate limit is spent, and asks GitHub nothing more for it", async () => {
    const actions = github.actions;
    if (!actions) throw new Error("no actions served");
    const { assignment } = await claimedJob(t, "gh-limit");
    actions.exhaust("anonymous");
    const reset = actions.resetAt("anonymous").toISOString();
    const [status, body] = await json(await resolveWith(deps({}), assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/github-script@v8.0.0" }));
    expect([status, body.code, body.retryAt]).toEqual([429, "rate_limited", reset]);
    expect(body.error).toContain(`action "actions/github-script@v8.0.0" could not be resolved: GitHub (anonymous): the API rate limit is used up until ${reset}`);
    expect(github.callsTo(/^GET \/repos\/actions\/github-script\/tarball/)).toEqual([]);
    actions.resetLimits();
    expect((await resolveWith(deps({}), assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/github-script@v8.0.0" })).status).toBe(200);
  });
});

describe("the mirror source (Gitea API)", () => {
  it("is asked after GitHub, and what it serves is stored and verified like the rest", async () => {
    const gitea = new FakeGitea(actionsRoot);
    await gitea.start();
    // A GitHub that does not have the repository (its fake serves no actions).
    const bare = new FakeGithub();
    await bare.start();
    try {
      const { assignment } = await claimedJob(t, "mirror");
      const d = { ...deps({ mirror: gitea.url }), github: { apiUrl: bare.url, client: null } };
      const [status, body] = await json(await resolveWith(d, assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/cache@v5.0.5" }));
      expect(status).toBe(200);
      const answer = actionResolveResponse.parse(body);
      expect(answer).toMatchObject({ sha: commitOf("actions/cache@v5.0.5"), source: "mirror" });
      expect(gitea.calls[0]).toBe(`GET /api/v1/repos/actions/cache/commits?sha=v5.0.5&limit=1&stat=false&verification=false&files=false`);
      expect(gitea.calls).toContain(`GET /api/v1/repos/actions/cache/archive/${answer.sha}.tar.gz`);
      expect(bare.callsTo(/^GET \/repos\/actions\/cache\/commits\/v5\.0\.5$/).length).toBe(1);
      expect(sha256(await download(answer.downloadUrl))).toBe(answer.sha256);
      // By full sha the mirror is asked for that commit.
      const bySha = actionResolveResponse.parse(await (await resolveWith(d, assignment.jobToken, { attemptId: assignment.attemptId, uses: `actions/cache@${answer.sha}` })).json());
      expect(bySha.sha).toBe(answer.sha);
      expect(gitea.calls).toContain(`GET /api/v1/repos/actions/cache/git/commits/${answer.sha}`);
      // Stored once for the tenant: the second resolution downloaded nothing.
      expect(gitea.downloads.get(`actions/cache@${answer.sha}`)).toBe(1);
    } finally {
      await gitea.stop();
      await bare.stop();
    }
  });
});

describe("storage: once per commit, verified, pinned per run", () => {
  it("downloads a commit once per tenant, also when resolutions race", async () => {
    const actions = github.actions;
    if (!actions) throw new Error("no actions served");
    const jobs = await Promise.all(["race-a", "race-b", "race-c"].map((key) => claimedJob(t, key)));
    const answers = await Promise.all(jobs.map(({ assignment }) => resolveWith(deps({}), assignment.jobToken, { attemptId: assignment.attemptId, uses: "actions/checkout@v7.0.1" }).then(async (response) => actionResolveResponse.parse(await response.json()))));
    const sha = commitOf("actions/checkout@v7.0.1");
    expect(new Set(answers.map((answer) => `${answer.sha} ${answer.sha256}`))).toEqual(new Set([`${sha} ${answers[0]?.sha256 ?? ""}`]));
    expect(actions.downloadCount("actions/checkout", sha)).toBe(1);
    const later = await claimedJob(t, "race-later");
    await resolveWith(deps({}), later.assignment.jobToken, { attemptId: later.assignment.attemptId, uses: "actions/checkout@v7.0.1" });
    expect(actions.downloadCount("actions/checkout", sha)).toBe(1);
    expect(await t.database.forTenant(demo).actionArchive.count({ where: { repository: "actions/checkout", sha } })).toBe(1);
  });

  it("refuses bytes that changed for a known commit once the store lost them, and stores nothing", async () => {
    const actions = github.actions;
    if (!actions) throw new Error("no actions served");
    const first = await claimedJob(t, "tamper-1");
    const uses = "actions/github-script@v7.0.1";
    const answer = actionResolveResponse.parse(await (await resolveWith(deps({}), first.assignment.jobToken, { attemptId: first.assignment.attemptId, uses })).json());
    // The object store loses the bytes; the commit is known, with its sha-256.
    const store = new DirectoryObjectStore(storage);
    await store.delete(contentObjectKey(demo.tenantId, answer.sha256));
    expect((await objectGet(new Request(new URL(answer.downloadUrl, "http://127.0.0.1")))).status).toBe(404);
    const other = Buffer.from("not the published bytes");
    actions.tamper("actions/github-script", answer.sha, other);
    const second = await claimedJob(t, "tamper-2");
    const [status, body] = await json(await resolveWith(deps({}), second.assignment.jobToken, { attemptId: second.assignment.attemptId, uses }));
    expect([status, body.code]).toEqual([409, "archive_changed"]);
    expect(body.error).toBe(`the archive of actions/github-script@${answer.sha} changed: sha-256 ${sha256(other)} (from github), expected ${answer.sha256} as first downloaded from github; nothing was stored`);
    expect(await store.exists(contentObjectKey(demo.tenantId, sha256(other)))).toBe(false);
    const rows = await t.database.forTenant(demo).actionArchive.findMany({ where: { repository: "actions/github-script", sha: answer.sha } });
    expect(rows.map((row) => row.sha256)).toEqual([answer.sha256]);
  });

  it("pins what a run resolved: the ref moves, the same run keeps the old commit, a new run gets the new one", async () => {
    const actions = github.actions;
    if (!actions) throw new Error("no actions served");
    const d = deps({});
    const run = await claimedJob(t, "pin-a");
    const ask = (job: typeof run) => resolveWith(d, job.assignment.jobToken, { attemptId: job.assignment.attemptId, uses: "actions/setup-python@v7.0.0" }).then(async (response) => actionResolveResponse.parse(await response.json()));
    const before = await ask(run);
    expect(before.sha).toBe(commitOf("actions/setup-python@v7.0.0"));
    actions.moveRef("actions/setup-python", "v7.0.0", "v5.6.0");
    try {
      expect((await ask(run)).sha).toBe(before.sha);
      const pins = await t.database.forTenant(demo).actionPin.findMany({ where: { runId: run.runId } });
      expect(pins.map((pin) => [pin.repository, pin.ref, pin.sha])).toEqual([["actions/setup-python", "v7.0.0", before.sha]]);
      const next = await claimedJob(t, "pin-b");
      expect((await ask(next)).sha).toBe(commitOf("actions/setup-python@v5.6.0"));
    } finally {
      actions.moveRef("actions/setup-python", "v7.0.0", "v7.0.0");
    }
  });
});

describe("job tokens", () => {
  it("refuses another attempt's token (401) and an attempt that has finished (409)", async () => {
    const mine = await claimedJob(t, "tok-a");
    const theirs = await claimedJob(t, "tok-b");
    const [status, body] = await json(await post(resolveRoute, theirs.assignment.jobToken, { attemptId: mine.assignment.attemptId, uses: "actions/checkout@v4.2.2" }));
    expect([status, body.code]).toEqual([401, "unauthorized"]);
    expect((await post(resolveRoute, null, { attemptId: mine.assignment.attemptId, uses: "actions/checkout@v4.2.2" })).status).toBe(401);
    expect((await post(completeRoute, mine.assignment.jobToken, { attemptId: mine.assignment.attemptId, conclusion: "SUCCEEDED", outputs: {} })).status).toBe(200);
    const [ended, refusal] = await json(await post(resolveRoute, mine.assignment.jobToken, { attemptId: mine.assignment.attemptId, uses: "actions/checkout@v4.2.2" }));
    expect([ended, refusal.code]).toEqual([409, "attempt_ended"]);
    // A step of a finished attempt gets no commit recorded either.
    expect(await t.database.forTenant(demo).stepRun.count({ where: { attemptId: mine.assignment.attemptId, actionSha: { not: null } } })).toBe(0);
  });
});
