/**
 * Benchmark `log-search` (issue #17, "Search logs across runs"): index a corpus of GANTRY_BENCH_LOG_MB MB (default
 * 1024, the issue's 1 GB) of generated CI logs and query it; goal query p99 < 300 ms, and indexing that keeps up with
 * `bench log-latency`'s write rate.
 * A database of its own (a copy of the migrated template): one tenant with 5 repositories whose ended job attempts
 * (~2 MB of log each, four steps, in ~64 KB gzip chunks as the logs route stores them: LogChunk rows and objects in a
 * directory store) print npm, pytest, go and docker style output with a unique token planted in each attempt; a
 * second tenant gets a tenth as much (its lines share the table and the index but never match). Indexing is
 * `indexAttemptLog` (@gantry/db), what the worker's index-attempt-log job runs, two attempts at a time as the
 * worker does: MB/s = log bytes / wall time. Queries are `searchLogs`, what `logs.search` calls, a page of 25:
 * ~50 of rare tokens, common words, phrases, each with and without filters (repository, branch, job, date).
 * The write rate compared with is GANTRY_BENCH_WRITE_MB_PER_S (a `log-latency` run's throughput.mbPerSecond), or
 * that bench's goal of 50 MB/s per runner when unset.
 * Run: npm run bench -- log-search   (GANTRY_BENCH_LOG_MB=20 for a quick check; GANTRY_BENCH_KEEP=1 keeps the database)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync, gzipSync } from "node:zlib";
import { indexAttemptLog, logChunks, openDatabase, parseLogQuery, searchLogs, type LogSearchFilter } from "../packages/db/src/index";
import { createTestDatabase, prng, seedRunHistory } from "../packages/db/src/testing/index";
import { DirectoryObjectStore } from "../packages/storage/src/index";

const MB = 1e6;
const CORPUS_BYTES = Math.round(Number(process.env.GANTRY_BENCH_LOG_MB ?? 1024) * MB);
const WRITE_MB_PER_S = Number(process.env.GANTRY_BENCH_WRITE_MB_PER_S ?? 50);
const ATTEMPT_BYTES = 2 * MB;
const CHUNK_BYTES = 64 * 1024;
const STEPS = 4;
const JOBS = ["build", "test", "lint", "docker"];
const GOAL_P99_MS = 300;

const round = (value: number) => Math.round(value * 100) / 100;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const random = prng(17);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const hex = (length: number) => Array.from({ length }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");
const int = (max: number) => Math.floor(random() * max);

const PACKAGES = ["react", "lodash", "typescript", "express", "zod", "vitest", "eslint", "prisma", "next", "ioredis", "bullmq", "pg"];
const MODULES = ["auth", "billing", "api", "db", "queue", "search", "users", "payments", "cache", "render"];
/** One realistic log line, in one of four tools' styles. */
function logLine(step: number): string {
  const stamp = `2026-12-0${1 + int(7)}T${String(int(24)).padStart(2, "0")}:${String(int(60)).padStart(2, "0")}:${String(int(60)).padStart(2, "0")}.${String(int(1000)).padStart(3, "0")}Z`;
  switch (step) {
    case 0:
      return pick([
        `npm http fetch GET 200 https://registry.npmjs.org/${pick(PACKAGES)}/-/${pick(PACKAGES)}-${int(20)}.${int(10)}.${int(10)}.tgz ${int(900)}ms (cache miss)`,
        `added ${int(1500)} packages, and audited ${int(1600)} packages in ${int(60)}s`,
        `npm warn deprecated ${pick(PACKAGES)}@${int(9)}.${int(9)}.${int(9)}: This version is no longer supported`,
        `${stamp} > tsc -p packages/${pick(MODULES)} --noEmit`,
        `src/${pick(MODULES)}/${pick(MODULES)}.ts(${int(400)},${int(80)}): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.`,
      ]);
    case 1:
      return pick([
        `tests/test_${pick(MODULES)}.py::test_${pick(MODULES)}_${pick(["create", "update", "delete", "list"])}_${int(50)} PASSED [${String(int(100)).padStart(3)}%]`,
        `tests/test_${pick(MODULES)}.py::test_${pick(MODULES)}_timeout FAILED`,
        `E       AssertionError: assert ${int(500)} == ${int(500)}`,
        `FAILED tests/test_${pick(MODULES)}.py::test_${pick(MODULES)} - ConnectionError: Error 111 connecting to localhost:6379. Connection refused.`,
        `==================== ${int(300)} passed, ${int(5)} failed, ${int(9)} skipped in ${int(200)}.${int(99)}s ====================`,
      ]);
    case 2:
      return pick([
        `go: downloading github.com/${pick(PACKAGES)}/${pick(MODULES)} v${int(3)}.${int(20)}.${int(9)}`,
        `=== RUN   Test${pick(MODULES)}${pick(["Handler", "Store", "Client"])}/case_${int(40)}`,
        `--- PASS: Test${pick(MODULES)}${pick(["Handler", "Store"])} (${int(9)}.${int(99)}s)`,
        `ok  \tgithub.com/acme/app/internal/${pick(MODULES)}\t${int(9)}.${int(999)}s\tcoverage: ${int(100)}.${int(9)}% of statements`,
        `    ${pick(MODULES)}_test.go:${int(300)}: expected status 200, got ${pick([404, 500, 503])}`,
      ]);
    default:
      return pick([
        `#${int(20)} [${int(9)}/${int(12)}] RUN npm ci --omit=dev`,
        `#${int(20)} sha256:${hex(64)} ${int(90)}.${int(9)}MB / ${int(90)}.${int(9)}MB ${int(20)}.${int(9)}s done`,
        `Step ${int(12)}/12 : COPY --from=build /app/dist /srv/app`,
        `#${int(20)} exporting layers ${int(9)}.${int(9)}s done`,
        `error: failed to solve: process "/bin/sh -c make build" did not complete successfully: exit code: ${int(3)}`,
      ]);
  }
}

