// Artifacts and caches end to end: a real workflow (compiled from YAML) of three jobs — needs, a matrix, job
// outputs — runs through the real runner agent against the real runner routes, worker, Postgres, Redis and object
// store directory, on each sandbox provider this machine has: bwrap, gvisor (runsc), and microvm (QEMU; TCG here, so slow: a VM
// boots per step). The first job restores a cache (a miss on the first run, a hit on the second), builds, and
// uploads an artifact that both cells of the matrix job download.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "@gantry/db";
import { compileWorkflow } from "@gantry/workflow-schema";
import { readAttemptLog } from "../../apps/web/src/server/logs/read-attempt-log";
import { DirectoryObjectStore } from "@gantry/storage";
import { GET as objectGet, PUT as objectPut } from "../../apps/web/src/app/api/runner/v1/objects/route";
import { BwrapProvider } from "../../apps/runner/src/sandbox/bwrap-provider";
import { GvisorProvider } from "../../apps/runner/src/sandbox/gvisor-provider";
import { MicrovmProvider } from "../../apps/runner/src/sandbox/microvm-provider";
import { startAgent, type AgentHandle } from "../../apps/runner/src/index";
import { parseRunnerEnv } from "../../apps/runner/src/env";
import { demo, startControlPlane, until, type ControlPlane } from "./control-plane";

const WORKFLOW = `
name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      digest: \${{ steps.up.outputs.artifact-digest }}
      hit: \${{ steps.cache.outputs.cache-hit }}
    steps:
      - run: echo "lock-v1" > deps.lock
      - id: cache
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-\${{ hashFiles('deps.lock') }}
          restore-keys: deps-
      - name: Install
        if: steps.cache.outputs.cache-hit != 'true'
        run: mkdir -p deps && echo "installed by run $GITHUB_RUN_NUMBER" > deps/installed.txt
      - run: mkdir -p dist/bin && cp deps/installed.txt dist/bin/ && echo "app of \${{ github.sha }}" > dist/app.txt
      - id: up
        uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist/
          retention-days: 5
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        shard: [1, 2]
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: got
      - run: |
          test "$(cat got/app.txt)" = "app of \${{ github.sha }}"
          echo "shard \${{ matrix.shard }} has $(cat got/bin/installed.txt), digest \${{ needs.build.outputs.digest }}"
  report:
    needs: [build, test]
    runs-on: ubuntu-latest
    steps:
      - run: echo "cache hit in build \${{ needs.build.outputs.hit }}"
`;

interface Provider {
  name: string;
  kind: "BWRAP" | "GVISOR" | "MICROVM";
  probe: { available: boolean; detail: string };
  /** How long one run may take: a microvm under TCG boots a VM per step. */
  runMs: number;
}

const providers: Provider[] = [
  { name: "bwrap", kind: "BWRAP", probe: await new BwrapProvider().probe(), runMs: 120_000 },
  { name: "gvisor", kind: "GVISOR", probe: await new GvisorProvider().probe(), runMs: 120_000 },
  { name: "microvm", kind: "MICROVM", probe: await new MicrovmProvider().probe(), runMs: 15 * 60_000 },
];
for (const provider of providers)
  if (!provider.probe.available)
    console.warn(`artifacts-caches on ${provider.name}: skipping: ${provider.probe.detail}`);

