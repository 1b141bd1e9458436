// GitHub intake end to end against the fake GitHub server: stored deliveries (GitHub's published payloads with
// this test's ids) → installation token (a real RS256 App JWT) → contents API → runs in a real Postgres.
import { createPrivateKey, randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { InstallationTokens, syncInstallation, type InstallationEvent } from "@gantry/github";
import { FakeGithub, publishedExamples } from "@gantry/github/testing";
import { advanceRun } from "@gantry/engine";
import { runJobAsRunner } from "@gantry/engine/testing";
import { processDelivery } from "../../src/intake/process-delivery";
import { reportJobCheck } from "../../src/intake/github/report-checks";
import type { GithubIntakeDeps } from "../../src/intake/github/types";

const CI = `name: CI
on:
  push:
    branches: [main]
    tags: ["v*"]
    paths-ignore: ["docs/**"]
  pull_request:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo test
`;
const BROKEN = `name: Broken
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ nope( }}
    bogus-key: 1
`;

const INSTALLATION = 31_337;
const REPO_ID = 555_001;
const FULL_NAME = "octo/app";

let testDb: TestDatabase;
let db: Database;
let fake: FakeGithub;
let clock = Date.now();
let deps: GithubIntakeDeps;
let tenantId: string;

const example = (event: string, pick: (payload: Record<string, unknown>) => boolean) => {
  const found = publishedExamples(event).find(pick);
  if (!found) throw new Error(`no published ${event} example`);
  return found;
};
const sha = () => randomBytes(20).toString("hex");
const repository = () => ({ ...(example("push", () => true).repository as object), id: REPO_ID, name: "app", full_name: FULL_NAME, default_branch: "main" });

function pushPayload(after: string, options: { ref?: string; modified?: string[]; deleted?: boolean; before?: string } = {}) {
  const base = example("push", (payload) => payload.ref === "refs/heads/master" && payload.installation !== undefined);
  return {
    ...base,
    ref: options.ref ?? "refs/heads/main",
    before: options.before ?? sha(),
    after: options.deleted ? "0".repeat(40) : after,
    created: false,
    deleted: options.deleted ?? false,
    forced: false,
    commits: options.deleted ? [] : [{ ...(Array.isArray(base.commits) ? base.commits[0] : {}), id: after, added: [], removed: [], modified: options.modified ?? ["src/app.ts"] }],
    head_commit: options.deleted ? null : { ...(base.head_commit as object), id: after },
    repository: repository(),
    installation: { id: INSTALLATION },
  };
}

function pullRequestPayload(headSha: string, options: { action?: string; fork?: boolean; number?: number; baseSha?: string } = {}) {
  const base = example("pull_request", (payload) => payload.action === "opened");
  const pr = base.pull_request as Record<string, Record<string, unknown>>;
  const headRepo = options.fork ? { ...(pr.head?.repo as object), id: 999_001, full_name: "mallory/app", fork: true } : { ...(pr.head?.repo as object), id: REPO_ID, full_name: FULL_NAME };
  return {
    ...base,
    action: options.action ?? "opened",
    number: options.number ?? 7,
    pull_request: {
      ...pr,
      number: options.number ?? 7,
      head: { ...pr.head, sha: headSha, ref: "feature", repo: headRepo },
      base: { ...pr.base, ref: "main", ...(options.baseSha ? { sha: options.baseSha } : {}), repo: { ...(pr.base?.repo as object), id: REPO_ID, full_name: FULL_NAME } },
    },
    repository: repository(),
    installation: { id: INSTALLATION },
  };
}

async function deliver(event: string, payload: object, deliveryId: string = randomUUID()) {
  const { id, duplicate } = await intake.recordDelivery(db.sql("test"), { deliveryId, source: "github", event, payload: JSON.parse(JSON.stringify(payload)) });
  return { id, duplicate, result: await processDelivery(deps, id) };
}

const scoped = () => db.forTenant({ tenantId, actor: { kind: "SYSTEM" } });
const runsAt = (commit: string) => scoped().workflowRun.findMany({ where: { sha: commit }, include: { jobs: true } });
const tokenExchanges = () => fake.callsTo(/^POST \/app\/installations\/\d+\/access_tokens$/);

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  fake = new FakeGithub({ now: () => clock });
  await fake.start();
  fake.addInstallation(INSTALLATION);
  const installed = example("installation", (payload) => payload.action === "created");
  const event: InstallationEvent = {
    action: "created",
    installation: { id: INSTALLATION, account: { id: 77, login: "octo", type: "Organization" } },
    repositories: [{ id: REPO_ID, name: "app", full_name: FULL_NAME, private: true }],
  };
  expect(installed.installation).toBeDefined();
  const synced = await syncInstallation(db, { name: "installation", payload: event });
  tenantId = synced.tenantId ?? "";
  await db.system("test setup").runnerPool.create({ data: { id: "pool", tenantId, name: "default", labels: ["ubuntu-latest"], provider: "PROCESS", registrationTokenHash: "x" } });
  deps = {
    db,
    startRun: startRunsNow(db),
    gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"),
    github: {
      apiUrl: fake.url,
      tokens: new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url, now: () => clock }),
    },
  };
});
afterAll(async () => {
  await fake?.stop();
  await db?.close();
  await testDb?.drop();
});

