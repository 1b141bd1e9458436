// The tenant's fork pull request policy at GitHub intake, end to end against the fake GitHub: stored deliveries
// (GitHub's published payloads, with this test's forks and author associations) → runs in a real Postgres, and
// the check runs GitHub is shown. With APPROVE_FIRST_TIME a fork's pull request from a first-time contributor is
// created held (WAITING, nothing ready, its checks "action_required"); returning contributors, same-repository pull
// requests, pull_request_target and the RUN policy run at once. Approving resets the checks to queued and the run
// starts; declining ends them cancelled. A review comment by a first-time contributor and the reconciler's missed
// pull requests follow the same policy.
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, type Database, type TenantContext } from "@gantry/db";
import { approveRun, rejectRun, startRun } from "@gantry/engine";
import { publishedExamples, type FakeGithub } from "@gantry/github/testing";
import { processDelivery } from "../../src/intake/process-delivery";
import { reconcileGithubRepositories } from "../../src/intake/github/reconcile";
import { reportJobCheck } from "../../src/intake/github/report-checks";
import type { GithubIntakeDeps } from "../../src/intake/github/types";
import { startRunsNow } from "../support/start-runs-now";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const CI = `name: CI
on:
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
const TARGET = `name: Label
on: pull_request_target
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - run: echo label
`;
const REVIEW = `name: Review
on: pull_request_review_comment
jobs:
  answer:
    runs-on: ubuntu-latest
    steps:
      - run: echo answer
