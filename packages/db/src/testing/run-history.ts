// A tenant's run history as a busy team makes it, for the run list's benchmark and browser test: runs spread over
// repositories (a few busy, many quiet), workflows, events, branches, pull requests, actors and statuses, numbered
// per repository and spaced in time. Deterministic for a seed. Written with multi-row INSERTs from arrays
// (`unnest`), a few thousand rows a statement, so 100,000 runs take seconds.
import type { RunStatus } from "../generated/prisma/enums";
import { runId } from "../ids";
import type { SqlClient } from "../client";

export interface RunHistoryOptions {
  tenantId: string;
  /** Repository full names are `<owner>/repo-<n>`; owner defaults to the tenant id. */
  owner?: string;
  repositories: number;
  runs: number;
  /** The newest run's creation time; the others go back `spanDays` from it. */
  newest?: Date;
  spanDays?: number;
  /** The PRNG seed: the same seed gives the same history. */
  seed?: number;
  /** Rows per INSERT. */
  batch?: number;
}

export interface RunHistory {
  repositories: { id: string; fullName: string }[];
  /** Every actor that appears, busiest first. */
  actors: string[];
  /** Feature branch names that appear (besides main, develop, staging). */
  branches: string[];
}

/** mulberry32: small, fast and good enough to spread rows. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An index in [0, n) where low indexes are much likelier (Zipf-like, exponent ~1). */
function skewed(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1)) - 1));
}

function weighted<T>(random: () => number, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let at = random() * total;
  for (const [value, weight] of choices) {
    at -= weight;
    if (at < 0) return value;
  }
  const last = choices.at(-1);
  if (!last) throw new Error("weighted() needs choices");
  return last[0];
}

const WORKFLOWS = [
  ["ci", "CI", 50],
  ["lint", "Lint", 20],
  ["deploy", "Deploy", 12],
  ["nightly", "Nightly", 10],
  ["release", "Release", 8],
] as const;

const FINISHED: readonly (readonly [RunStatus, number])[] = [
  ["SUCCEEDED", 78],
  ["FAILED", 12],
  ["CANCELED", 5],
  ["SKIPPED", 3],
  ["TIMED_OUT", 2],
];
const LIVE: readonly (readonly [RunStatus, number])[] = [
  ["RUNNING", 50],
  ["QUEUED", 30],
  ["WAITING", 20],
];

const COLUMNS = [
  ["id", "text"],
  ["tenantId", "text"],
  ["repositoryId", "text"],
  ["idempotencyKey", "text"],
  ["workflowPath", "text"],
  ["workflowName", "text"],
  ["event", "text"],
  ["ref", "text"],
  ["sha", "text"],
  ["runNumber", "int"],
  ["status", '"RunStatus"'],
  ["plan", "jsonb"],
  ["triggeredBy", "text"],
  ["createdAt", "timestamp(3)"],
  ["startedAt", "timestamp(3)"],
  ["finishedAt", "timestamp(3)"],
] as const;

