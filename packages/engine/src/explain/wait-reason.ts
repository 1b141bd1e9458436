// Why a QUEUED or WAITING job has not started (issue #17, "why is my job waiting?"): one reason, from the engine's
// own state (Postgres rows and the fair queue in Redis), with what a person needs to act on it. The run page, the
// API, `gantry runs view` and the GitHub check run's summary all say it with describeWait.
import { statusWord } from "@gantry/workflow-schema/status-words";
import { maxParallelReason } from "../run/matrix-controls";

export interface HeldBy {
  runId: string;
  runNumber: number;
  workflow: string;
  /** The holding job, for a job-level group; absent when a whole run holds it. */
  jobKey?: string;
}

export type WaitReason =
  /** A fork's pull request run held for a maintainer's approval (the tenant's fork pull request policy). */
  | { kind: "fork-approval"; why: string }
  /** The run waits for its workflow-level concurrency group. */
  | { kind: "run-concurrency"; group: string; heldBy: HeldBy | null }
  /** `needs:` not finished yet. */
  | { kind: "needs"; jobs: { key: string; status: string }[] }
  /** The environment's required reviewers have not approved yet. */
  | { kind: "approval"; environment: string; requiredApprovals: number; approvals: number; reviewers: string[]; reviewerRoles: string[]; expiresAt: string }
  /** The environment's wait timer runs. */
  | { kind: "wait-timer"; environment: string; until: string }
  /** The matrix's max-parallel places are taken. */
  | { kind: "max-parallel"; active: number; maxParallel: number }
  /** An infrastructure retry waits out its backoff. */
  | { kind: "retry-backoff"; until: string; attempt: number }
  /** Job-level `concurrency:` group held by another job. */
  | { kind: "concurrency"; group: string; heldBy: HeldBy | null }
  /** No pool the tenant may use serves these labels. */
  | { kind: "no-pool"; labels: string[]; pools: { name: string; labels: string[] }[] }
  /** The pool serves the labels but no runner of it is online. */
  | { kind: "no-runner"; pool: string; labels: string[] }
  /** The tenant's concurrency cap is reached in this pool. */
  | { kind: "tenant-cap"; pool: string; running: number; max: number }
  /** The tenant's start rate is used up: its next token is due then. */
  | { kind: "rate-limit"; pool: string; nextTokenAt: string | null; perSecond: number | null }
  /** In line: this many jobs go first (of them, the tenant's own), with an estimate from the pool's recent starts. */
  | { kind: "queued"; pool: string; ahead: number; aheadOfOwnTenant: number; startsPerMinute: number | null; estimatedStartAt: string | null }
  /** Taken from the queue: being handed to a runner. */
  | { kind: "starting"; pool: string }
  /** Between two of the engine's steps (being placed, or its needs just ended): a moment. */
  | { kind: "settling"; detail: string };

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const list = (items: string[]) => (items.length === 0 ? "none" : items.join(", "));
const at = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
const heldText = (heldBy: HeldBy | null) => (heldBy ? `held by ${heldBy.workflow} #${heldBy.runNumber}${heldBy.jobKey ? ` (${heldBy.jobKey})` : ""}` : "held by another run");

/** One line a person reads: the run page, `gantry runs view`, a check run's summary. */
export function describeWait(reason: WaitReason): string {
  switch (reason.kind) {
    case "fork-approval":
      return `Waiting for a maintainer to approve this fork's run${reason.why ? ` (${reason.why})` : ""}.`;
    case "run-concurrency":
      return `Waiting for concurrency group "${reason.group}", ${heldText(reason.heldBy)}.`;
    case "needs":
      return `Waiting for ${reason.jobs.map((job) => `${job.key} (${statusWord("job", job.status).word})`).join(", ")} to finish.`;
    case "approval": {
      const who = [...reason.reviewers, ...reason.reviewerRoles.map((role) => `any ${role.toLowerCase()}`)];
      return `Waiting for approval to deploy to ${reason.environment}: ${reason.approvals} of ${reason.requiredApprovals} given; can approve: ${who.length > 0 ? who.join(", ") : "any maintainer or admin"}; expires ${at(reason.expiresAt)}.`;
    }
    case "wait-timer":
      return `Waiting for ${reason.environment}'s wait timer until ${at(reason.until)}.`;
    case "max-parallel":
      return `${sentence(maxParallelReason(reason.active, reason.maxParallel))}.`;
    case "retry-backoff":
      return `Retrying after an infrastructure failure (attempt ${reason.attempt}): queued again at ${at(reason.until)}.`;
    case "concurrency":
      return `Waiting for concurrency group "${reason.group}", ${heldText(reason.heldBy)}.`;
    case "no-pool":
      return `No runner pool serves the labels ${list(reason.labels)}; pools: ${reason.pools.length === 0 ? "none" : reason.pools.map((pool) => `${pool.name} [${list(pool.labels)}]`).join("; ")}.`;
    case "no-runner":
      return `No runner of pool ${reason.pool} is online (labels ${list(reason.labels)}).`;
    case "tenant-cap":
      return `The tenant's concurrency cap is reached in pool ${reason.pool}: ${reason.running} of ${reason.max} jobs running.`;
    case "rate-limit":
      return `The tenant's start rate limit${reason.perSecond !== null ? ` (${reason.perSecond}/s)` : ""} is used up in pool ${reason.pool}${reason.nextTokenAt ? `: next start at ${at(reason.nextTokenAt)}` : ""}.`;
    case "queued": {
      const own = reason.aheadOfOwnTenant === reason.ahead ? "" : ` (${reason.aheadOfOwnTenant} of them this tenant's)`;
      const eta = reason.estimatedStartAt ? `; expected to start around ${at(reason.estimatedStartAt)} at the pool's recent ${reason.startsPerMinute} starts a minute` : "";
      return reason.ahead === 0 ? `Next in pool ${reason.pool}: waiting for a free runner slot${eta}.` : `Queued behind ${reason.ahead} job${reason.ahead === 1 ? "" : "s"} in pool ${reason.pool}${own}${eta}.`;
    }
    case "starting":
      return `Being handed to a runner of pool ${reason.pool}.`;
    case "settling":
      return reason.detail;
  }
}
