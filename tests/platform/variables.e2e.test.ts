// Variables (the `vars` context) end to end: set at tenant, repository and environment scope, resolved by the engine
// (narrowest wins), used by a job's `if:` in the engine and by `${{ vars.X }}` in steps on a real runner agent in
// a bwrap sandbox (the development `process` provider where bwrap is missing: what is tested is the contexts, not the
// isolation), through the real worker and runner routes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, randomId } from "@gantry/db";
import { compileWorkflow } from "@gantry/workflow-schema";
import { DirectoryObjectStore } from "@gantry/storage";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";

const WORKFLOW = `
on: push
jobs:
  plain:
    if: vars.GREETING == 'from the repository'
    runs-on: ubuntu-latest
    steps:
      - run: echo "plain says \${{ vars.GREETING }} and \${{ vars.TENANT_ONLY }}"
  deploy:
    environment: staging
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploy says \${{ vars.GREETING }}"
  never:
    if: vars.GREETING == 'from the environment'
    runs-on: ubuntu-latest
    steps:
      - run: "true"
`;

let cp: ControlPlane;
let agent: AgentHandle | undefined;
const lines: string[] = [];

const bwrap = await new BwrapProvider().probe();

beforeAll(async () => {
  cp = await startControlPlane();
  await cp.db.system("test").runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: bwrap.available ? "BWRAP" : "PROCESS" } });
  const scoped = cp.db.forTenant(demo);
  const environment = await scoped.environment.create({ data: { id: randomId("env"), tenantId: DEMO.tenantId, repositoryId: DEMO.repositoryId, name: "staging" } });
  const variable = (scope: string, name: string, value: string) => scoped.variable.create({ data: { id: randomId("var"), tenantId: DEMO.tenantId, scope, name, value } });
  await variable("tenant", "GREETING", "from the tenant");
  await variable("tenant", "TENANT_ONLY", "tenant-wide");
  // Names compare without case: the repository's `greeting` overrides the tenant's GREETING.
  await variable(`repo:${DEMO.repositoryId}`, "greeting", "from the repository");
  await variable(`env:${environment.id}`, "GREETING", "from the environment");
  agent = startAgent(parseRunnerEnv({ GANTRY_URL: cp.url, GANTRY_RUNNER_TOKEN: cp.registrationToken, GANTRY_RUNNER_NAME: "vars", GANTRY_RUNNER_CAPACITY: "2", GANTRY_RUNNER_DEV_MODE: bwrap.available ? "" : "1" }), { log: (line) => lines.push(line) });
});
afterAll(async () => {
  agent?.stop();
  await agent?.done.catch(() => undefined);
  await cp?.close();
});

async function jobLog(runId: string, key: string): Promise<string> {
  const job = await cp.db.system("test").jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
  const log = await readAttemptLog(cp.db.forTenant(demo), new DirectoryObjectStore(cp.storage), job.attempts[0]?.id ?? "");
  return log.chunks.map((chunk) => chunk.text).join("");
}

describe("variables through the worker and a runner", () => {
  it("a step prints the repository's value, overridden by the environment's for a job in that environment", async () => {
    const { plan, errors } = compileWorkflow(WORKFLOW, ".gantry/workflows/ci.yml");
    if (!plan) throw new Error(JSON.stringify(errors));
    const runId = await cp.startRun(plan);
    const status = await until(
      `the run to conclude\n${lines.join("\n")}`,
      async () => {
        const run = await cp.db.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } });
        return ["SUCCEEDED", "FAILED", "CANCELED"].includes(run.status) ? run.status : undefined;
      },
      90_000,
    );
    expect(status, lines.join("\n")).toBe("SUCCEEDED");
    const jobs = await cp.db.system("test").jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
    // The engine's job-level `if:` sees the repository's value (the environment is not entered yet).
    expect(jobs.map((job) => [job.key, job.status])).toEqual([
      ["deploy", "SUCCEEDED"],
      ["never", "SKIPPED"],
      ["plain", "SUCCEEDED"],
    ]);
    expect(await jobLog(runId, "plain")).toContain("plain says from the repository and tenant-wide");
    expect(await jobLog(runId, "deploy")).toContain("deploy says from the environment");
  }, 120_000);
});