// unnest has no enum arrays: status travels as text and is cast per row.
const names = COLUMNS.map(([name]) => `"${name}"`).join(", ");
const INSERT = `INSERT INTO "WorkflowRun" (${names})
  SELECT ${COLUMNS.map(([name, type]) => (type === '"RunStatus"' ? `r."${name}"::"RunStatus"` : `r."${name}"`)).join(", ")}
  FROM unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type === '"RunStatus"' ? "text" : type}[]`).join(", ")}) AS r(${names})`;

/** Creates the repositories and runs; the tenant must exist. Returns what the history is made of. */
export async function seedRunHistory(sql: SqlClient, options: RunHistoryOptions): Promise<RunHistory> {
  const random = prng(options.seed ?? 17);
  const owner = options.owner ?? options.tenantId;
  const repositories = Array.from({ length: options.repositories }, (_, index) => ({ id: `${options.tenantId}:${owner}/repo-${index}`, fullName: `${owner}/repo-${index}` }));
  await sql.query(
    `INSERT INTO "Repository" ("id", "tenantId", "fullName") SELECT id, $1, "fullName" FROM unnest($2::text[], $3::text[]) AS r(id, "fullName")`,
    [options.tenantId, repositories.map((repository) => repository.id), repositories.map((repository) => repository.fullName)],
  );
  const actors = Array.from({ length: 60 }, (_, index) => `dev-${index}`);
  const branches = Array.from({ length: 300 }, (_, index) => `feature/${["api", "ui", "db", "ci", "docs"][index % 5]}-${index}`);
  const newest = (options.newest ?? new Date()).getTime();
  const spanMs = (options.spanDays ?? 365) * 86_400_000;
  const runNumbers = new Array<number>(repositories.length).fill(0);
  const plan = JSON.stringify({ jobs: [{ key: "build", jobId: "build", name: "build", needs: [], runsOn: ["linux-x64"], steps: [{ run: "npm ci && npm test" }] }] });
  const batchSize = options.batch ?? 5_000;
  for (let start = 0; start < options.runs; start += batchSize) {
    const columns: unknown[][] = COLUMNS.map(() => []);
    const push = (...values: unknown[]) => values.forEach((value, index) => columns[index]?.push(value));
    for (let index = start; index < Math.min(options.runs, start + batchSize); index++) {
      const repo = skewed(random, repositories.length);
      const repository = repositories[repo];
      if (!repository) throw new Error("no repository");
      runNumbers[repo] = (runNumbers[repo] ?? 0) + 1;
      const [file, name] = weighted(random, WORKFLOWS.map(([workflowFile, workflowName, weight]) => [[workflowFile, workflowName] as const, weight] as const));
      const folder = repo % 2 === 0 ? ".github/workflows" : ".gantry/workflows";
      const event =
        file === "nightly" ? "schedule" : file === "release" ? "push" : file === "deploy" ? weighted(random, [["push", 1], ["workflow_dispatch", 1]]) : weighted(random, [["push", 55], ["pull_request", 45]]);
      const ref =
        file === "release"
          ? `refs/tags/v1.${Math.floor(index / 997)}.${index % 10}`
          : event === "pull_request"
            ? `refs/pull/${1 + Math.floor(random() * 2_000)}/merge`
            : event === "schedule"
              ? "refs/heads/main"
              : `refs/heads/${weighted(random, [["main", 60], ["develop", 10], ["staging", 5], [branches[skewed(random, branches.length)] ?? "main", 25]])}`;
      // Oldest first, so run numbers rise with time; the newest few dozen are still going.
      const age = ((options.runs - 1 - index) / Math.max(1, options.runs)) * spanMs;
      const createdAt = new Date(newest - age - Math.floor(random() * 1_000));
      const status = options.runs - index <= 30 ? weighted(random, LIVE) : weighted(random, FINISHED);
      const live = status === "QUEUED" || status === "WAITING" || status === "RUNNING";
      const startedAt = status === "QUEUED" || status === "WAITING" ? null : new Date(createdAt.getTime() + 2_000 + Math.floor(random() * 30_000));
      const finishedAt = live || !startedAt ? null : new Date(startedAt.getTime() + 20_000 + Math.floor(random() * 600_000));
      const sha = Array.from({ length: 5 }, () => Math.floor(random() * 0xffffffff).toString(16).padStart(8, "0")).join("");
      const idempotencyKey = `${event}:${repository.id}:${sha}:${folder}/${file}.yml`;
      push(
        runId(options.tenantId, idempotencyKey),
        options.tenantId,
        repository.id,
        idempotencyKey,
        `${folder}/${file}.yml`,
        name,
        event,
        ref,
        sha,
        runNumbers[repo],
        status,
        plan,
        event === "schedule" ? null : actors[skewed(random, actors.length)],
        createdAt,
        startedAt,
        finishedAt,
      );
    }
    await sql.query(INSERT, columns);
  }
  return { repositories, actors, branches };
}
