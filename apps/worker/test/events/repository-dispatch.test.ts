// repository_dispatch from Gantry's API in a plain-git repository: the delivery the web records (source "gantry",
// GitHub's payload shape) runs the default branch's workflows whose types take the event_type, at its head; the
// same idempotency key is one delivery, so one run.
import { randomBytes } from "node:crypto";
import { startRunsNow } from "../support/start-runs-now";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intake, openDatabase, type Database } from "@gantry/db";
import { createTestDatabase, type TestDatabase } from "@gantry/db/testing";
import { repositoryDispatchDeliveryId } from "@gantry/jobs";
import { processDelivery } from "../../src/intake/process-delivery";
import type { IntakeDeps } from "../../src/intake/process-git-push";
import { GitFixture } from "../git-fixture";
import { seedGitRepository } from "../git-repository-seed";

const seeded = { tenantId: "ten_rdisp", repositoryId: "repo_rdisp", fullName: "disp/hello" };
const job = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.client_payload.target }}\n";

let testDb: TestDatabase;
let db: Database;
let repo: GitFixture;
let deps: IntakeDeps;

/** What runs.repositoryDispatch records (apps/web repository-dispatch.handler.ts). */
async function dispatch(eventType: string, key: string, clientPayload: Record<string, string> = {}) {
  const { id, duplicate } = await intake.recordDelivery(db.sql("test"), {
    deliveryId: repositoryDispatchDeliveryId(seeded.repositoryId, key),
    source: "gantry",
    event: "repository_dispatch",
    action: eventType,
    tenantId: seeded.tenantId,
    repositoryId: seeded.repositoryId,
    payload: { action: eventType, branch: "main", client_payload: clientPayload, repository: { full_name: seeded.fullName }, sender: { login: "dev@gantry.local" } },
  });
  return { id, duplicate, result: await processDelivery(deps, id) };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.url);
  repo = new GitFixture();
  deps = { db, startRun: startRunsNow(db), gitCacheDir: path.join(os.tmpdir(), `gantry-git-cache-${randomBytes(4).toString("hex")}`) };
  await seedGitRepository(db, seeded, repo.bare);
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  repo?.remove();
});

describe("repository_dispatch from the API, plain git", () => {
  it("runs matching workflows at the default branch's head, once per idempotency key", async () => {
    repo.commit({
      ".gantry/workflows/deploy.yml": `name: Deploy\non:\n  repository_dispatch:\n    types: [deploy]\n${job}`,
      ".gantry/workflows/any.yml": `name: Any\non: repository_dispatch\n${job}`,
      ".gantry/workflows/ci.yml": `name: CI\non: push\n${job}`,
    });
    // The default branch moves on before the dispatch: the run takes the head at intake.
    const head = repo.commit({ "README.md": "later" }).after;

    const first = await dispatch("deploy", "key-00000001", { target: "prod" });
    expect(first.result).toMatchObject({ outcome: "PROCESSED" });
    const runs = await db.forTenant({ tenantId: seeded.tenantId, actor: { kind: "SYSTEM" } }).workflowRun.findMany({ where: { event: "repository_dispatch" }, orderBy: { workflowName: "asc" } });
    expect(runs.map((run) => [run.workflowName, run.ref, run.sha, run.triggeredBy, run.deliveryId])).toEqual([
      ["Any", "refs/heads/main", head, "dev@gantry.local", first.id],
      ["Deploy", "refs/heads/main", head, "dev@gantry.local", first.id],
    ]);

    const again = await dispatch("deploy", "key-00000001", { target: "prod" });
    expect(again).toMatchObject({ duplicate: true, result: null });

    const other = await dispatch("test", "key-00000002");
    expect(other.result?.runs.map((run) => run.workflowPath)).toEqual([".gantry/workflows/any.yml"]);
  });

  it("a payload that is not a repository_dispatch fails the delivery with the reason", async () => {
    const { id } = await intake.recordDelivery(db.sql("test"), { deliveryId: "bad-1", source: "gantry", event: "repository_dispatch", tenantId: seeded.tenantId, repositoryId: seeded.repositoryId, payload: { client_payload: {} } });
    expect(await processDelivery(deps, id)).toMatchObject({ outcome: "IGNORED", reason: expect.stringContaining("action") });
    expect(await db.system("test").webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "FAILED" });
  });
});