describe("GitHub push intake", () => {
  it("a push makes a run from the workflow at that commit, read with an installation token", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI, "src/app.ts": "1" });
    const { result, id } = await deliver("push", pushPayload(after));
    expect(result).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, valid: true, workflowPath: ".gantry/workflows/ci.yml" }] });
    const [run, ...others] = await runsAt(after);
    expect(others).toHaveLength(0);
    expect(run).toMatchObject({ event: "push", ref: "refs/heads/main", workflowName: "CI", trusted: true, idempotencyKey: `push:${run?.repositoryId}:refs/heads/main:${after}:.gantry/workflows/ci.yml` });
    expect(run?.jobs.map((job) => [job.key, job.status]).sort()).toEqual([
      ["build", "WAITING"],
      ["test", "QUEUED"],
    ]);
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "PROCESSED" });

    // The token exchange carried a valid RS256 App JWT; the contents calls used the minted token at the commit.
    const [exchange, ...more] = tokenExchanges();
    expect(more).toHaveLength(0);
    expect(exchange).toMatchObject({ status: 201, path: `/app/installations/${INSTALLATION}/access_tokens`, jwt: { iss: fake.appId } });
    const contents = fake.callsTo(/^GET \/repos\/octo\/app\/contents\//);
    // Both folders are listed (a GitHub-connected repository reads .github/workflows too; this commit has none).
    expect(contents.map((call) => [call.path, call.query.ref, call.status]).sort()).toEqual([
      ["/repos/octo/app/contents/.gantry/workflows", after, 200],
      ["/repos/octo/app/contents/.gantry/workflows/ci.yml", after, 200],
      ["/repos/octo/app/contents/.github/workflows", after, 404],
    ]);
    expect(contents.every((call) => /^token ghs_/.test(call.authorization ?? ""))).toBe(true);
  });

  it("a workflow that calls a local reusable workflow reads it through the contents API at the same commit", async () => {
    const caller = "on: push\njobs:\n  call:\n    uses: ./.github/lib/build.yml\n";
    const lib = "on: workflow_call\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/calls.yml": caller, ".github/lib/build.yml": lib });
    const { result } = await deliver("push", pushPayload(after));
    expect(result).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, valid: true, workflowPath: ".gantry/workflows/calls.yml" }] });
    const [run] = await runsAt(after);
    expect(run?.jobs.map((job) => [job.key, job.status]).sort()).toEqual([
      ["call / build", "WAITING"],
      ["call", "RUNNING"],
    ]);
    expect(fake.callsTo(/^GET \/repos\/octo\/app\/contents\/\.github\/lib\/build\.yml$/).map((call) => [call.query.ref, call.status])).toEqual([[after, 200]]);

    // A commit without the called file: GitHub answers 404, and the run fails with the error at the call.
    const missing = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, missing, { ".gantry/workflows/calls.yml": caller });
    await deliver("push", pushPayload(missing));
    const [failed] = await runsAt(missing);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.errors).toEqual([expect.objectContaining({ file: ".gantry/workflows/calls.yml", line: 4, col: 11, code: "reusable-workflow-not-found" })]);
  });

  it("a redelivery, or a second delivery of the same push, makes no second run", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    const payload = pushPayload(after);
    const deliveryId = randomUUID();
    await deliver("push", payload, deliveryId);
    const redelivered = await deliver("push", payload, deliveryId);
    expect(redelivered).toMatchObject({ duplicate: true, result: null });
    const second = await deliver("push", payload);
    expect(second.result?.runs).toEqual([expect.objectContaining({ created: false })]);
    expect(await runsAt(after)).toHaveLength(1);
  });

  it("ten concurrent deliveries of the same push, and ten concurrent intakes of one delivery, make one run", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    const payload = pushPayload(after);
    const results = await Promise.all(Array.from({ length: 10 }, () => deliver("push", payload)));
    expect(results.flatMap((delivered) => delivered.result?.runs ?? []).filter((run) => run.created)).toHaveLength(1);
    const one = await intake.recordDelivery(db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload: JSON.parse(JSON.stringify(pushPayload(after))) });
    const intakes = await Promise.all(Array.from({ length: 10 }, () => processDelivery(deps, one.id)));
    expect(intakes.flatMap((result) => result?.runs ?? []).filter((run) => run.created)).toHaveLength(0);
    expect(await runsAt(after)).toHaveLength(1);
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: one.id } })).toMatchObject({ status: "PROCESSED" });
  });

  it("reuses the installation token within its hour and mints a new one five minutes before it expires", async () => {
    expect(tokenExchanges()).toHaveLength(1);
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    clock += 54 * 60_000;
    await deliver("push", pushPayload(after, { ref: "refs/heads/main" }));
    expect(tokenExchanges()).toHaveLength(1);
    clock += 2 * 60_000;
    const later = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, later, { ".gantry/workflows/ci.yml": CI });
    await deliver("push", pushPayload(later));
    expect(tokenExchanges()).toHaveLength(2);
    expect(await runsAt(later)).toHaveLength(1);
  });

  it("a revoked token fails the attempt, leaving the delivery for the retry, which mints a new token", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    fake.revokeTokens();
    const exchanges = tokenExchanges().length;
    const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "push", payload: JSON.parse(JSON.stringify(pushPayload(after))) });
    await expect(processDelivery(deps, id)).rejects.toMatchObject({ status: 401 });
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "RECEIVED" });
    expect((await processDelivery(deps, id))?.outcome).toBe("PROCESSED");
    expect(tokenExchanges()).toHaveLength(exchanges + 1);
    expect(await runsAt(after)).toHaveLength(1);
  });

  it("follows the workflow's filters: tags, ignored paths, other branches; deletions are ignored", async () => {
    const tagged = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, tagged, { ".gantry/workflows/ci.yml": CI });
    expect((await deliver("push", pushPayload(tagged, { ref: "refs/tags/v1.2.0" }))).result?.outcome).toBe("PROCESSED");
    expect(await runsAt(tagged)).toEqual([expect.objectContaining({ ref: "refs/tags/v1.2.0" })]);

    const docsOnly = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, docsOnly, { ".gantry/workflows/ci.yml": CI });
    expect((await deliver("push", pushPayload(docsOnly, { modified: ["docs/readme.md"] }))).result).toMatchObject({ outcome: "IGNORED", reason: "no workflow matched this push" });
    expect((await deliver("push", pushPayload(docsOnly, { ref: "refs/heads/feature" }))).result?.outcome).toBe("IGNORED");
    expect(await runsAt(docsOnly)).toHaveLength(0);

    const deleted = await deliver("push", pushPayload(sha(), { deleted: true }));
    expect(deleted.result).toMatchObject({ outcome: "IGNORED", reason: "ref deleted" });
  });

  it("an invalid workflow file becomes a FAILED run with its errors", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI, ".gantry/workflows/broken.yml": BROKEN, ".gantry/workflows/junk.yaml": "on: [push\njobs: {{{\n" });
    const { result } = await deliver("push", pushPayload(after));
    expect(result?.runs.map((run) => [run.workflowPath, run.valid]).sort()).toEqual([
      [".gantry/workflows/broken.yml", false],
      [".gantry/workflows/ci.yml", true],
      [".gantry/workflows/junk.yaml", false],
    ]);
    const junk = (await runsAt(after)).find((run) => run.workflowPath === ".gantry/workflows/junk.yaml");
    expect(junk).toMatchObject({ status: "FAILED", errors: expect.arrayContaining([expect.objectContaining({ file: ".gantry/workflows/junk.yaml", line: expect.any(Number) })]) });
    const broken = (await runsAt(after)).find((run) => run.workflowPath === ".gantry/workflows/broken.yml");
    expect(broken?.status).toBe("FAILED");
    expect(broken?.errors).toEqual(expect.arrayContaining([expect.objectContaining({ file: ".gantry/workflows/broken.yml", line: expect.any(Number) })]));
  });

  it("reports a queued check run per job of a new run, and a failed one for an invalid workflow", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI, ".gantry/workflows/broken.yml": BROKEN });
    await deliver("push", pushPayload(after));
    const runs = await runsAt(after);
    const checks = [...fake.checkRuns.values()].filter((check) => check.head_sha === after);
    const ci = runs.find((run) => run.workflowName === "CI");
    expect(checks.map((check) => [check.name, check.status, check.conclusion, check.external_id]).sort()).toEqual(
      [
        ["CI / build", "queued", null, ci?.jobs.find((job) => job.key === "build")?.id],
        ["CI / test", "queued", null, ci?.jobs.find((job) => job.key === "test")?.id],
        [".gantry/workflows/broken.yml", "completed", "failure", runs.find((run) => run.status === "FAILED")?.id],
      ].sort(),
    );
    const failed = checks.find((check) => check.conclusion === "failure");
    expect(failed?.output).toMatchObject({ title: "Invalid workflow", summary: expect.stringMatching(/^\.gantry\/workflows\/broken\.yml:\d+:\d+: /) });
    const annotations = failed ? fake.annotations.get(Number(failed.id)) : undefined;
    expect(annotations?.length).toBeGreaterThan(0);
    expect(annotations).toEqual(expect.arrayContaining([expect.objectContaining({ path: ".gantry/workflows/broken.yml", annotation_level: "failure", start_line: expect.any(Number) })]));
    expect(failed?.output.annotations_count).toBe(annotations?.length);

    // A second delivery of the same push creates no run and no check run.
    await deliver("push", pushPayload(after));
    expect([...fake.checkRuns.values()].filter((check) => check.head_sha === after)).toHaveLength(3);
  });

  it("a workflow's validation warnings become a neutral check whose annotations carry them, 50 per request", async () => {
    const after = sha();
    // 60 steps with one script-injection warning each: more than GitHub takes in one request.
    const steps = Array.from({ length: 60 }, () => '      - run: echo "${{ github.event.pull_request.title }}"').join("\n");
    const warned = `name: Greet\non: push\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n${steps}\n`;
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/greet.yml": warned });
    await deliver("push", pushPayload(after));
    const [run] = await runsAt(after);
    expect(run?.status).not.toBe("FAILED");
    const checks = [...fake.checkRuns.values()].filter((check) => check.head_sha === after);
    expect(checks.map((check) => [check.name, check.status, check.conclusion, check.external_id]).sort()).toEqual(
      [
        ["Greet / greet", "queued", null, run?.jobs[0]?.id],
        ["Greet", "completed", "neutral", run?.id],
      ].sort(),
    );
    const warnings = checks.find((check) => check.name === "Greet");
    expect(warnings?.output).toMatchObject({ title: "60 workflow warnings", summary: expect.stringContaining('.gantry/workflows/greet.yml:7:24: "github.event.pull_request.title" is potentially untrusted') });
    // The requests themselves: the create carries the first 50, one update the other 10, each in GitHub's shape.
    const writes = fake.calls.filter((call) => call.status < 300 && (call.method === "POST" || call.method === "PATCH") && /\/check-runs(\/\d+)?$/.test(call.path) && (call.method === "PATCH" ? call.path.endsWith(`/check-runs/${warnings?.id}`) : (call.body as { name?: string }).name === "Greet"));
    const sent = writes.map((call) => (call.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []);
    expect(writes.map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect(sent.map((batch) => batch.length)).toEqual([50, 10]);
    expect(sent[0]?.[0]).toEqual({
      path: ".gantry/workflows/greet.yml",
      start_line: 7,
      end_line: 7,
      start_column: 24,
      end_column: 24,
      annotation_level: "warning",
      message: expect.stringContaining('"github.event.pull_request.title" is potentially untrusted'),
      title: "script-injection",
    });
    expect(sent.flat().map((annotation) => (annotation as { start_line: number }).start_line)).toEqual(Array.from({ length: 60 }, (_, index) => 7 + index));
    expect(warnings?.output.annotations_count).toBe(60);
  });

  it("moves a job's check run forward as the job runs and finishes, never back", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    await deliver("push", pushPayload(after));
    const [run] = await runsAt(after);
    const build = run?.jobs.find((job) => job.key === "build");
    if (!build || !deps.github) throw new Error("expected the build job");
    const ctx = { tenantId, actor: { kind: "SYSTEM" as const } };
    const check = () => [...fake.checkRuns.values()].find((candidate) => candidate.external_id === build.id);
    await scoped().jobRun.update({ where: { id: build.id }, data: { status: "RUNNING", startedAt: new Date("2026-01-01T00:00:00Z") } });
    expect(await reportJobCheck(db, deps.github, ctx, build.id)).toBe(true);
    expect(check()).toMatchObject({ status: "in_progress", started_at: "2026-01-01T00:00:00Z" });
    await scoped().jobRun.update({ where: { id: build.id }, data: { status: "SUCCEEDED", finishedAt: new Date("2026-01-01T00:02:00Z") } });
    await reportJobCheck(db, deps.github, ctx, build.id);
    expect(check()).toMatchObject({ status: "completed", conclusion: "success", completed_at: "2026-01-01T00:02:00Z" });
    await scoped().jobRun.update({ where: { id: build.id }, data: { status: "RUNNING" } });
    await reportJobCheck(db, deps.github, ctx, build.id);
    expect(check()).toMatchObject({ status: "completed", conclusion: "success" });
    expect(await reportJobCheck(db, deps.github, ctx, "job_unknown")).toBe(false);
  });

  it("ignores a repository the installation lost, and a push without workflow files", async () => {
    const bare = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, bare, { "README.md": "hi" });
    expect((await deliver("push", pushPayload(bare))).result).toMatchObject({ outcome: "IGNORED", reason: "no workflow files at this commit" });

    const other = { ...pushPayload(sha()), repository: { ...repository(), id: 555_999, full_name: "octo/gone" } };
    expect((await deliver("push", other)).result).toMatchObject({ outcome: "IGNORED", reason: "GitHub repository 555999 is not connected to Gantry" });
  });
});

