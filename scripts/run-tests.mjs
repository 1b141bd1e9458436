// Finds or starts Postgres and Redis for the tests, runs Vitest over every project, stops what it started,
// and ends with one plain summary line: "tests: N passed, N failed, N skipped".
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePostgres, ensureRedis, ServiceError } from "./lib/services.mjs";
import { ensureWebBuild } from "./lib/web-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (line) => console.log(`[test] ${line}`);
const started = [];
let code = 1;
try {
  const postgres = await ensurePostgres({
    explicitUrl: process.env.GANTRY_TEST_DATABASE_URL,
    defaultUrl: "postgresql://postgres@127.0.0.1:5432/postgres",
    database: "postgres",
    repoRoot: root,
    log,
  });
  started.push(postgres);
  const redis = await ensureRedis({ explicitUrl: process.env.GANTRY_TEST_REDIS_URL, defaultUrl: "redis://127.0.0.1:6379", port: 6391, log });
  started.push(redis);

  ensureWebBuild({ log, env: { ...process.env, NODE_ENV: "production" } });
  const reportDir = mkdtempSync(path.join(os.tmpdir(), "gantry-test-"));
  const report = path.join(reportDir, "vitest.json");
  const vitest = spawn(
    path.join(root, "node_modules/.bin/vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, GANTRY_TEST_DATABASE_URL: postgres.url, GANTRY_TEST_REDIS_URL: redis.url, NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  code = await new Promise((resolve) => vitest.on("exit", (exitCode) => resolve(exitCode ?? 1)));
  try {
    const results = JSON.parse(readFileSync(report, "utf8"));
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
    if (results.numTotalTests === 0) code = 1;
  } catch {
    console.log("tests: 0 passed, 1 failed (vitest wrote no report)");
    code = code || 1;
  }
  rmSync(reportDir, { recursive: true, force: true });
} catch (error) {
  if (error instanceof ServiceError) console.error(`[test] ${error.message}`);
  else throw error;
} finally {
  for (const service of started.reverse()) await service.stop();
}
process.exit(code);
