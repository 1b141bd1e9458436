// The run list: one tenant's workflow runs, newest first, narrowed by any mix of filters, a page at a time, with
// the number of matching runs per status. Keyset pagination on (createdAt, id): a cursor names the last run shown,
// so runs created while someone pages sit before the cursor and never shift a later page (no OFFSET).
// Every filter is an equality (or a small IN list) that one of WorkflowRun's composite indexes leads with, followed
// by createdAt and id, so a page reads its rows plus the ones the other filters skip (prisma/schema.prisma;
// bench/ui.ts measures it at 100,000 runs per tenant).
import type { Prisma } from "./generated/prisma/client";
import type { RunStatus } from "./generated/prisma/enums";
import { RUN_STATUSES } from "./state/statuses";
import type { TenantClient } from "./tenant-scope";

export interface RunListFilter {
  /** The repository's full name (`owner/name`). */
  repository?: string;
  /** A branch or tag name (`main`, `v1.2`), or a whole ref (`refs/pull/7/merge`). */
  branch?: string;
  /** The triggering event (`push`, `pull_request`, `workflow_dispatch`, `schedule`, …). */
  event?: string;
  status?: RunStatus;
  /** Who triggered the run (the pusher, the pull request's author, who dispatched it). */
  actor?: string;
  /** The workflow file: its path (`.github/workflows/ci.yml`) or its file name with or without extension (`ci`). */
  workflow?: string;
  /**
   * Free text: a run number (`42`, `#42`), a commit (7 to 40 hex digits, a prefix of its sha), or a piece of the
   * workflow's name, case-insensitive. (Commit messages are not stored on runs yet, so they cannot be searched.)
   */
  text?: string;
}

export interface RunListQuery extends RunListFilter {
  limit: number;
  /** The `nextCursor` of the previous page; absent: the newest runs. */
  cursor?: string;
}