`;

const INSTALLATION = 51_001;
const REPO_ID = 660_001;
const FULL_NAME = "octo/site";
const FORK = { id: 999_101, full_name: "mallory/site", fork: true };
const maintainer = { userId: "usr_maintainer", label: "maintainer@example.com" };

let bed: GithubTestbed;
let db: Database;
let fake: FakeGithub;
let deps: GithubIntakeDeps;
let ctx: TenantContext;
let prNumber = 100;

const sha = () => randomBytes(20).toString("hex");
const example = (event: string, pick: (payload: Record<string, unknown>) => boolean) => {
  const found = publishedExamples(event).find(pick);
  if (!found) throw new Error(`no published ${event} example`);
  return found;
};
const repository = () => ({ ...(example("push", () => true).repository as object), id: REPO_ID, name: "site", full_name: FULL_NAME, default_branch: "main" });

interface PullOptions {
  fork?: boolean;
  author?: string;
  /** null: the payload carries no author_association. */
  association?: string | null;
  baseSha?: string;
}

/** GitHub's published `opened` example as a pull request of this test's repository, from a fork or not. */
function pullRequest(headSha: string, number: number, options: PullOptions = {}) {
  const base = example("pull_request", (payload) => payload.action === "opened");
  const pr = base.pull_request as Record<string, unknown> & { head: Record<string, unknown>; base: Record<string, unknown>; user: Record<string, unknown> };
  const { author_association: _association, ...rest } = pr;
  return {
    ...rest,
    number,
    user: { ...pr.user, login: options.author ?? "mallory" },
    ...(options.association === null ? {} : { author_association: options.association ?? "FIRST_TIME_CONTRIBUTOR" }),
    head: { ...pr.head, sha: headSha, ref: "patch", repo: options.fork === false ? { ...(pr.head.repo as object), id: REPO_ID, full_name: FULL_NAME } : { ...(pr.head.repo as object), ...FORK } },
    base: { ...pr.base, ref: "main", ...(options.baseSha ? { sha: options.baseSha } : {}), repo: { ...(pr.base.repo as object), id: REPO_ID, full_name: FULL_NAME } },
  };
}

function pullRequestPayload(headSha: string, number: number, options: PullOptions = {}) {
  const base = example("pull_request", (payload) => payload.action === "opened");
  return { ...base, action: "opened", number, pull_request: pullRequest(headSha, number, options), repository: repository(), installation: { id: INSTALLATION } };
}

async function deliver(event: string, payload: object, deliveryId: string = randomUUID()) {
  const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId, source: "github", event, payload: JSON.parse(JSON.stringify(payload)) });
  return processDelivery(deps, id);
}

/**
 * A pull request (from a fork unless told) at a new head commit, on a new base commit with the same workflow files:
 * the runs it made, the head's first (pull_request_target runs at the base).
 */
async function openPullRequest(options: PullOptions = {}, files: Record<string, string> = { ".gantry/workflows/ci.yml": CI }) {
  const [head, base] = [sha(), sha()];
  for (const commit of [head, base]) fake.addCommit(FULL_NAME, INSTALLATION, commit, files);
  const number = ++prNumber;
  const payload = pullRequestPayload(head, number, { ...options, baseSha: base });
  const result = await deliver("pull_request", payload);
  const runs = async () => [...(await runsAt(head)), ...(await runsAt(base))];
  return { head, number, payload, result, runs: await runs(), runsNow: runs };
}

const setPolicy = (forkPullRequests: "RUN" | "APPROVE_FIRST_TIME") => db.system("test: the tenant's settings").tenant.update({ where: { id: ctx.tenantId }, data: { forkPullRequests } });
const runsAt = (headSha: string) => db.forTenant(ctx).workflowRun.findMany({ where: { OR: [{ sha: headSha }, { headSha }] }, include: { jobs: { orderBy: { key: "asc" } } }, orderBy: { workflowPath: "asc" } });
const checksOf = (jobIds: string[]) =>
  [...fake.checkRuns.values()]
    .filter((check) => jobIds.some((id) => check.external_id === id || check.external_id?.startsWith(`${id}:`)))
    .map((check) => ({ name: check.name, external_id: check.external_id, status: check.status, conclusion: check.conclusion, title: check.output.title, summary: check.output.summary }))
    .sort((a, b) => a.name.localeCompare(b.name));
const checkPosts = () => fake.callsTo(/^POST \/repos\/octo\/site\/check-runs$/).length;

beforeAll(async () => {
  bed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  ({ db, fake } = bed);
  ctx = { tenantId: bed.tenantId, actor: { kind: "SYSTEM" } };
  // Check runs link to the run page (GANTRY_PUBLIC_URL).
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github: { ...bed.github, publicUrl: "https://ci.example.com" } };
});
afterAll(() => bed?.close());

describe("APPROVE_FIRST_TIME at pull request intake", () => {
  it("holds a fork's pull request from a first-time contributor: WAITING, nothing ready, checks action_required with the reason; pull_request_target runs; a redelivery holds nothing twice", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const opened = await openPullRequest({}, { ".gantry/workflows/ci.yml": CI, ".gantry/workflows/label.yml": TARGET });
    expect(opened.result?.outcome).toBe("PROCESSED");
    const [ci, label, ...others] = opened.runs;
    expect(others).toEqual([]);
    expect(ci).toMatchObject({ event: "pull_request", trusted: false, status: "WAITING", approvedAt: null });
    expect(ci?.approvalRequired).toBe(`pull request #${opened.number} comes from the fork mallory/site and @mallory is a first-time contributor (GitHub: FIRST_TIME_CONTRIBUTOR); the tenant requires a maintainer's approval before it runs`);
    expect(ci?.jobs.map((job) => [job.key, job.status])).toEqual([
      ["build", "QUEUED"],
      ["test", "QUEUED"],
    ]);
    // pull_request_target runs the base branch's workflow, trusted: never held (as on GitHub).
    expect(label).toMatchObject({ event: "pull_request_target", status: "QUEUED", approvalRequired: null });
    expect(label?.jobs.map((job) => job.status)).toEqual(["WAITING"]);

    const jobIds = ci?.jobs.map((job) => job.id) ?? [];
    const summary = `This run waits for a maintainer: ${ci?.approvalRequired ?? ""}. A maintainer (or admin) approves or cancels it on its page, https://ci.example.com/t/octo/runs/${ci?.id ?? ""}.`;
    expect(checksOf(jobIds)).toEqual([
      { name: "CI / build", external_id: `${jobIds[0] ?? ""}:0`, status: "completed", conclusion: "action_required", title: "Awaiting approval", summary },
      { name: "CI / test", external_id: `${jobIds[1] ?? ""}:0`, status: "completed", conclusion: "action_required", title: "Awaiting approval", summary },
    ]);
    const posted = fake.callsTo(/^POST \/repos\/octo\/site\/check-runs$/).filter((call) => (call.body as { external_id?: string }).external_id === `${jobIds[0] ?? ""}:0`);
    expect(posted.map((call) => (call.body as { details_url?: string }).details_url)).toEqual([`https://ci.example.com/t/octo/runs/${ci?.id ?? ""}`]);

    // The same pull request delivered again (a redelivery, another delivery id) makes no second run and no new checks.
    const posts = checkPosts();
    expect((await deliver("pull_request", opened.payload))?.runs.every((run) => !run.created)).toBe(true);
    expect((await opened.runsNow()).map((run) => [run.id, run.status])).toEqual(opened.runs.map((run) => [run.id, run.status]));
    expect(checkPosts()).toBe(posts);
  });

  it("holds FIRST_TIMER, NONE, MANNEQUIN and a payload that says nothing; runs CONTRIBUTOR, COLLABORATOR, MEMBER and OWNER at once", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const held: (string | null)[] = ["FIRST_TIMER", "NONE", "MANNEQUIN", null];
    for (const association of held) {
      const { runs } = await openPullRequest({ association });
      expect([runs[0]?.status, runs[0]?.approvalRequired?.includes(association ? `(GitHub: ${association})` : "(GitHub did not say)")], String(association)).toEqual(["WAITING", true]);
    }
    for (const association of ["CONTRIBUTOR", "COLLABORATOR", "MEMBER", "OWNER"]) {
      const { runs } = await openPullRequest({ association });
      expect([runs[0]?.status, runs[0]?.approvalRequired, runs[0]?.jobs[0]?.status], association).toEqual(["QUEUED", null, "WAITING"]);
    }
  });

  it("runs a same-repository pull request from a first-time contributor, and, with the RUN policy, a fork's (untrusted)", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const sameRepository = await openPullRequest({ fork: false });
    expect(sameRepository.runs.map((run) => [run.trusted, run.status, run.approvalRequired, run.jobs[0]?.status])).toEqual([[true, "QUEUED", null, "WAITING"]]);
    await setPolicy("RUN");
    const fork = await openPullRequest();
    expect(fork.runs.map((run) => [run.trusted, run.status, run.approvalRequired, run.jobs[0]?.status])).toEqual([[false, "QUEUED", null, "WAITING"]]);
  });

  it("approving resets the checks to queued and starts the run; declining ends the checks cancelled", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const approved = (await openPullRequest()).runs[0];
    const declined = (await openPullRequest()).runs[0];
    if (!approved || !declined) throw new Error("no held runs");
    const github = deps.github ?? null;
    if (!github) throw new Error("no GitHub client");

    // What the web's runs.approveFork does, then what the worker does with the reports and the start it asks for.
    expect((await approveRun(db, ctx, approved.id, maintainer)).changed).toBe(true);
    for (const job of approved.jobs) await reportJobCheck(db, github, ctx, job.id);
    await startRun(db, ctx, approved.id);
    const started = await runsAt(approved.sha);
    expect(started[0]?.jobs.map((job) => [job.key, job.status])).toEqual([
      ["build", "WAITING"],
      ["test", "QUEUED"],
    ]);
    expect(checksOf(approved.jobs.map((job) => job.id)).map((check) => [check.name, check.external_id, check.status, check.conclusion, check.title])).toEqual([
      ["CI / build", approved.jobs[0]?.id, "queued", null, "Approved"],
      ["CI / test", approved.jobs[1]?.id, "queued", null, "Approved"],
    ]);

    expect((await rejectRun(db, ctx, declined.id, maintainer)).changed).toBe(true);
    for (const job of declined.jobs) await reportJobCheck(db, github, ctx, job.id);
    expect(checksOf(declined.jobs.map((job) => job.id)).map((check) => [check.external_id, check.status, check.conclusion])).toEqual([
      [declined.jobs[0]?.id, "completed", "cancelled"],
      [declined.jobs[1]?.id, "completed", "cancelled"],
    ]);
    // "Re-run" on GitHub, on a check that still showed the run held, re-runs nothing.
    const check = [...fake.checkRuns.values()].find((candidate) => candidate.external_id === declined.jobs[0]?.id);
    const rerequest = example("check_run", (payload) => payload.action === "rerequested" || payload.action === "created");
    const click = await deliver("check_run", {
      ...rerequest,
      action: "rerequested",
      check_run: { ...(rerequest.check_run as object), id: check?.id, head_sha: declined.headSha ?? declined.sha, external_id: `${declined.jobs[0]?.id ?? ""}:0`, app: { id: Number(fake.appId) } },
      repository: repository(),
      installation: { id: INSTALLATION },
    });
    expect(click).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("is awaiting approval: it was decided since") });
    expect((await runsAt(declined.sha))[0]).toMatchObject({ status: "CANCELED", runAttempt: 1 });
  });

  it("holds a review comment's run when its author is a first-time contributor, on a fork's pull request by a returning one", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const head = sha();
    fake.addCommit(FULL_NAME, INSTALLATION, head, { ".gantry/workflows/review.yml": REVIEW });
    const base = example("pull_request_review_comment", (payload) => payload.action === "created" && payload.installation !== undefined);
    const comment = base.comment as Record<string, unknown>;
    const number = ++prNumber;
    const payload = {
      ...base,
      pull_request: pullRequest(head, number, { author: "regular", association: "CONTRIBUTOR" }),
      comment: { ...comment, user: { ...(comment.user as object), login: "drive-by" }, author_association: "NONE" },
      repository: repository(),
      installation: { id: INSTALLATION },
    };
    expect((await deliver("pull_request_review_comment", payload))?.outcome).toBe("PROCESSED");
    const [run] = await runsAt(head);
    expect(run).toMatchObject({ event: "pull_request_review_comment", status: "WAITING" });
    expect(run?.approvalRequired).toContain("@drive-by is a first-time contributor (GitHub: NONE)");
  });

  it("holds a missed fork pull request from a first-time contributor that the reconciler finds", async () => {
    await setPolicy("APPROVE_FIRST_TIME");
    const since = new Date(Date.now() - 60_000);
    const [firstTime, returning] = [sha(), sha()];
    for (const commit of [firstTime, returning]) fake.addCommit(FULL_NAME, INSTALLATION, commit, { ".gantry/workflows/ci.yml": CI });
    fake.setPullRequest(FULL_NAME, INSTALLATION, { number: ++prNumber, headSha: firstTime, headRef: "a", baseRef: "main", headRepo: FORK, updatedAt: new Date(), author: "newbie", authorAssociation: "FIRST_TIME_CONTRIBUTOR" });
    fake.setPullRequest(FULL_NAME, INSTALLATION, { number: ++prNumber, headSha: returning, headRef: "b", baseRef: "main", headRepo: FORK, updatedAt: new Date(), author: "regular", authorAssociation: "CONTRIBUTOR" });
    const github = deps.github ?? null;
    if (!github) throw new Error("no GitHub client");
    await reconcileGithubRepositories(deps, github, since);
    const [held] = await runsAt(firstTime);
    const [ran] = await runsAt(returning);
    expect([held?.status, held?.approvalRequired?.includes("@newbie is a first-time contributor (GitHub: FIRST_TIME_CONTRIBUTOR)")]).toEqual(["WAITING", true]);
    expect([ran?.status, ran?.approvalRequired, ran?.jobs[0]?.status]).toEqual(["QUEUED", null, "WAITING"]);
  });
});