describe("GitHub pull request intake", () => {
  it("a pull request from the same repository runs trusted; from a fork, untrusted", async () => {
    const inside = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, inside, { ".gantry/workflows/ci.yml": CI });
    expect((await deliver("pull_request", pullRequestPayload(inside))).result?.outcome).toBe("PROCESSED");
    expect(await runsAt(inside)).toEqual([expect.objectContaining({ event: "pull_request", ref: "refs/pull/7/head", trusted: true })]);

    const forked = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, forked, { ".gantry/workflows/ci.yml": CI });
    expect((await deliver("pull_request", pullRequestPayload(forked, { fork: true, number: 8 }))).result?.outcome).toBe("PROCESSED");
    expect(await runsAt(forked)).toEqual([expect.objectContaining({ event: "pull_request", ref: "refs/pull/8/head", trusted: false })]);
  });

  it("pull_request_target runs the base commit's workflow in the base repository's trust, once per head commit", async () => {
    const TARGET = `name: Label
on: pull_request_target
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - run: echo label
`;
    const base = sha();
    const head = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, base, { ".gantry/workflows/label.yml": TARGET, ".gantry/workflows/broken.yml": BROKEN });
    fake.addCommit(FULL_NAME, INSTALLATION, head, { ".gantry/workflows/label.yml": TARGET.replace("echo label", "echo pwned") });
    const { result } = await deliver("pull_request", pullRequestPayload(head, { fork: true, number: 21, baseSha: base }));
    expect(result?.outcome).toBe("PROCESSED");
    expect(await runsAt(head)).toHaveLength(0);
    const [target, ...others] = await runsAt(base);
    expect(others).toHaveLength(0);
    expect(target).toMatchObject({ event: "pull_request_target", ref: "refs/heads/main", trusted: true, workflowName: "Label" });
    expect(JSON.stringify(target?.plan)).toContain("echo label");
    await deliver("pull_request", pullRequestPayload(head, { fork: true, number: 21, baseSha: base, action: "synchronize" }));
    expect(await runsAt(base)).toHaveLength(1);
  });

  it("synchronize to a commit that already ran makes no second run; closed starts nothing", async () => {
    const head = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, head, { ".gantry/workflows/ci.yml": CI });
    await deliver("pull_request", pullRequestPayload(head, { number: 9 }));
    const again = await deliver("pull_request", pullRequestPayload(head, { number: 9, action: "synchronize" }));
    expect(again.result?.runs).toEqual([expect.objectContaining({ created: false })]);
    const closed = await deliver("pull_request", pullRequestPayload(head, { number: 9, action: "closed" }));
    expect(closed.result).toMatchObject({ outcome: "IGNORED", reason: "pull_request closed starts no runs" });
    expect(await runsAt(head)).toHaveLength(1);
  });
});