export interface RunListRow {
  id: string;
  runNumber: number;
  runAttempt: number;
  workflowName: string;
  workflowPath: string;
  event: string;
  ref: string;
  sha: string;
  status: RunStatus;
  triggeredBy: string | null;
  /** A fork's pull request run held for a maintainer: why (null: never held), and when it was approved. */
  approvalRequired: string | null;
  approvedAt: Date | null;
  repository: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunListCounts {
  /** Runs matching every filter. */
  total: number;
  /** Runs matching every filter but the status one, per status: what each status choice would show. */
  byStatus: Record<RunStatus, number>;
}

export interface RunListPage {
  runs: RunListRow[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export class RunListCursorError extends Error {
  override name = "RunListCursorError";
}

/** Workflow files live in these folders (docs/workflow-schema.md), so a bare name expands to a few exact paths. */
const WORKFLOW_FOLDERS = [".gantry/workflows", ".github/workflows"] as const;

/** A page's end as an opaque token: the last run's creation time (ms) and id. */
export function encodeRunCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}:${id}`, "utf8").toString("base64url");
}

export function decodeRunCursor(cursor: string): { createdAt: Date; id: string } {
  const match = /^(\d{1,15}):([A-Za-z0-9_-]{1,100})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1] || !match[2]) throw new RunListCursorError("This cursor is not one a run list gave out; start again from the newest runs.");
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}

/** `main` is the branch or the tag of that name; `refs/…` is that ref exactly. */
export function refsFor(branch: string): string[] {
  return branch.startsWith("refs/") ? [branch] : [`refs/heads/${branch}`, `refs/tags/${branch}`];
}

export function workflowPathsFor(workflow: string): string[] {
  if (workflow.includes("/")) return [workflow];
  const files = /\.ya?ml$/.test(workflow) ? [workflow] : [`${workflow}.yml`, `${workflow}.yaml`];
  return WORKFLOW_FOLDERS.flatMap((folder) => files.map((file) => `${folder}/${file}`));
}

/** `contains` is LIKE underneath and passes % and _ through: escaped, they match only themselves. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** The smallest string after every string that starts with `prefix` (hex digits only: `g` follows `f` and `9`). */
const afterHexPrefix = (prefix: string) => `${prefix}g`;

/**
 * What `text` can mean, ORed: a run number (through the [repositoryId, runNumber] unique index, for each of the
 * tenant's repositories or the filtered one), a commit sha prefix (a range on [tenantId, sha]), a piece of the
 * workflow name (ILIKE, served by its trigram index).
 */
async function textMatches(scoped: TenantClient, text: string, repositoryIds: string[] | null): Promise<Prisma.WorkflowRunWhereInput[]> {
  const matches: Prisma.WorkflowRunWhereInput[] = [];
  const number = /^#?(\d{1,9})$/.exec(text)?.[1];
  if (number) {
    const ids = repositoryIds ?? (await scoped.repository.findMany({ select: { id: true } })).map((repository) => repository.id);
    matches.push({ repositoryId: { in: ids }, runNumber: Number(number) });
  }
  if (/^[0-9a-f]{7,40}$/i.test(text)) {
    const prefix = text.toLowerCase();
    matches.push({ sha: { gte: prefix, lt: afterHexPrefix(prefix) } });
  }
  if (!text.startsWith("#")) matches.push({ workflowName: { contains: likeLiteral(text), mode: "insensitive" } });
  return matches;
}

/** The where clause of every filter but status; null when a filter names something the tenant does not have. */
async function filterWhere(scoped: TenantClient, filter: RunListFilter): Promise<Prisma.WorkflowRunWhereInput | null> {
  const where: Prisma.WorkflowRunWhereInput = {};
  let repositoryIds: string[] | null = null;
  if (filter.repository !== undefined) {
    const repository = await scoped.repository.findFirst({ where: { fullName: filter.repository }, select: { id: true } });
    if (!repository) return null;
    where.repositoryId = repository.id;
    repositoryIds = [repository.id];
  }
  if (filter.branch !== undefined) where.ref = { in: refsFor(filter.branch) };
  if (filter.event !== undefined) where.event = filter.event;
  if (filter.actor !== undefined) where.triggeredBy = filter.actor;
  if (filter.workflow !== undefined) where.workflowPath = { in: workflowPathsFor(filter.workflow) };
  if (filter.text !== undefined && filter.text.trim() !== "") where.OR = await textMatches(scoped, filter.text.trim(), repositoryIds);
  return where;
}

const EMPTY_PAGE: RunListPage = { runs: [], nextCursor: null };

/** One page of the tenant's runs (the client decides the tenant), newest first. */
export async function listRuns(scoped: TenantClient, query: RunListQuery): Promise<RunListPage> {
  const after = query.cursor === undefined ? null : decodeRunCursor(query.cursor);
  const where = await filterWhere(scoped, query);
  if (where === null) return EMPTY_PAGE;
  // `createdAt <= t` bounds the index range; the NOT only breaks ties within that one millisecond.
  const keyset: Prisma.WorkflowRunWhereInput = after ? { createdAt: { lte: after.createdAt }, NOT: { createdAt: after.createdAt, id: { gte: after.id } } } : {};
  const rows = await scoped.workflowRun.findMany({
    where: { AND: [where, query.status === undefined ? {} : { status: query.status }, keyset] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: {
      id: true,
      runNumber: true,
      runAttempt: true,
      workflowName: true,
      workflowPath: true,
      event: true,
      ref: true,
      sha: true,
      status: true,
      triggeredBy: true,
      approvalRequired: true,
      approvedAt: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      repository: { select: { fullName: true } },
    },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    runs: page.map(({ repository, ...run }) => ({ ...run, repository: repository.fullName })),
    nextCursor: rows.length > query.limit && last ? encodeRunCursor(last.createdAt, last.id) : null,
  };
}

/**
 * How many runs match, per status. A separate call from the page because it must visit every matching run (index
 * only: each filter's index carries the status), while a page reads 25: the page is shown without waiting for it.
 */
export async function countRuns(scoped: TenantClient, filter: RunListFilter): Promise<RunListCounts> {
  const byStatus = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<RunStatus, number>;
  const where = await filterWhere(scoped, filter);
  if (where !== null) {
    for (const group of await scoped.workflowRun.groupBy({ by: ["status"], where, _count: { _all: true } })) byStatus[group.status] = group._count._all;
  }
  const total = filter.status === undefined ? RUN_STATUSES.reduce((sum, status) => sum + byStatus[status], 0) : byStatus[filter.status];
  return { total, byStatus };
}
