// The rest of GitHub's events end to end against the fake GitHub: GitHub's published payloads (with this test's
// ids) stored as deliveries → intake → runs at the commit GitHub's rules name, resolved through the API.
import os from "node:os";
import { startRunsNow } from "../support/start-runs-now";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake } from "@gantry/db";
import { publishedExamples } from "@gantry/github/testing";
import { processDelivery } from "../../src/intake/process-delivery";
import { workflowRunPayload } from "@gantry/engine";
import { workflowRunDeliveryId } from "@gantry/jobs";
import type { GithubIntakeDeps } from "../../src/intake/github/types";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const INSTALLATION = 41_001;
const REPO_ID = 661_001;
const FULL_NAME = "octo/events";

const job = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n";
const WORKFLOWS: Record<string, string> = {
  ".gantry/workflows/release.yml": `name: Release\non:\n  release:\n    types: [published]\n${job}`,
  ".gantry/workflows/issues.yml": `name: Issues\non:\n  issues:\n    types: [opened, labeled]\n  issue_comment:\n${job}`,
  ".gantry/workflows/refs.yml": `name: Refs\non: [create, delete]\n${job}`,
  ".gantry/workflows/label.yml": `name: Label\non:\n  label:\n    types: [created]\n  status:\n${job}`,
  ".gantry/workflows/review.yml": `name: Review\non:\n  pull_request_review:\n    types: [submitted]\n    branches: [main]\n${job}`,
  ".gantry/workflows/checks.yml": `name: Checks\non:\n  check_suite:\n    types: [completed]\n${job}`,
  ".gantry/workflows/dispatch.yml": `name: Dispatch\non:\n  repository_dispatch:\n    types: [on-demand-test]\n${job}`,
  // Invalid: the push that put it on main reported it; an issue event must not add a FAILED run each time.
  ".gantry/workflows/broken.yml": "name: Broken\non: issues\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope( }}\n",
  ".gantry/workflows/after-issues.yml": `name: AfterIssues\non:\n  workflow_run:\n    workflows: [Issues]\n    types: [completed]\n${job}`,
};

let bed: GithubTestbed;
let deps: GithubIntakeDeps;
const sha = () => randomBytes(20).toString("hex");
let head = "";

function example(event: string, pick: (payload: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const found = publishedExamples(event).find(pick);
  if (!found) throw new Error(`no published ${event} example`);
  return found;
}

/** A published example re-pointed at this test's repository and installation. */
function payloadOf(event: string, pick?: (payload: Record<string, unknown>) => boolean, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = example(event, pick);
  return { ...base, repository: { ...(base.repository as object), id: REPO_ID, name: "events", full_name: FULL_NAME, default_branch: "main", owner: { login: "octo" } }, installation: { id: INSTALLATION }, ...overrides };
}

async function deliver(event: string, payload: object, deliveryId: string = randomUUID()) {
  const { id } = await intake.recordDelivery(bed.db.sql("test"), { deliveryId, source: "github", event, payload: JSON.parse(JSON.stringify(payload)) });
  return { id, result: await processDelivery(deps, id) };
}

const scoped = () => bed.db.forTenant({ tenantId: bed.tenantId, actor: { kind: "SYSTEM" } });
const runsOf = (event: string) => scoped().workflowRun.findMany({ where: { event }, orderBy: { runNumber: "asc" } });

/** Moves main to a new commit holding every workflow. */
function advanceMain(): string {
  head = sha();
  bed.fake.addCommit(FULL_NAME, INSTALLATION, head, WORKFLOWS);
  bed.fake.setBranch(FULL_NAME, INSTALLATION, "main", head);
  return head;
}

beforeAll(async () => {
  bed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  deps = { db: bed.db, startRun: startRunsNow(bed.db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-events"), github: { ...bed.github, appId: bed.fake.appId, checks: false } };
  advanceMain();
});
afterAll(async () => bed?.close());

describe("events that run at the default branch's head", () => {
  it("issues: a matching type runs at main's head with the payload as github.event; another type runs nothing", async () => {
    const opened = await deliver("issues", payloadOf("issues", (p) => p.action === "opened"));
    expect(opened.result).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, valid: true, workflowPath: ".gantry/workflows/issues.yml" }] });
    const [run] = await runsOf("issues");
    expect(run).toMatchObject({ ref: "refs/heads/main", sha: head, workflowName: "Issues", trusted: true, deliveryId: opened.id });
    expect(bed.fake.callsTo(/^GET \/repos\/octo\/events\/commits\/refs\/heads\/main$/).length).toBeGreaterThan(0);

    expect(await scoped().workflowRun.count({ where: { status: "FAILED" } })).toBe(0);

    const closed = await deliver("issues", payloadOf("issues", (p) => p.action === "edited"));
    expect(closed.result).toMatchObject({ outcome: "IGNORED", reason: "no workflow matched this issues" });
  });

  it("the same event body under a new delivery id (GitHub's redelivery, or a replay) makes no second run, even after main moved", async () => {
    const payload = payloadOf("issue_comment", (p) => p.action === "created");
    const first = await deliver("issue_comment", payload);
    expect(first.result?.runs).toEqual([expect.objectContaining({ created: true })]);
    advanceMain();
    const again = await deliver("issue_comment", payload);
    expect(again.result?.runs).toEqual([expect.objectContaining({ created: false, runId: first.result?.runs[0]?.runId })]);
    expect(await runsOf("issue_comment")).toHaveLength(1);
  });

  it("label (types) and status (no types) run at main's head", async () => {
    await deliver("label", payloadOf("label", (p) => p.action === "created"));
    await deliver("label", payloadOf("label", (p) => p.action === "deleted"));
    await deliver("status", payloadOf("status"));
    expect((await runsOf("label")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["Label", "refs/heads/main", head]]);
    expect((await runsOf("status")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["Label", "refs/heads/main", head]]);
  });

  it("delete runs at the default branch, not at the deleted ref", async () => {
    await deliver("delete", payloadOf("delete", () => true, { ref: "old-feature", ref_type: "branch" }));
    expect((await runsOf("delete")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["Refs", "refs/heads/main", head]]);
  });
});

