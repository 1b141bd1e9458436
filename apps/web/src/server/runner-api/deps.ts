import type { Database } from "@gantry/db";
import type { Queues } from "@gantry/jobs";
import type { FairScheduler, ReadyWaiter } from "@gantry/scheduler";
import type { RunnerGithub } from "./github-token";
import type { AttemptMaskers } from "@gantry/engine";

/** What the runner API needs from the process: the database, the fair scheduler and the job producer. */
export interface RunnerApiDeps {
  database: Database;
  scheduler: FairScheduler;
  queues: Pick<Queues, "add">;
  leaseMs: number;
  /** Opens the secrets a claimed job references; null: none configured (such jobs run without them). */
  masterKey?: Buffer | null;
  /** Masks what an attempt sends back with its secrets (@gantry/engine's AttemptMaskers). */
  maskers?: AttemptMaskers;
  heartbeatMs: number;
  /** The GitHub App as the runner API uses it (job tokens, checkout tokens); null or absent: no App configured. */
  github?: () => RunnerGithub | null;
  /** Believe the last X-Forwarded-For entry for the caller's address (GANTRY_TRUST_PROXY; http/client-ip.ts). */
  trustProxy?: boolean;
  /** Signs each assignment's ACTIONS_RUNTIME_TOKEN (actions-services/runtime-token.ts); absent: none is minted. */
  runtimeTokenKey?: Uint8Array;
  /** The process's one subscriber that wakes long-polling claims when their pool gets work, and takes them to the queue a few at a time (@gantry/scheduler ready-signal). */
  ready: Pick<ReadyWaiter, "mark" | "wait" | "inTurn">;
  /** Rings a tenant's run-events doorbell after a claim (the engine's announceRunChange); absent: live views learn later. */
  announceRunChange?: (tenantId: string) => Promise<unknown>;
}
