// A manual run of a GitHub-connected repository: the worker reads the workflow at the recorded commit through the
// App (fake GitHub), makes the run with its typed inputs, and with no App configured leaves the delivery ignored.
import { randomBytes } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { intake, runId } from "@gantry/db";
import { dispatchRunKey, type WorkflowDispatchPayload } from "@gantry/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processDelivery } from "../../src/intake/process-delivery";
import { githubTestbed, type GithubTestbed } from "./github-testbed";

const REPO = { installation: 7101, id: 88101, fullName: "octo-org/deployer" };
const MANUAL = `name: Manual
on:
  workflow_dispatch:
    inputs:
      target: { type: string, required: true }
jobs:
  deploy:
    if: inputs.target == 'prod'
    runs-on: ubuntu-latest
    steps: [{ run: echo deploy }]
`;
let bed: GithubTestbed;
let repositoryId = "";
const sha = "1".repeat(40);

beforeAll(async () => {
  bed = await githubTestbed(REPO);
  bed.fake.addCommit(REPO.fullName, REPO.installation, sha, { ".gantry/workflows/manual.yml": MANUAL });
  bed.fake.setBranch(REPO.fullName, REPO.installation, "main", sha);
  repositoryId = (await bed.db.system("test").repository.findFirstOrThrow({ where: { fullName: REPO.fullName } })).id;
});
afterAll(async () => {
  await bed?.close();
});

async function store(payload: WorkflowDispatchPayload) {
  const { id } = await intake.recordDelivery(bed.db.sql("test"), {
    deliveryId: dispatchRunKey(repositoryId, payload.idempotencyKey),
    source: "api",
    event: "workflow_dispatch",
    tenantId: bed.tenantId,
    repositoryId,
    payload,
  });
  return id;
}

const payload = (): WorkflowDispatchPayload => ({ idempotencyKey: randomBytes(8).toString("hex"), workflowPath: ".gantry/workflows/manual.yml", ref: "refs/heads/main", sha, inputs: { target: "prod" }, actor: "demo@gantry.local" });
const deps = (github: GithubTestbed["github"] | null) => ({ db: bed.db, startRun: startRunsNow(bed.db), gitCacheDir: path.join(os.tmpdir(), "gantry-git-cache-test"), github });

describe("workflow_dispatch intake for a GitHub repository", () => {
  it("reads the workflow at the recorded commit through the App and makes the run with its inputs", async () => {
    const dispatch = payload();
    const result = await processDelivery(deps(bed.github), await store(dispatch));
    const id = runId(bed.tenantId, dispatchRunKey(repositoryId, dispatch.idempotencyKey));
    expect(result?.runs).toEqual([{ runId: id, created: true, workflowPath: dispatch.workflowPath, valid: true }]);
    const run = await bed.db.system("test").workflowRun.findUniqueOrThrow({ where: { id }, include: { jobs: true } });
    expect(run).toMatchObject({ event: "workflow_dispatch", sha, inputs: { target: "prod" }, trusted: true });
    expect(run.jobs.map((job) => job.status)).toEqual(["WAITING"]);
    expect(bed.fake.callsTo(/\/contents\/\.gantry\/workflows\/manual\.yml$/).map((call) => call.query.ref)).toContain(sha);
  });

  it("is ignored, with the reason, when no GitHub App is configured", async () => {
    const result = await processDelivery(deps(null), await store(payload()));
    expect(result).toMatchObject({ outcome: "IGNORED", reason: "no GitHub App is configured", runs: [] });
  });
});
