// Pull requests run as on GitHub: `pull_request` on the test merge commit (refs/pull/<n>/merge, the payload's
// merge_commit_sha, workflows read there), the head commit with a run warning when there is none (null, or
// `mergeable: false`), `pull_request_target` on the base; keyed per head commit; check runs on the head commit.
// The reconciler the same way, asking GET /pulls/<n> for the merge commit. Against the fake GitHub.
import { randomBytes, randomUUID } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake } from "@gantry/db";
import { publishedExamples } from "@gantry/github/testing";
import { reconcileGithubRepositories } from "../../src/intake/github/reconcile";
import type { GithubIntakeDeps } from "../../src/intake/github/types";
import { processDelivery } from "../../src/intake/process-delivery";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const INSTALLATION = 51_001;
const REPO_ID = 751_001;
const FULL_NAME = "merge/app";
const workflow = (name: string, on = "pull_request") => `name: ${name}\non: ${on}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${name}\n`;

let bed: GithubTestbed;
let deps: GithubIntakeDeps;
const sha = () => randomBytes(20).toString("hex");

beforeAll(async () => {
  bed = await githubTestbed({ installation: INSTALLATION, id: REPO_ID, fullName: FULL_NAME });
  deps = { db: bed.db, startRun: startRunsNow(bed.db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github: bed.github };
});
afterAll(async () => {
  await bed?.close();
});

interface Pull {
  number: number;
  head: string;
  base: string;
  merge?: string | null;
  mergeable?: boolean | null;
  action?: string;
}

function pullRequestPayload(pull: Pull) {
  const example = publishedExamples("pull_request").find((payload) => payload.action === "opened");
  if (!example) throw new Error("no published pull_request example");
  const pr = example.pull_request as Record<string, Record<string, unknown>>;
  const repo = { ...(pr.base?.repo as object), id: REPO_ID, full_name: FULL_NAME };
  return {
    ...example,
    action: pull.action ?? "opened",
    number: pull.number,
    pull_request: {
      ...pr,
      number: pull.number,
      head: { ...pr.head, sha: pull.head, ref: "feature", repo },
      base: { ...pr.base, sha: pull.base, ref: "main", repo },
      merge_commit_sha: pull.merge ?? null,
      mergeable: pull.mergeable ?? null,
    },
    repository: { ...(example.repository as object), id: REPO_ID, name: "app", full_name: FULL_NAME },
    installation: { id: INSTALLATION },
  };
}

async function deliver(pull: Pull) {
  const { id } = await intake.recordDelivery(bed.db.sql("test"), { deliveryId: randomUUID(), source: "github", event: "pull_request", payload: JSON.parse(JSON.stringify(pullRequestPayload(pull))) });
  return processDelivery(deps, id);
}

const runsOf = (number: number) =>
  bed.db.system("test").workflowRun.findMany({ where: { OR: [{ ref: { startsWith: `refs/pull/${number}/` } }, { idempotencyKey: { contains: `refs/pull/${number}` } }] }, orderBy: { runNumber: "asc" } });

/** A head commit, a base commit and GitHub's merge of them, each with its own workflow name so the test sees which was read. */
function commits() {
  const head = sha();
  const base = sha();
  const merge = sha();
  bed.fake.addCommit(FULL_NAME, INSTALLATION, head, { ".gantry/workflows/ci.yml": workflow("CI at head"), ".gantry/workflows/target.yml": workflow("Target at head", "pull_request_target") });
  bed.fake.addCommit(FULL_NAME, INSTALLATION, base, { ".gantry/workflows/ci.yml": workflow("CI at base"), ".gantry/workflows/target.yml": workflow("Target at base", "pull_request_target") });
  bed.fake.addCommit(FULL_NAME, INSTALLATION, merge, { ".gantry/workflows/ci.yml": workflow("CI at merge"), ".gantry/workflows/target.yml": workflow("Target at merge", "pull_request_target") });
  return { head, base, merge };
}

describe("pull requests on GitHub's merge commit", () => {
  it("pull_request runs refs/pull/N/merge at merge_commit_sha, read there; pull_request_target the base; checks go on the head", async () => {
    const { head, base, merge } = commits();
    const result = await deliver({ number: 7, head, base, merge });
    expect(result?.outcome).toBe("PROCESSED");
    const runs = await runsOf(7);
    expect(runs.map((run) => [run.event, run.workflowName, run.ref, run.sha, run.headSha]).sort()).toEqual([
      ["pull_request", "CI at merge", "refs/pull/7/merge", merge, head],
      ["pull_request_target", "Target at base", "refs/heads/main", base, null],
    ]);
    const prRun = runs.find((run) => run.event === "pull_request");
    // Keyed per head commit, as before merge commits were run.
    expect(prRun?.idempotencyKey).toBe(`pull_request:${prRun?.repositoryId}:refs/pull/7/head:${head}:.gantry/workflows/ci.yml`);
    expect(prRun?.warnings).toBeNull();
    // The workflows of the pull_request run were listed and read at the merge commit, never at the head.
    const reads = bed.fake.callsTo(/^GET \/repos\/merge\/app\/contents\//).map((call) => call.query.ref);
    expect(reads).toContain(merge);
    expect(reads).not.toContain(head);
    // GitHub shows a pull request's checks on its head commit.
    const checks = [...bed.fake.checkRuns.values()].filter((check) => check.name === "CI at merge / build");
    expect(checks.map((check) => check.head_sha)).toEqual([head]);
  });

  it("a synchronize redelivered with a new merge commit for the same head makes no second run", async () => {
    const { head, base, merge } = commits();
    await deliver({ number: 8, head, base, merge });
    const moved = sha();
    bed.fake.addCommit(FULL_NAME, INSTALLATION, moved, { ".gantry/workflows/ci.yml": workflow("CI at a later merge") });
    const again = await deliver({ number: 8, head, base, merge: moved, action: "synchronize" });
    expect(again?.runs.filter((run) => run.workflowPath === ".gantry/workflows/ci.yml")).toEqual([expect.objectContaining({ created: false })]);
    expect((await runsOf(8)).filter((run) => run.event === "pull_request").map((run) => run.sha)).toEqual([merge]);
  });

  it("without a merge commit (none yet, or conflicting) the head commit runs as refs/pull/N/head, with a warning saying so", async () => {
    for (const [number, pull] of [
      [9, { merge: null }],
      [10, { merge: sha(), mergeable: false }],
    ] as const) {
      const { head, base } = commits();
      await deliver({ number, head, base, ...pull });
      const [run] = (await runsOf(number)).filter((candidate) => candidate.event === "pull_request");
      expect(run).toMatchObject({ workflowName: "CI at head", ref: `refs/pull/${number}/head`, sha: head, headSha: null });
      const warnings = intake.readDiagnostics(run?.warnings ?? null);
      expect(warnings).toEqual([expect.objectContaining({ file: ".gantry/workflows/ci.yml", code: "run-note", severity: "warning" })]);
      expect(warnings[0]?.message).toContain(`refs/pull/${number}/head`);
      expect(warnings[0]?.message).toMatch(number === 10 ? /conflicts with its base/ : /no merge commit/);
    }
  });

  it("the reconciler runs a pull request it missed on its merge commit too, asking GitHub for it", async () => {
    const { head, base, merge } = commits();
    bed.fake.setBranch(FULL_NAME, INSTALLATION, "main", base);
    bed.fake.setPullRequest(FULL_NAME, INSTALLATION, { number: 11, headSha: head, headRef: "feature", baseRef: "main", headRepo: { id: REPO_ID, full_name: FULL_NAME, fork: false }, updatedAt: new Date(), mergeCommitSha: merge, mergeable: true });
    const conflicted = commits();
    bed.fake.setPullRequest(FULL_NAME, INSTALLATION, { number: 12, headSha: conflicted.head, headRef: "other", baseRef: "main", headRepo: { id: REPO_ID, full_name: FULL_NAME, fork: false }, updatedAt: new Date(), mergeCommitSha: conflicted.merge, mergeable: false });
    await reconcileGithubRepositories(deps, bed.github, new Date(Date.now() - 60_000));
    expect((await runsOf(11)).map((run) => [run.event, run.ref, run.sha, run.headSha])).toEqual([["pull_request", "refs/pull/11/merge", merge, head]]);
    expect((await runsOf(12)).map((run) => [run.ref, run.sha])).toEqual([["refs/pull/12/head", conflicted.head]]);
    expect(bed.fake.callsTo(/^GET \/repos\/merge\/app\/pulls\/1[12]$/).map((call) => call.status)).toEqual([200, 200]);
    // The webhook for the same head arriving late makes no second run.
    const late = await deliver({ number: 11, head, base, merge });
    expect(late?.runs.filter((run) => run.workflowPath === ".gantry/workflows/ci.yml")).toEqual([expect.objectContaining({ created: false })]);
  });
});
