// A run whose one `deploy` job is QUEUED, as intake leaves it: what the environment gate and the approvals tests
// put behind a review.
import { randomBytes } from "node:crypto";
import { intake, type TenantContext } from "@gantry/db";
import { DEMO, type WebTestContext } from "./support";

const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };

export async function queuedDeployRun(t: Pick<WebTestContext, "database">, options: { repositoryId?: string; ref?: string; runsOn?: string[] } = {}): Promise<{ runId: string; jobId: string }> {
  const created = await intake.createRun(t.database.system("test"), demo, {
    repositoryId: options.repositoryId ?? DEMO.repositoryId,
    idempotencyKey: randomBytes(8).toString("hex"),
    workflowPath: ".gantry/workflows/deploy.yml",
    workflowName: "Deploy",
    event: "push",
    ref: options.ref ?? "refs/heads/main",
    sha: "d".repeat(40),
    trusted: true,
    plan: { jobs: [{ key: "deploy", jobId: "deploy", name: "deploy", needs: [], runsOn: options.runsOn ?? ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } }] },
  });
  return { runId: created.runId, jobId: created.rootJobIds[0] ?? "" };
}