describe("events no workflow takes", () => {
  it("cost no contents reads once the workflows at that commit were read (a repository with another CI gets many)", async () => {
    await deliver("status", payloadOf("status", () => true, { sha: sha() }));
    const reads = bed.fake.callsTo(/^GET \/repos\/octo\/events\/contents/).length;
    const watched = await deliver("watch", payloadOf("watch"));
    expect(watched.result).toMatchObject({ outcome: "IGNORED", reason: `no workflow at ${head.slice(0, 7)} runs on watch` });
    expect(bed.fake.callsTo(/^GET \/repos\/octo\/events\/contents/).length).toBe(reads);
  });
});

describe("events that run at their own ref", () => {
  it("release runs at refs/tags/<tag_name> and the tag's commit; an unknown tag runs nothing", async () => {
    const tagged = sha();
    bed.fake.addCommit(FULL_NAME, INSTALLATION, tagged, WORKFLOWS);
    bed.fake.setTag(FULL_NAME, INSTALLATION, "v9.0.0", tagged);
    const published = payloadOf("release", (p) => p.action === "published");
    const release = { ...(published.release as object), tag_name: "v9.0.0" };
    const { result } = await deliver("release", { ...published, release });
    expect(result?.outcome).toBe("PROCESSED");
    expect((await runsOf("release")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["Release", "refs/tags/v9.0.0", tagged]]);

    const created = await deliver("release", { ...payloadOf("release", (p) => p.action === "created"), release });
    expect(created.result?.outcome).toBe("IGNORED");
    const missing = await deliver("release", { ...published, release: { ...release, tag_name: "v0.0.404" } });
    expect(missing.result).toMatchObject({ outcome: "IGNORED", reason: "refs/tags/v0.0.404 names no commit in octo/events" });
  });

  it("create runs at the created branch or tag and its commit", async () => {
    const branchHead = sha();
    bed.fake.addCommit(FULL_NAME, INSTALLATION, branchHead, WORKFLOWS);
    bed.fake.setBranch(FULL_NAME, INSTALLATION, "topic", branchHead);
    await deliver("create", payloadOf("create", () => true, { ref: "topic", ref_type: "branch" }));
    expect((await runsOf("create")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["Refs", "refs/heads/topic", branchHead]]);
  });

  it("pull_request_review runs at the pull request's head with its branch filter on the base", async () => {
    const prHead = sha();
    bed.fake.addCommit(FULL_NAME, INSTALLATION, prHead, WORKFLOWS);
    const base = payloadOf("pull_request_review", (p) => p.action === "submitted");
    const pr = base.pull_request as Record<string, Record<string, unknown>>;
    const pullRequest = (baseRef: string) => ({
      ...pr,
      number: 12,
      head: { ...pr.head, sha: prHead, ref: "feature", repo: { ...(pr.head?.repo as object), id: REPO_ID, full_name: FULL_NAME } },
      base: { ...pr.base, ref: baseRef, repo: { ...(pr.base?.repo as object), id: REPO_ID, full_name: FULL_NAME } },
    });
    await deliver("pull_request_review", { ...base, pull_request: pullRequest("main") });
    await deliver("pull_request_review", { ...base, review: { ...(base.review as object), id: 1 }, pull_request: pullRequest("develop") });
    expect((await runsOf("pull_request_review")).map((run) => [run.workflowName, run.ref, run.sha, run.trusted])).toEqual([["Review", "refs/pull/12/head", prHead, true]]);
  });
});