describe("re-runs requested on GitHub", () => {
  const checkPayload = (event: "check_run" | "check_suite", headSha: string, externalId?: string) => {
    const base = example(event, (payload) => payload.action === "rerequested");
    const repo = { repository: repository(), installation: { id: INSTALLATION } };
    if (event === "check_suite") return { ...base, ...repo, check_suite: { ...(base.check_suite as object), head_sha: headSha } };
    const check = base.check_run as Record<string, unknown>;
    return { ...base, ...repo, check_run: { ...check, head_sha: headSha, external_id: externalId ?? null, check_suite: { ...(check.check_suite as object), head_sha: headSha } } };
  };
  /** A check_run rerequested body naming check run `id`, for the check of job `externalId`. */
  const checkRunClick = (headSha: string, externalId: string | undefined, id: number) => {
    const payload = checkPayload("check_run", headSha, externalId);
    if (!("check_run" in payload)) throw new Error("not a check_run payload");
    return { ...payload, check_run: { ...payload.check_run, id } };
  };

  /** A check_suite rerequested body whose suite was last updated at `updatedAt`. */
  const suiteClick = (headSha: string, updatedAt: string) => {
    const payload = checkPayload("check_suite", headSha);
    if (!("check_suite" in payload)) throw new Error("not a check_suite payload");
    return { ...payload, check_suite: { ...payload.check_suite, updated_at: updatedAt } };
  };
  /** Ends the run's jobs as a runner would: build succeeds, test ends as `test` says; the run then ends. */
  async function endRun(runId: string, test: "SUCCEEDED" | "FAILED") {
    const ctx = { tenantId, actor: { kind: "SYSTEM" as const } };
    const job = (key: string) => scoped().jobRun.findFirstOrThrow({ where: { runId, key } });
    if ((await job("build")).status !== "SUCCEEDED") {
      await runJobAsRunner(db, ctx, runId, "build", "SUCCEEDED");
      await advanceRun(db, ctx, runId);
    }
    await runJobAsRunner(db, ctx, runId, "test", test);
    await advanceRun(db, ctx, runId);
    return scoped().workflowRun.findUniqueOrThrow({ where: { id: runId }, include: { jobs: true } });
  }
  const rerunAudits = (runId: string) => db.system("test").auditEvent.findMany({ where: { targetId: runId, action: "run.rerun" }, orderBy: { id: "asc" } });

  it("check_run rerequested re-runs that job (and its dependents) as a new attempt of the same run; check_suite re-runs the failed jobs", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    await deliver("push", pushPayload(after));
    const [original] = await runsAt(after);
    const ended = await endRun(original?.id ?? "", "FAILED");
    expect(ended.status).toBe("FAILED");
    const test = ended.jobs.find((candidate) => candidate.key === "test");

    const click = await deliver("check_run", checkRunClick(after, test?.id, 7_000_000));
    expect(click.result).toMatchObject({ outcome: "PROCESSED", runs: [{ runId: original?.id, created: false, valid: true }] });
    // No new run: the same run, attempt 2, with build kept and test back in line.
    const [again, ...others] = await runsAt(after);
    expect(others).toHaveLength(0);
    expect(again).toMatchObject({ id: original?.id, runNumber: original?.runNumber, runAttempt: 2 });
    expect(Object.fromEntries((again?.jobs ?? []).map((job) => [job.key, [job.status, job.runAttempt]]))).toEqual({ build: ["SUCCEEDED", 1], test: ["WAITING", 2] });
    expect((await rerunAudits(original?.id ?? "")).map((event) => event.data)).toEqual([{ mode: "job", jobKey: "test", runAttempt: 2, jobs: 1, click: "check_run:7000000:1", sender: expect.any(String) }]);
    // An active run is not re-run again: the click is refused with the reason.
    const early = await deliver("check_suite", checkPayload("check_suite", after));
    expect(early.result).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("is still") });

    await endRun(original?.id ?? "", "FAILED");
    await deliver("check_suite", suiteClick(after, "2026-12-07T10:00:00Z"));
    expect((await runsAt(after))[0]).toMatchObject({ runAttempt: 3 });
    expect((await rerunAudits(original?.id ?? "")).map((event) => (event.data as { mode?: string }).mode)).toEqual(["job", "failed"]);

    const foreign = await deliver("check_run", checkPayload("check_run", after, "someone-elses-check"));
    expect(foreign.result).toMatchObject({ outcome: "IGNORED", reason: `no Gantry run at ${after} to re-run` });
    const created = await deliver("check_run", { ...checkPayload("check_run", after, test?.id), action: "created" });
    expect(created.result).toMatchObject({ outcome: "IGNORED", reason: "check_run created starts no runs" });
    expect(await runsAt(after)).toHaveLength(1);
  });

  it("a captured rerequested body replayed under new delivery ids re-runs once; a later click on the re-run check still works", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    await deliver("push", pushPayload(after));
    const [original] = await runsAt(after);
    const runId = original?.id ?? "";
    const test = (await endRun(runId, "FAILED")).jobs.find((candidate) => candidate.key === "test");
    // X-GitHub-Delivery is not signed: the same signed body can be stored under any number of delivery ids.
    const captured = checkRunClick(after, test?.id, 7_000_001);
    const replays = [];
    for (const deliveryId of [randomUUID(), randomUUID(), randomUUID()]) replays.push(await deliver("check_run", captured, deliveryId));
    expect(replays.map((replay) => replay.duplicate)).toEqual([false, false, false]);
    expect(replays[0]?.result).toMatchObject({ outcome: "PROCESSED", runs: [{ runId, created: false }] });
    for (const replay of replays.slice(1)) {
      expect(replay.result).toMatchObject({ outcome: "IGNORED", reason: `duplicate re-run request: check run 7000001 of run ${runId} was re-run already (the job is on run attempt 2)` });
      expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: replay.id } })).toMatchObject({ status: "IGNORED", error: expect.stringContaining("duplicate re-run request") });
    }
    expect((await runsAt(after))[0]?.runAttempt).toBe(2);

    // The same check run now shows run attempt 2 (`<job id>:2`): a click on it, once the run has ended, re-runs again, once.
    await endRun(runId, "FAILED");
    const later = checkRunClick(after, `${test?.id ?? ""}:2`, 7_000_001);
    expect((await deliver("check_run", later)).result).toMatchObject({ outcome: "PROCESSED", runs: [{ runId }] });
    expect((await deliver("check_run", later)).result).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("duplicate re-run request") });
    expect(await runsAt(after)).toHaveLength(1);
    expect((await runsAt(after))[0]?.runAttempt).toBe(3);

    // The same suite click replayed: re-run once.
    await endRun(runId, "FAILED");
    const suite = suiteClick(after, "2026-12-07T11:00:00Z");
    expect((await deliver("check_suite", suite)).result).toMatchObject({ outcome: "PROCESSED" });
    await endRun(runId, "FAILED");
    expect((await deliver("check_suite", suite)).result).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("duplicate re-run request") });
    expect((await runsAt(after))[0]?.runAttempt).toBe(4);
  });
});

