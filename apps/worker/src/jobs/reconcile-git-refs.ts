// Missed push notifications of plain-git repositories: list each repository's branches and tags, and for every
// ref whose commit differs from the one intake last saw (GitRefState), process it exactly as a push from that
// commit (or from the zero sha when the ref is new) — same idempotency keys as push intake, so a notification
// that arrives late makes no second run. Refs that vanished are processed as deletions, which forgets them.
//
// First sight of a repository (no state at all): a baseline — every ref is recorded and nothing runs, since
// there is nothing to compare with (a push missed before that is not caught; one after it is, at the next scan).
// In a repository with states, a ref without one is new, and runs as a push from the zero sha.
import type { Repository } from "@gantry/db";
import { compileContextFor } from "../intake/compile-context";
import { listRefs, recordRefState } from "../intake/git-refs";
import { openRepository, ZERO_SHA, type GitRepository } from "@gantry/sources";
import { processGitPush, type IntakeDeps, type IntakeResult } from "../intake/process-git-push";
import { syncSchedulesAt } from "../intake/schedules/sync-schedules";
import { gitWorkflowTree } from "../intake/schedules/workflow-tree";

export interface GitRefReport {
  repositories: number;
  /** Repositories seen for the first time: their refs recorded, no runs. */
  baselined: number;
  /** `<repository> <ref>` of each ref processed as a missed push (or deletion). */
  moved: string[];
  runs: IntakeResult["runs"];
  /** One line per repository that could not be read; the others are still reconciled. */
  errors: string[];
}

async function baseline(deps: IntakeDeps, repository: Repository, git: GitRepository, refs: Map<string, string>): Promise<void> {
  for (const [ref, sha] of refs) await recordRefState(deps.db, repository, ref, sha);
  const head = refs.get(`refs/heads/${repository.defaultBranch}`);
  if (!head) return;
  const ctx = { tenantId: repository.tenantId, actor: { kind: "SYSTEM" as const, id: "git-ref-reconciler" } };
  await syncSchedulesAt(deps.db, deps.queues, repository, gitWorkflowTree(git, head, repository), await compileContextFor(deps.db, ctx, repository.id));
}

async function reconcileRepository(deps: IntakeDeps, repository: Repository, url: string, report: GitRefReport): Promise<void> {
  const git = await openRepository(url, deps.gitCacheDir);
  const refs = await listRefs(git);
  const states = await deps.db.system("git ref reconciler: what intake saw").gitRefState.findMany({ where: { repositoryId: repository.id } });
  if (states.length === 0) {
    if (refs.size > 0) {
      await baseline(deps, repository, git, refs);
      report.baselined += 1;
    }
    return;
  }
  const known = new Map(states.map((state) => [state.ref, state.sha]));
  const push = (ref: string, before: string, after: string) => processGitPush(deps, repository.id, { repository: repository.fullName, ref, before, after, pusher: "reconciler" });
  for (const [ref, sha] of refs) {
    const last = known.get(ref);
    if (last === sha) continue;
    // A base that is gone (force push, gc) cannot be diffed: then, as for a new ref, path filters do not apply.
    const before = last !== undefined && (await git.commitExists(last)) ? last : ZERO_SHA;
    const result = await push(ref, before, sha);
    report.moved.push(`${repository.fullName} ${ref}`);
    report.runs.push(...result.runs);
  }
  for (const [ref, sha] of known) {
    if (refs.has(ref)) continue;
    await push(ref, sha, ZERO_SHA);
    report.moved.push(`${repository.fullName} ${ref}`);
  }
}

export async function reconcileGitRefs(deps: IntakeDeps): Promise<GitRefReport> {
  const repositories = await deps.db.system("git ref reconciler: every plain-git repository").repository.findMany({
    where: { archived: false, gitSourceId: { not: null } },
    include: { gitSource: true },
    orderBy: { id: "asc" },
  });
  const report: GitRefReport = { repositories: 0, baselined: 0, moved: [], runs: [], errors: [] };
  for (const { gitSource, ...repository } of repositories) {
    if (!gitSource) continue;
    try {
      await reconcileRepository(deps, repository, gitSource.url, report);
      report.repositories += 1;
    } catch (error) {
      report.errors.push(`${repository.fullName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return report;
}