/** One attempt's log, per step: chunks of about CHUNK_BYTES; `token` is planted in one line of a random step. */
function attemptLog(bytes: number, token: string): string[][] {
  const steps: string[][] = [];
  const tokenStep = int(STEPS);
  for (let step = 0; step < STEPS; step++) {
    const chunks: string[] = [];
    let chunk = "";
    let written = 0;
    let planted = step !== tokenStep;
    while (written < bytes / STEPS) {
      let line = logLine(step);
      if (!planted && random() < 0.001) {
        line = `${line} request-id=${token}`;
        planted = true;
      }
      chunk += `${line}\n`;
      written += line.length + 1;
      if (chunk.length >= CHUNK_BYTES) {
        chunks.push(chunk);
        chunk = "";
      }
    }
    if (!planted) chunk += `retrying with request-id=${token}\n`;
    if (chunk !== "") chunks.push(chunk);
    steps.push(chunks);
  }
  return steps;
}

const database = await createTestDatabase();
const db = openDatabase(database.url, { poolSize: 6 });
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-bench-log-search-"));
const store = new DirectoryObjectStore(storage);
try {
  const sys = db.system("bench log-search: tenants");
  const sql = db.sql("bench log-search: seed runs, jobs, attempts and chunks");
  const tenants = [
    { id: "ten_bench", attempts: Math.max(1, Math.round(CORPUS_BYTES / ATTEMPT_BYTES)) },
    { id: "ten_other", attempts: Math.max(1, Math.round(CORPUS_BYTES / ATTEMPT_BYTES / 10)) },
  ];
  const attempts: { tenantId: string; attemptId: string; bytes: number; token: string }[] = [];
  const newest = new Date();
  const seededAt = performance.now();
  for (const tenant of tenants) {
    await sys.tenant.create({ data: { id: tenant.id, slug: tenant.id.slice(4), name: tenant.id } });
    await seedRunHistory(sql, { tenantId: tenant.id, owner: tenant.id.slice(4), repositories: 5, runs: tenant.attempts, newest, spanDays: 30, seed: tenant.id.length });
    const { rows: runs } = await sql.query<{ id: string }>(`SELECT id FROM "WorkflowRun" WHERE "tenantId" = $1 ORDER BY "createdAt", id`, [tenant.id]);
    for (const [index, run] of runs.entries()) {
      const key = JOBS[index % JOBS.length] ?? "build";
      const jobRunId = `${run.id}_${key}`;
      const attemptId = `${jobRunId}_1`;
      await sql.query(`INSERT INTO "JobRun" (id, "tenantId", "runId", key, "jobId", name, status, attempt, needs, "poolLabels") VALUES ($1, $2, $3, $4, $4, $4, 'SUCCEEDED', 1, '{}', '{}')`, [jobRunId, tenant.id, run.id, key]);
      await sql.query(`INSERT INTO "JobAttempt" (id, "tenantId", "jobRunId", number, status, "leaseExpiresAt") VALUES ($1, $2, $3, 1, 'SUCCEEDED', now())`, [attemptId, tenant.id, jobRunId]);
      const token = `tok${hex(10)}`;
      let seq = 0;
      let offset = 0;
      const rows: Parameters<typeof logChunks.insertChunks>[3][number][] = [];
      for (const [stepIndex, chunks] of attemptLog(ATTEMPT_BYTES, token).entries()) {
        for (const text of chunks) {
          const objectKey = `logs/${tenant.id}/${attemptId}/${String(seq).padStart(8, "0")}.log.gz`;
          const bytes = Buffer.from(text);
          // As the logs route stores a chunk: gzip at level 1.
          await store.put(objectKey, gzipSync(bytes, { level: 1 }));
          rows.push({ seq, stepIndex, byteOffset: offset, byteLength: bytes.length, sha256: "0".repeat(64), objectKey });
          offset += bytes.length;
          seq += 1;
        }
      }
      await logChunks.insertChunks(sql, tenant.id, attemptId, rows);
      attempts.push({ tenantId: tenant.id, attemptId, bytes: offset, token });
    }
  }
  const seedMs = performance.now() - seededAt;
  const benchAttempts = attempts.filter((attempt) => attempt.tenantId === "ten_bench");
  const corpusBytes = benchAttempts.reduce((sum, attempt) => sum + attempt.bytes, 0);
  const otherBytes = attempts.reduce((sum, attempt) => sum + attempt.bytes, 0) - corpusBytes;
  console.log(`log-search: seeded ${benchAttempts.length} attempts (${round(corpusBytes / MB)} MB) for one tenant and ${attempts.length - benchAttempts.length} (${round(otherBytes / MB)} MB) for another in ${round(seedMs / 1000)} s`);

  // Indexing: the worker's function, two attempts at a time (the worker's concurrency), wall clock.
  const readText = async (objectKey: string) => gunzipSync(await store.get(objectKey)).toString();
  const queue = [...attempts];
  let lines = 0;
  const indexedAt = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const result = await indexAttemptLog(db, next.tenantId, next.attemptId, readText);
        if (result.outcome !== "indexed") throw new Error(`attempt ${next.attemptId}: ${result.outcome}`);
        lines += result.lines;
      }
    }),
  );
  const indexSeconds = (performance.now() - indexedAt) / 1000;
  const allBytes = corpusBytes + otherBytes;
  const indexMbPerS = round(allBytes / MB / indexSeconds);
  await sql.query(`VACUUM ANALYZE "LogLine"`);
  const { rows: size } = await sql.query<{ table: string; index: string }>(`SELECT pg_size_pretty(pg_table_size('"LogLine"')) AS table, pg_size_pretty(pg_indexes_size('"LogLine"')) AS index`);
  console.log(`  indexing:  ${lines} lines of ${round(allBytes / MB)} MB in ${round(indexSeconds)} s: ${indexMbPerS} MB/s (log-latency's write rate: ${WRITE_MB_PER_S} MB/s per runner; keeps up: ${indexMbPerS >= WRITE_MB_PER_S ? "yes" : "no"}); LogLine ${size[0]?.table} + indexes ${size[0]?.index}`);

  // Queries: ~50, a page of 25 each, as logs.search makes them.
  const { rows: repos } = await sql.query<{ fullName: string }>(`SELECT "fullName" FROM "Repository" WHERE "tenantId" = 'ten_bench' ORDER BY "fullName"`);
  const repository = repos[0]?.fullName ?? "";
  const recent = new Date(newest.getTime() - 7 * 24 * 3600_000);
  const rare = (index: number) => benchAttempts[(index * 7919) % benchAttempts.length]?.token ?? "tok";
  const cases: { kind: string; query: string; filter?: LogSearchFilter }[] = [];
  for (let index = 0; index < 10; index++) cases.push({ kind: "rare token", query: rare(index) });
  for (const word of ["error", "PASSED", "downloading", "Connection refused", "deprecated"]) cases.push({ kind: "common word", query: word });
  for (const phrase of [`"exit code: 1"`, `"failed to solve"`, `"is not assignable"`, `"coverage: 9"`, `"Error 111 connecting"`]) cases.push({ kind: "phrase", query: phrase });
  for (let index = 10; index < 15; index++) cases.push({ kind: "rare token + repository", query: rare(index), filter: { repository } });
  for (const word of ["error", "PASSED", "sha256", "warn", "FAILED"]) cases.push({ kind: "common word + branch", query: word, filter: { branch: "main" } });
  for (const word of ["AssertionError", "timeout", "TS2345", "RUN", "done"]) cases.push({ kind: "common word + job", query: word, filter: { jobKey: "test" } });
  for (const phrase of [`"exit code: 2"`, `"did not complete"`, `"Connection refused"`, `"cache miss"`, `"PASSED ["`]) cases.push({ kind: "phrase + repository + date", query: phrase, filter: { repository, from: recent } });
  for (const word of ["zzzznothing", "qqqqqq"]) cases.push({ kind: "no match", query: word });
  for (let index = 15; index < 20; index++) cases.push({ kind: "rare token + job + date", query: rare(index), filter: { jobKey: JOBS[index % JOBS.length] ?? "build", from: recent } });

  const search = (entry: (typeof cases)[number]) => searchLogs(db.sql("bench log-search: a query"), "ten_bench", { terms: parseLogQuery(entry.query), limit: 25, ...entry.filter });
  for (const entry of cases.slice(0, 5)) await search(entry); // warm the connections
  const timings: { kind: string; ms: number; hits: number }[] = [];
  for (const entry of cases) {
    const started = performance.now();
    const page = await search(entry);
    timings.push({ kind: entry.kind, ms: performance.now() - started, hits: page.hits.length });
  }
  const rareFound = timings.filter((timing) => timing.kind === "rare token").every((timing) => timing.hits >= 1);
  if (!rareFound) throw new Error("a planted token was not found");
  const sorted = timings.map((timing) => timing.ms).sort((a, b) => a - b);
  const queryP50Ms = round(percentile(sorted, 50));
  const queryP99Ms = round(percentile(sorted, 99));
  const byKind = new Map<string, number[]>();
  for (const timing of timings) byKind.set(timing.kind, [...(byKind.get(timing.kind) ?? []), timing.ms]);
  for (const [kind, values] of byKind) {
    const ordered = values.sort((a, b) => a - b);
    console.log(`  ${kind.padEnd(28)} ${String(values.length).padStart(2)} queries  p50 ${round(percentile(ordered, 50))} ms  max ${round(ordered.at(-1) ?? 0)} ms`);
  }
  console.log(`  queries:   ${timings.length}, p50 ${queryP50Ms} ms, p99 ${queryP99Ms} ms (goal p99 < ${GOAL_P99_MS}: ${queryP99Ms < GOAL_P99_MS ? "met" : "missed"})`);
  console.log(`  load average ${os.loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  console.log(JSON.stringify({ "log-search": { corpusMb: round(corpusBytes / MB), indexMbPerS, queryP50Ms, queryP99Ms } }));
} finally {
  await db.close();
  rmSync(storage, { recursive: true, force: true });
  if (process.env.GANTRY_BENCH_KEEP === "1") console.log(`kept ${database.url}`);
  else await database.drop();
}