describe("other GitHub deliveries", () => {
  it("a handled event whose payload does not parse is FAILED with the reason; an unhandled one IGNORED", async () => {
    const bad = await deliver("push", { ref: "refs/heads/main" });
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: bad.id } })).toMatchObject({ status: "FAILED", error: expect.stringContaining("after") });
    const star = await deliver("star", { action: "created" });
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: star.id } })).toMatchObject({ status: "IGNORED" });
  });

  it("a push to a repository the installation lost, or through a suspended installation, starts nothing", async () => {
    const after = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, after, { ".gantry/workflows/ci.yml": CI });
    const account = { id: 77, login: "octo", type: "Organization" };
    const removed = { action: "removed" as const, installation: { id: INSTALLATION, account }, repository_selection: "selected" as const, repositories_added: [], repositories_removed: [{ id: REPO_ID, full_name: FULL_NAME }] };
    await syncInstallation(db, { name: "installation_repositories", payload: removed });
    expect((await deliver("push", pushPayload(after))).result).toMatchObject({ outcome: "IGNORED", reason: `installation ${INSTALLATION} no longer has access to ${FULL_NAME}` });

    const added = { ...removed, action: "added" as const, repositories_added: [{ id: REPO_ID, name: "app", full_name: FULL_NAME, private: true }], repositories_removed: [] };
    await syncInstallation(db, { name: "installation_repositories", payload: added });
    await syncInstallation(db, { name: "installation", payload: { action: "suspend", installation: { id: INSTALLATION, account } } });
    expect((await deliver("push", pushPayload(after))).result).toMatchObject({ outcome: "IGNORED", reason: `installation ${INSTALLATION} is suspended` });
    await syncInstallation(db, { name: "installation", payload: { action: "unsuspend", installation: { id: INSTALLATION, account } } });
    expect((await deliver("push", pushPayload(after))).result?.outcome).toBe("PROCESSED");
  });

  it("an installation delivery left RECEIVED by the web app is applied by intake", async () => {
    const base = example("installation_repositories", (payload) => payload.action === "added");
    const payload = { ...base, installation: { ...(base.installation as object), id: INSTALLATION, account: { id: 77, login: "octo", type: "Organization" } }, repositories_added: [{ id: 555_002, node_id: "x", name: "lib", full_name: "octo/lib", private: false }], repositories_removed: [] };
    const { id } = await deliver("installation_repositories", payload);
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "PROCESSED" });
    expect(await scoped().repository.findFirst({ where: { fullName: "octo/lib" } })).toMatchObject({ githubRepoId: 555_002n });
  });
});
