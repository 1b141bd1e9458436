// A fork's pull request run in the demo repository as intake makes it under the tenant's APPROVE_FIRST_TIME policy:
// held (WAITING) with its reason, two jobs (build, test needing build). `approvalRequired: null` makes the same run
// not held. Shared by the procedure tests and the browser test.
import { randomBytes } from "node:crypto";
import { DEMO, intake, type Database } from "@gantry/db";

export const FORK_RUN_REASON =
  "pull request #12 comes from the fork mallory/hello and @mallory is a first-time contributor (GitHub: FIRST_TIME_CONTRIBUTOR); the tenant requires a maintainer's approval before it runs";

export async function forkRun(database: Database, approvalRequired: string | null = FORK_RUN_REASON): Promise<string> {
  const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
  const created = await intake.createRun(database.system("test: intake"), { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } }, {
    repositoryId: DEMO.repositoryId,
    idempotencyKey: `fork-${randomBytes(8).toString("hex")}`,
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "pull_request",
    ref: "refs/pull/12/merge",
    sha: randomBytes(20).toString("hex"),
    trusted: false,
    plan: { jobs: [job("build"), job("test", ["build"])] },
    ...(approvalRequired ? { approvalRequired } : {}),
  });
  return created.runId;
}
