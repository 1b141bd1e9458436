// The runner ⇄ control-plane contract (STYLE.md practice 7): every message the two exchange, as zod
// schemas both sides parse with. docs/runner-protocol.md states timeouts, ordering and idempotency.
import { z } from "zod";

export const PROTOCOL_VERSION = 1;
/** Base path of every protocol route on the control plane. */
export const PROTOCOL_BASE_PATH = "/api/runner/v1";

const providers = z.enum(["microvm", "gvisor", "bwrap", "process"]);

/** POST /api/runner/v1/ping — `Authorization: Bearer <pool registration token>`. */
export const pingRequest = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, "runner names use letters, digits, dot, dash, underscore"),
  version: z.string().min(1).max(50),
  /** Sandbox providers this host can start (probed at start-up). */
  providers: z.array(providers),
  capacity: z.number().int().min(1).max(256),
});
export type PingRequest = z.infer<typeof pingRequest>;

export const pingResponse = z.object({
  runnerId: z.string(),
  pool: z.string(),
  /** When to ping next, in milliseconds. */
  nextPingMs: z.number().int().positive(),
});
export type PingResponse = z.infer<typeof pingResponse>;

export const errorResponse = z.object({ error: z.string(), code: z.string() });
export type ErrorResponse = z.infer<typeof errorResponse>;

// ---------------------------------------------------------------------------------------------------------
// register → claim → heartbeat → complete (docs/runner-protocol.md)

/** POST /api/runner/v1/register — `Authorization: Bearer <pool registration token>`; body as ping. */
export const registerRequest = pingRequest;
export type RegisterRequest = z.infer<typeof registerRequest>;
export const registerResponse = z.object({
  runnerId: z.string(),
  pool: z.string(),
  /** The runner's own credential for claim; shown once, stored hashed. Registering again rotates it. */
  credential: z.string().min(20),
});
export type RegisterResponse = z.infer<typeof registerResponse>;

const stringMap = z.record(z.string(), z.string());

/** A step as the compiler planned it (packages/workflow-schema PlannedStep). */
export const plannedStep = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.string(),
  run: z.string().optional(),
  uses: z.string().optional(),
  shell: z.string().optional(),
  workingDirectory: z.string().optional(),
  env: stringMap.default({}),
  with: stringMap.default({}),
  continueOnError: z.union([z.boolean(), z.string()]).default(false),
  timeoutMinutes: z.union([z.number(), z.string()]).optional(),
});

/** The job to run: its planned steps and what the expressions in them may read. */
export const assignedJob = z.object({
  key: z.string(),
  jobId: z.string(),
  name: z.string(),
  matrix: z.record(z.string(), z.unknown()).optional(),
  env: stringMap.default({}),
  outputs: stringMap.default({}),
  steps: z.array(plannedStep),
  timeoutMinutes: z.union([z.number(), z.string()]),
  continueOnError: z.union([z.boolean(), z.string()]).default(false),
});
export type AssignedJob = z.infer<typeof assignedJob>;

/** POST /api/runner/v1/claim — `Authorization: Bearer <runner credential>`. Long poll: answers within waitMs. */
export const claimRequest = z.object({
  runnerId: z.string(),
  /** How long the control plane may hold the request open when there is no work (ms). */
  waitMs: z.number().int().min(0).max(30_000).default(20_000),
});
export type ClaimRequest = z.infer<typeof claimRequest>;
export const claimResponse = z.object({
  assignment: z
    .object({
      attemptId: z.string(),
      attempt: z.number().int().positive(),
      /** Scoped to this attempt: heartbeat, logs, complete. Dies with the attempt. */
      jobToken: z.string().min(20),
      leaseMs: z.number().int().positive(),
      heartbeatMs: z.number().int().positive(),
      run: z.object({ id: z.string(), number: z.number().int(), event: z.string(), ref: z.string(), sha: z.string(), repository: z.string(), repositoryUrl: z.string().nullable(), trusted: z.boolean() }),
      job: assignedJob,
      needs: z.record(z.string(), z.object({ result: z.string(), outputs: z.record(z.string(), z.unknown()) })).default({}),
    })
    .nullable(),
});
export type ClaimResponse = z.infer<typeof claimResponse>;
export type Assignment = NonNullable<ClaimResponse["assignment"]>;

/** POST /api/runner/v1/heartbeat — `Authorization: Bearer <job token>`. */
export const heartbeatRequest = z.object({ attemptId: z.string() });
export const heartbeatResponse = z.object({
  /** true: stop the sandbox now (the job was cancelled or timed out). */
  cancel: z.boolean(),
  reason: z.string().optional(),
  leaseExpiresAt: z.string(),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponse>;

/** POST /api/runner/v1/complete — `Authorization: Bearer <job token>`. Idempotent per attempt. */
export const completeRequest = z.object({
  attemptId: z.string(),
  conclusion: z.enum(["SUCCEEDED", "FAILED", "CANCELED"]),
  outputs: z.record(z.string(), z.string().max(1024 * 1024)).default({}),
  failureReason: z.string().max(2000).optional(),
});
export type CompleteRequest = z.infer<typeof completeRequest>;
export const completeResponse = z.object({ applied: z.boolean() });
