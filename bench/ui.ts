/**
 * Benchmark `ui` (issue #17, "Run list"): the run list's query at 100,000 runs in one tenant, goal p99 < 50 ms
 * unfiltered and filtered. A database of its own (a copy of the migrated template), one tenant with 100,000 runs over
 * 40 repositories (bench/../packages/db/src/testing/run-history.ts: a few busy repositories and many quiet ones, five
 * workflows, push / pull request / schedule / dispatch, main, develop, 300 feature branches, tags, 60 actors, mostly
 * green with failures, cancels and a few live runs) and two other tenants with 30,000 runs each in the same table, then
 * VACUUM ANALYZE (what autovacuum does to a table that grew). Each call is `listRuns` (@gantry/db), the function the
 * `runs.list` procedure calls: a page of 25 and the per-status counts of everything that matches.
 * Figures: p50 / p99 per case, then `listP99Ms` over the unfiltered cases (first page and pages further back through
 * the cursor) and `filteredListP99Ms` over every filtered case together.
 * Run: npm run bench -- ui [--runs=100000] [--iterations=60]   (GANTRY_BENCH_KEEP=1 keeps the database and prints its URL)
 */
import { performance } from "node:perf_hooks";
import { countRuns, listRuns, openDatabase, type RunListQuery, type TenantContext } from "../packages/db/src/index";
import { createTestDatabase, seedRunHistory } from "../packages/db/src/testing/index";

const option = (name: string, fallback: number) => {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
};
const RUNS = option("runs", 100_000);
const OTHER_RUNS = option("other-runs", 30_000);
const ITERATIONS = option("iterations", 60);
const PAGE = 25;
const GOAL_MS = 50;