/** A control plane whose demo pool runs on the provider, and a runner agent serving it (both per suite). */
function platformOn(provider: Provider) {
  const state: { cp?: ControlPlane; agent?: AgentHandle; lines: string[] } = { lines: [] };
  const cp = () => {
    if (!state.cp) throw new Error("the control plane is not started");
    return state.cp;
  };
  beforeAll(async () => {
    let puts = 0;
    state.cp = await startControlPlane({
      env: { GANTRY_LEASE_MS: "10000", GANTRY_HEARTBEAT_MS: "500" },
      // The first upload meets a 503 before reaching the route: the runner must PUT again.
      routes: {
        "/api/runner/v1/objects": (request) =>
          request.method === "PUT" && puts++ === 0
            ? Promise.resolve(Response.json({ error: "try again", code: "unavailable" }, { status: 503 }))
            : request.method === "PUT"
              ? objectPut(request)
              : objectGet(request),
      },
    });
    await state.cp.db
      .system("test")
      .runnerPool.update({ where: { id: DEMO.poolId }, data: { provider: provider.kind } });
    state.agent = startAgent(
      parseRunnerEnv({
        GANTRY_URL: state.cp.url,
        GANTRY_RUNNER_TOKEN: state.cp.registrationToken,
        GANTRY_RUNNER_NAME: `objects-${provider.name}`,
        GANTRY_RUNNER_CAPACITY: "2",
      }),
      { log: (line) => state.lines.push(line) },
    );
  });
  afterAll(async () => {
    state.agent?.stop();
    await state.agent?.done.catch(() => undefined);
    await state.cp?.close();
  });

  async function runWorkflow(source = WORKFLOW): Promise<string> {
    const { plan, errors } = compileWorkflow(source, ".gantry/workflows/ci.yml");
    if (!plan) throw new Error(JSON.stringify(errors));
    const runId = await cp().startRun(plan);
    const terminal = ["SUCCEEDED", "FAILED", "CANCELED"];
    await until(
      `the run to conclude\n${state.lines.join("\n")}`,
      async () =>
        terminal.includes(
          (
            await cp()
              .db.system("test")
              .workflowRun.findUniqueOrThrow({ where: { id: runId } })
          ).status,
        )
          ? true
          : undefined,
      provider.runMs,
    );
    return runId;
  }

  /** The log of the attempt that concluded the job (the job's current one, not whichever the database lists first). */
  async function jobLog(runId: string, key: string): Promise<string> {
    const job = await cp()
      .db.system("test")
      .jobRun.findFirstOrThrow({ where: { runId, key }, include: { attempts: true } });
    const attempt = job.attempts.find((candidate) => candidate.number === job.attempt);
    if (!attempt) throw new Error(`job ${key} has no attempt ${job.attempt}`);
    const log = await readAttemptLog(cp().db.forTenant(demo), new DirectoryObjectStore(cp().storage), attempt.id);
    return log.chunks.map((chunk) => chunk.text).join("");
  }

  return { cp, lines: state.lines, runWorkflow, jobLog };
}