describe("check events", () => {
  it("a check suite of another App runs `on: check_suite` workflows; one of Gantry's own App runs none", async () => {
    const completed = payloadOf("check_suite", (p) => p.action === "completed");
    const suite = completed.check_suite as Record<string, unknown>;
    const other = await deliver("check_suite", { ...completed, check_suite: { ...suite, app: { ...(suite.app as object), id: 9_999 } } });
    expect(other.result).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, workflowPath: ".gantry/workflows/checks.yml" }] });
    const ours = await deliver("check_suite", { ...completed, check_suite: { ...suite, id: 77, app: { ...(suite.app as object), id: Number(bed.fake.appId) } } });
    expect(ours.result).toMatchObject({ outcome: "IGNORED", reason: "check_suite completed starts no runs" });
    expect((await runsOf("check_suite")).map((run) => [run.ref, run.sha])).toEqual([["refs/heads/main", head]]);
  });
});

describe("repository_dispatch from GitHub", () => {
  it("runs the workflows whose types take the event_type, at main's head; another event_type runs nothing", async () => {
    const dispatched = payloadOf("repository_dispatch");
    expect(dispatched.action).toBe("on-demand-test");
    const { id, result } = await deliver("repository_dispatch", dispatched);
    expect(result).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, workflowPath: ".gantry/workflows/dispatch.yml" }] });
    expect((await runsOf("repository_dispatch")).map((run) => [run.ref, run.sha, run.deliveryId])).toEqual([["refs/heads/main", head, id]]);
    const other = await deliver("repository_dispatch", { ...dispatched, action: "deploy" });
    expect(other.result).toMatchObject({ outcome: "IGNORED" });
  });
});

describe("workflow_run in a GitHub repository", () => {
  it("a Gantry run's completion runs the default branch's `on: workflow_run` workflows at main's head, once", async () => {
    const [issuesRun] = await runsOf("issues");
    if (!issuesRun) throw new Error("the issues test made no run");
    const finished = await scoped().workflowRun.update({ where: { id: issuesRun.id }, data: { status: "SUCCEEDED", startedAt: new Date(), finishedAt: new Date() } });
    const record = () =>
      intake.recordDelivery(bed.db.sql("test"), {
        deliveryId: workflowRunDeliveryId(finished.id, "completed"),
        source: "gantry",
        event: "workflow_run",
        action: "completed",
        tenantId: bed.tenantId,
        repositoryId: finished.repositoryId,
        payload: workflowRunPayload(finished, { fullName: FULL_NAME, defaultBranch: "main" }, "completed"),
      });
    const { id, duplicate } = await record();
    expect(duplicate).toBe(false);
    expect(await processDelivery(deps, id)).toMatchObject({ outcome: "PROCESSED", runs: [{ created: true, workflowPath: ".gantry/workflows/after-issues.yml" }] });
    expect((await runsOf("workflow_run")).map((run) => [run.workflowName, run.ref, run.sha])).toEqual([["AfterIssues", "refs/heads/main", head]]);
    expect(await record()).toMatchObject({ duplicate: true });
  });
});
