import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { until } from "@gantry/testing";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase, type TestDatabase } from "@gantry/db/testing";
import { TEST_REDIS_URL as REDIS_URL } from "@gantry/testing";

const root = path.resolve(import.meta.dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function up(env: Record<string, string>) {
  const child = spawn(process.execPath, ["scripts/up.mjs"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

interface Health {
  status: string;
  postgres: { ok: boolean };
  redis: { ok: boolean };
  workers: { id: string }[];
  runners: { name: string; online: boolean }[];
}

describe("the up-command", () => {
  let database: TestDatabase;
  let stateDir: string;
  let running: ChildProcess | undefined;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    stateDir = mkdtempSync(path.join(os.tmpdir(), "gantry-up-"));
  });
  afterAll(async () => {
    running?.kill("SIGKILL");
    await database.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("stops with one clear line when DATABASE_URL does not answer", async () => {
    const run = up({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/gantry", REDIS_URL, GANTRY_STATE_DIR: stateDir });
    expect(await run.exited).toBe(1);
    const errors = run.output().split("\n").filter((line) => line.includes("DATABASE_URL"));
    expect(errors).toEqual([
      "[gantry] DATABASE_URL does not answer: nothing listens on 127.0.0.1:1. Start Postgres there, or unset DATABASE_URL to let Gantry start its own.",
    ]);
  });

  it("stops with one clear line when REDIS_URL does not answer", async () => {
    const run = up({ DATABASE_URL: database.url, REDIS_URL: "redis://127.0.0.1:1", GANTRY_STATE_DIR: stateDir });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("[gantry] REDIS_URL does not answer: nothing listens on 127.0.0.1:1. Start Redis there, or unset REDIS_URL");
  });

  it("brings web, worker and runner up, reports them healthy, and Ctrl-C stops exactly what it started", async () => {
    const port = await freePort();
    const runnerName = `e2e-${port}`;
    const run = up({ DATABASE_URL: database.url, REDIS_URL, GANTRY_STATE_DIR: stateDir, PORT: String(port), GANTRY_RUNNER_NAME: runnerName });
    running = run.child;
    const url = await until("the ready line", () => /\[gantry\] ready (\S+)/.exec(run.output())?.[1], { timeoutMs: 540_000, context: run.output });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(run.output()).toContain("demo@gantry.local / gantry-demo");

    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as Health;
    expect(health.postgres.ok).toBe(true);
    expect(health.redis.ok).toBe(true);
    expect(health.workers.length).toBeGreaterThan(0);
    expect(health.runners).toContainEqual(expect.objectContaining({ name: runnerName, online: true }));
    const page = await (await fetch(`${url}/health`)).text();
    expect(page).toMatch(/Postgres/);
    expect(page).toMatch(/Redis/);

    // A push to the demo repository reaches the control plane through its post-receive hook and becomes a run.
    const clone = path.join(stateDir, "clone");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=E2E", "-c", "user.email=e2e@example.com", ...args], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    execFileSync("git", ["clone", "--quiet", path.join(stateDir, "repos/demo/hello.git"), clone]);
    writeFileSync(path.join(clone, "CHANGELOG.md"), "- first change\n");
    git("add", "CHANGELOG.md");
    git("commit", "--quiet", "-m", "First change");
    const pushed = execFileSync("git", ["push", "origin", "main"], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const sha = git("rev-parse", "HEAD");
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const created = await until(
        "the pushed commit's run",
        async () => (await db.query<{ workflowName: string; status: string }>(`SELECT "workflowName", status FROM "WorkflowRun" WHERE sha = $1`, [sha])).rows[0],
        { timeoutMs: 60_000, context: () => `${pushed}\n${run.output()}` },
      );
      expect(created.workflowName).toBe("CI");
      // The runner claims each job as its needs finish, runs it (checkout, echo, a matrix), and the run succeeds.
      const finished = await until(
        "the run to finish",
        async () => {
          const row = (await db.query<{ status: string }>(`SELECT status FROM "WorkflowRun" WHERE sha = $1`, [sha])).rows[0];
          return row && ["SUCCEEDED", "FAILED", "CANCELED"].includes(row.status) ? row.status : undefined;
        },
        { timeoutMs: 120_000, context: run.output },
      );
      expect(finished).toBe("SUCCEEDED");
      const jobs = await db.query<{ key: string; status: string }>(
        `SELECT j.key, j.status FROM "JobRun" j JOIN "WorkflowRun" r ON r.id = j."runId" WHERE r.sha = $1 ORDER BY j.key`,
        [sha],
      );
      expect(jobs.rows).toEqual([
        { key: "build", status: "SUCCEEDED" },
        { key: "test (20)", status: "SUCCEEDED" },
        { key: "test (22)", status: "SUCCEEDED" },
      ]);
      // The job's output reached the control plane: its log chunks, in order, in the state dir's object store.
      const chunks = await db.query<{ objectKey: string }>(
        `SELECT c."objectKey" FROM "LogChunk" c JOIN "JobAttempt" a ON a.id = c."attemptId" JOIN "JobRun" j ON j.id = a."jobRunId"
         JOIN "WorkflowRun" r ON r.id = j."runId" WHERE r.sha = $1 AND j.key = 'build' ORDER BY c.seq`,
        [sha],
      );
      const log = chunks.rows.map((row) => gunzipSync(readFileSync(path.join(stateDir, "storage", row.objectKey))).toString()).join("");
      expect(log).toContain("Hello from Gantry on Linux");
      expect(run.output()).toMatch(/runner: jobs run in (bwrap|process) sandboxes: the pool is configured with/);
    } finally {
      await db.end();
    }

    const workerIds = health.workers.map((worker) => worker.id);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(await accepts(port)).toBe(false);
    const redis = new Redis(REDIS_URL);
    try {
      for (const id of workerIds) expect(await redis.exists(`gantry:{system}:worker:${id}`)).toBe(0);
      // It did not stop what it did not start: the Redis and Postgres it was given still answer.
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.disconnect();
    }
    running = undefined;
  });
});