for (const provider of providers) {
  describe.skipIf(!provider.probe.available)(
    `artifacts and caches through the runner on ${provider.name}${provider.kind === "MICROVM" ? " (slow)" : ""}`,
    () => {
      const { cp, lines, runWorkflow, jobLog } = platformOn(provider);

      it("a cache misses on the first run and hits on the second; an artifact uploaded by one job reaches every cell of a later matrix job", async () => {
        const first = await runWorkflow();
        // The pool's provider ran the jobs, not some other one the runner also has.
        expect(lines).toContainEqual(
          expect.stringMatching(new RegExp(`^runner: jobs run in ${provider.name} sandboxes`)),
        );
        const jobs = async (runId: string) =>
          cp()
            .db.system("test")
            .jobRun.findMany({ where: { runId }, orderBy: { key: "asc" } });
        const firstJobs = await jobs(first);
        expect(
          firstJobs.map((job) => [job.key, job.status]),
          `${await jobLog(first, "build")}\n${lines.join("\n")}`,
        ).toEqual([
          ["build", "SUCCEEDED"],
          ["report", "SUCCEEDED"],
          ["test (1)", "SUCCEEDED"],
          ["test (2)", "SUCCEEDED"],
        ]);
        // Each job in one attempt: a lost lease (a runner that stopped heartbeating, e.g. while it built the
        // microvm guest image) would run a job twice and leave its first attempt's log empty.
        expect(
          firstJobs.map((job) => [job.key, job.attempt]),
          lines.join("\n"),
        ).toEqual([
          ["build", 1],
          ["report", 1],
          ["test (1)", 1],
          ["test (2)", 1],
        ]);
        const artifact = await cp()
          .db.forTenant(demo)
          .artifact.findFirstOrThrow({ where: { runId: first } });
        expect(firstJobs.find((job) => job.key === "build")?.outputs).toEqual({
          digest: artifact.sha256,
          hit: "false",
        });
        expect(artifact.name).toBe("dist");
        expect((artifact.expiresAt.getTime() - Date.now()) / 86_400_000).toBeCloseTo(5, 1);
        const buildLog = await jobLog(first, "build");
        expect(buildLog).toContain("Cache not found for input keys: deps-");
        expect(buildLog).toMatch(/Cache saved with key: deps-[0-9a-f]{64}/);
        expect(await jobLog(first, "test (2)")).toContain(
          `shard 2 has installed by run 1, digest ${artifact.sha256}`,
        );
        expect(await jobLog(first, "report")).toContain("cache hit in build false");
        const entries = await cp().db.forTenant(demo).cacheEntry.findMany();
        expect(entries.map((entry) => [entry.scope, entry.key.slice(0, 5)])).toEqual([
          ["refs/heads/main", "deps-"],
        ]);

        expect(lines).toContainEqual(
          expect.stringMatching(/^runner: object upload: try again; retrying in \d+ ms$/),
        );

        const second = await runWorkflow();
        const secondJobs = await jobs(second);
        expect(secondJobs.map((job) => [job.status, job.attempt])).toEqual([
          ["SUCCEEDED", 1],
          ["SUCCEEDED", 1],
          ["SUCCEEDED", 1],
          ["SUCCEEDED", 1],
        ]);
        expect(secondJobs.find((job) => job.key === "build")?.outputs).toMatchObject({ hit: "true" });
        const secondBuild = await jobLog(second, "build");
        expect(secondBuild).toMatch(/Cache restored from key: deps-[0-9a-f]{64}/);
        expect(secondBuild).toContain("not saving cache");
        // The restored deps came from run 1: the Install step was skipped.
        expect(await jobLog(second, "test (1)")).toContain("shard 1 has installed by run 1");
        const build = await cp()
          .db.system("test")
          .jobRun.findFirstOrThrow({
            where: { runId: second, key: "build" },
            include: { attempts: { include: { steps: { orderBy: { index: "asc" } } } } },
          });
        expect(build.attempts[0]?.steps.map((s) => [s.name, s.status])).toContainEqual([
          "Install",
          "SKIPPED",
        ]);
        expect(await cp().db.forTenant(demo).cacheEntry.count()).toBe(1);
      });

      // The links are the host side's to refuse (the same code for every provider): once, on bwrap, is enough.
      if (provider.kind === "BWRAP")
        it("never extracts through a link the job planted, nor archives a path outside the workspace", async () => {
          const host = mkdtempSync(path.join(os.tmpdir(), "gantry-host-target-"));
          try {
            const runId = await runWorkflow(`
name: Escape
on: push
jobs:
  escape:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p out && echo hello > out/a.txt
      - uses: actions/upload-artifact@v4
        with:
          name: escape
          path: out
      - run: ln -s ${host} link
      - id: down
        continue-on-error: true
        uses: actions/download-artifact@v4
        with:
          name: escape
          path: link
      - id: outside
        continue-on-error: true
        uses: actions/cache@v4
        with:
          path: /etc
          key: k
      - run: echo "outcomes \${{ steps.down.outcome }} \${{ steps.outside.outcome }}"
`);
            const log = await jobLog(runId, "escape");
            expect(log).toContain("outcomes failure failure");
            expect(log).toContain('download-artifact: "link" is a symbolic link; the runner does not follow links a job made');
            expect(log).toContain('cache: "/etc" is outside the workspace');
            expect(readdirSync(host)).toEqual([]);
          } finally {
            rmSync(host, { recursive: true, force: true });
          }
        });
    },
  );
}