const round = (value: number) => Math.round(value * 100) / 100;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const database = await createTestDatabase();
const db = openDatabase(database.url, { poolSize: 4 });
try {
  const sys = db.system("bench ui: tenants");
  const sql = db.sql("bench ui: seed the run history");
  const tenants = ["bench", "other-a", "other-b"];
  for (const slug of tenants) await sys.tenant.create({ data: { id: `ten_${slug}`, slug, name: slug } });
  const newest = new Date();
  const seededAt = performance.now();
  const history = await seedRunHistory(sql, { tenantId: "ten_bench", owner: "acme", repositories: 40, runs: RUNS, newest, seed: 1 });
  await seedRunHistory(sql, { tenantId: "ten_other-a", owner: "other-a", repositories: 10, runs: OTHER_RUNS, newest, seed: 2 });
  await seedRunHistory(sql, { tenantId: "ten_other-b", owner: "other-b", repositories: 10, runs: OTHER_RUNS, newest, seed: 3 });
  const seedMs = performance.now() - seededAt;
  await sql.query(`VACUUM ANALYZE "WorkflowRun"`);
  await sql.query(`VACUUM ANALYZE "Repository"`);
  console.log(`seeded ${RUNS} runs for one tenant and ${2 * OTHER_RUNS} for two others in ${round(seedMs / 1000)} s`);

  const ctx: TenantContext = { tenantId: "ten_bench", actor: { kind: "USER", id: "bench" } };
  const scoped = db.forTenant(ctx);
  const busyRepo = history.repositories[0]?.fullName ?? "";
  const quietRepo = history.repositories.at(-1)?.fullName ?? "";
  const sample = await scoped.workflowRun.findFirst({ where: { repositoryId: history.repositories[1]?.id }, orderBy: { createdAt: "asc" }, select: { sha: true, runNumber: true } });

  // Cursors further back: walk the unfiltered list once and keep the cursors at a few depths.
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let page = 1; page <= 200; page++) {
    const result = await listRuns(scoped, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    if ([1, 10, 200].includes(page)) cursors.push(cursor);
  }

  const base: Omit<RunListQuery, "limit"> = {};
  const unfiltered: [string, Omit<RunListQuery, "limit">][] = [["newest", base], ...cursors.map((at, index): [string, Omit<RunListQuery, "limit">] => [`page ${[2, 11, 201][index]}`, { cursor: at }])];
  const filtered: [string, Omit<RunListQuery, "limit">][] = [
    ["busy repository", { repository: busyRepo }],
    ["quiet repository", { repository: quietRepo }],
    ["repository + branch", { repository: busyRepo, branch: "develop" }],
    ["branch main", { branch: "main" }],
    ["feature branch", { branch: history.branches[3] ?? "main" }],
    ["event pull_request", { event: "pull_request" }],
    ["status failed", { status: "FAILED" }],
    ["status running", { status: "RUNNING" }],
    ["busy actor", { actor: history.actors[0] ?? "" }],
    ["quiet actor", { actor: history.actors.at(-1) ?? "" }],
    ["workflow deploy", { workflow: "deploy" }],
    ["repo + status + event", { repository: busyRepo, status: "FAILED", event: "push" }],
    ["text run number", { text: `#${sample?.runNumber ?? 1}` }],
    ["text commit", { text: sample?.sha.slice(0, 10) ?? "0000000" }],
    ["text name", { text: "nightly" }],
    ["text number or name", { text: "123" }],
    ["actor + branch", { actor: history.actors[1] ?? "", branch: "main" }],
  ];
  const cases = [...unfiltered.map(([name, query]) => ({ name, query, filtered: false })), ...filtered.map(([name, query]) => ({ name, query, filtered: true }))];

  // Interleaved rounds, so a slow moment of the shared machine touches every case alike.
  const time = async (call: () => Promise<unknown>) => {
    const started = performance.now();
    await call();
    return performance.now() - started;
  };
  const listTimes = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  const countTimes = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  for (let round = -3; round < ITERATIONS; round++) {
    for (const entry of cases) {
      const list = await time(() => listRuns(scoped, { limit: PAGE, ...entry.query }));
      const count = await time(() => countRuns(scoped, entry.query));
      if (round >= 0) {
        listTimes.get(entry.name)?.push(list);
        countTimes.get(entry.name)?.push(count);
      }
    }
  }

  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
  };
  const pooled = (times: Map<string, number[]>, filteredCases: boolean) => summary(cases.filter((entry) => entry.filtered === filteredCases).flatMap((entry) => times.get(entry.name) ?? [])).p99;
  const all = await countRuns(scoped, {});
  console.log(`tenant: ${all.total} runs (${Object.entries(all.byStatus).map(([status, count]) => `${status.toLowerCase()} ${count}`).join(", ")})`);
  console.log(`${ITERATIONS} calls per case, ms: listRuns (a page of ${PAGE}) and countRuns (matching runs per status)`);
  for (const entry of cases) {
    const matching = (await countRuns(scoped, entry.query)).total;
    const list = summary(listTimes.get(entry.name) ?? []);
    const count = summary(countTimes.get(entry.name) ?? []);
    const cell = (value: number) => String(value).padStart(6);
    console.log(`  ${entry.filtered ? "filtered  " : "unfiltered"} ${entry.name.padEnd(22)} list p50 ${cell(list.p50)} p99 ${cell(list.p99)}   counts p50 ${cell(count.p50)} p99 ${cell(count.p99)}   (${matching} match)`);
  }
  const listP99Ms = pooled(listTimes, false);
  const filteredListP99Ms = pooled(listTimes, true);
  console.log(`list: unfiltered p99 ${listP99Ms} ms, filtered p99 ${filteredListP99Ms} ms (goal < ${GOAL_MS} ms each): ${listP99Ms < GOAL_MS && filteredListP99Ms < GOAL_MS ? "met" : "NOT met"}`);
  console.log(`counts: unfiltered p99 ${pooled(countTimes, false)} ms, filtered p99 ${pooled(countTimes, true)} ms (shown beside the page, which does not wait for them)`);
  if (process.env.GANTRY_BENCH_KEEP === "1") console.log(`kept: ${database.url}`);
  console.log(JSON.stringify({ ui: { runs: RUNS, listP99Ms, filteredListP99Ms } }));
} finally {
  await db.close();
  if (process.env.GANTRY_BENCH_KEEP !== "1") await database.drop();
}
