// The runner ⇄ control-plane contract (STYLE.md practice 7): every message the two exchange, as zod
// schemas both sides parse with. docs/runner-protocol.md states timeouts, ordering and idempotency.
import { z } from "zod";

export const PROTOCOL_VERSION = 1;
/** Base path of every protocol route on the control plane. */
export { githubContext, strategyContext, type StrategyFacts } from "./contexts";

export const PROTOCOL_BASE_PATH = "/api/runner/v1";

export const sandboxProviderName = z.enum(["microvm", "gvisor", "bwrap", "process"]);
const providers = sandboxProviderName;
export type SandboxProviderName = z.infer<typeof sandboxProviderName>;

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

/**
 * One destination of an egress allowlist: an exact host name (resolved by the runner when the sandbox starts;
 * no wildcards, since the sandbox gets no DNS of its own), an IPv4/IPv6 address or a CIDR range.
 */
export const egressTarget = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6(), z.hostname()], {
  error: "an egress allowlist entry is a host name (no wildcards), an IP address or a CIDR range",
});
export const egressAllowlist = z.array(egressTarget).max(256);

/**
 * POST /api/runner/v1/register — `Authorization: Bearer <pool registration token>`; body as ping, and the runner's
 * current credential when it re-registers while it is live (its name is then its own: docs/runner-protocol.md).
 */
export const registerRequest = pingRequest.extend({ credential: z.string().min(20).max(200).optional() });
export type RegisterRequest = z.infer<typeof registerRequest>;
export const registerResponse = z.object({
  runnerId: z.string(),
  pool: z.string(),
  /** The runner's own credential for claim; shown once, stored hashed. Registering again rotates it. */
  credential: z.string().min(20),
  /** The pool's sandbox policy: the provider every job of the pool runs in, its network egress and, for
   * `allowlist`, the only destinations a job may reach. */
  sandbox: z.object({ provider: sandboxProviderName, egress: z.enum(["none", "allowlist", "open"]), allowlist: egressAllowlist.default([]) }),
});
export type RegisterResponse = z.infer<typeof registerResponse>;

const stringMap = z.record(z.string(), z.string());

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * The resource limits of a runner pool (`RunnerPool`), which every job of the pool runs under: the claim answer
 * carries them with each assignment, so a pool's change applies from its next job (docs/sandboxes.md#limits).
 */
export const poolLimits = z.object({
  /** CPU share in cores (1.5 = one and a half cores). */
  cpus: z.number().positive().max(1024),
  /** Memory of the whole job (every process of it), in bytes; past it the kernel's OOM killer ends a process. */
  memoryBytes: z.number().int().min(16 * MiB).max(2 ** 50),
  /** Processes and threads alive at once; past it fork() fails. */
  pids: z.number().int().min(8).max(4_194_304),
  /** Bytes the workspace, /tmp and the runner files may hold together. */
  diskBytes: z.number().int().min(16 * MiB).max(2 ** 50),
  /** The largest file a process may write (SIGXFSZ past it). */
  fileSizeBytes: z.number().int().min(MiB).max(2 ** 50),
  /** Ceiling on a job's `timeout-minutes`: a job asking for more gets this. */
  maxTimeoutMinutes: z.number().int().min(1).max(7 * 24 * 60),
});
export type PoolLimits = z.infer<typeof poolLimits>;

/** A new pool's limits, chosen to keep a small runner host (2 cores, 8 GiB) alive under one hostile job. */
export const DEFAULT_POOL_LIMITS: PoolLimits = { cpus: 2, memoryBytes: 4 * GiB, pids: 1024, diskBytes: 10 * GiB, fileSizeBytes: 10 * GiB, maxTimeoutMinutes: 360 };

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

/** `needs.<id>.result` as GitHub gives it (a failure allowed by continue-on-error reads as success). */
export const needResult = z.enum(["success", "failure", "cancelled", "skipped"]);
export type NeedResult = z.infer<typeof needResult>;

/** What a claim says about the run (the facts the `github` context is built from: contexts.ts). */
export const assignedRun = z.object({
  id: z.string(),
  number: z.number().int(),
  /** The run's attempt (`github.run_attempt`): 1, raised by each re-run. */
  attempt: z.number().int().positive().default(1),
  event: z.string(),
  ref: z.string(),
  sha: z.string(),
  repository: z.string(),
  repositoryUrl: z.string().nullable(),
  trusted: z.boolean(),
  /** workflow_dispatch: the typed inputs (the `inputs` context; `github.event.inputs` gives them as strings). */
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Who started the run: the pusher, the person who dispatched it (`github.actor`); "" when unknown. */
  actor: z.string().default(""),
  /** The event that started the run, in GitHub's shape (`github.event`, GITHUB_EVENT_PATH); {} when none. */
  eventPayload: z.record(z.string(), z.unknown()).default({}),
  /** Where the repository lives: a GitHub App installation, a plain git server, or nowhere the runner can fetch. */
  source: z.enum(["github", "git", "none"]).default("none"),
  /** GITHUB_SERVER_URL / GITHUB_API_URL as the job should see them ("" when unknown: the runner uses its own URL). */
  serverUrl: z.string().default(""),
  apiUrl: z.string().default(""),
  /** The job's GITHUB_TOKEN (an installation token narrowed to the repository and the job's `permissions:`); null for plain git. */
  githubToken: z.string().nullable().default(null),
  /** The workflow's name (`github.workflow`). */
  workflow: z.string().default(""),
});
export type AssignedRun = z.infer<typeof assignedRun>;

/** POST /api/runner/v1/claim — `Authorization: Bearer <runner credential>`. Long poll: answers within waitMs. */
export const claimRequest = z.object({
  runnerId: z.string(),
  /** How long the control plane may hold the request open when there is no work (ms). */
  waitMs: z.number().int().min(0).max(30_000).default(20_000),
  /**
   * How many jobs the runner can start now (its free slots). The answer carries up to this many (`assignments`),
   * so a runner with 64 free slots fills them with one request rather than 64. Default 1: one job, as before.
   */
  max: z.number().int().min(1).max(256).default(1),
});
export type ClaimRequest = z.infer<typeof claimRequest>;
/** One job handed to a runner: what a claim answers with, per job. */
export const assignmentSchema = z.object({
  attemptId: z.string(),
  attempt: z.number().int().positive(),
  /** Scoped to this attempt: heartbeat, logs, complete. Dies with the attempt. */
  jobToken: z.string().min(20),
  leaseMs: z.number().int().positive(),
  heartbeatMs: z.number().int().positive(),
  run: assignedRun,
  /** The job's `strategy` context (matrix cells: fail-fast, job-index, job-total, max-parallel); {} otherwise. */
  strategy: z.record(z.string(), z.unknown()).default({}),
  job: assignedJob,
  /**
   * ACTIONS_RUNTIME_TOKEN for the cache and artifact services that actions' bundled toolkit calls (a JWT whose `scp`
   * names the run and job as GitHub's does); only those services accept it. Absent: an older control plane.
   */
  runtimeToken: z.string().optional(),
  /** The secrets the job references (name → value), for the `secrets` context; {} for an untrusted run. */
  secrets: z.record(z.string(), z.string()).default({}),
  /** The `needs` context: each needed job's result in GitHub's words and its outputs (matrix cells folded). */
  needs: z.record(z.string(), z.object({ result: needResult, outputs: z.record(z.string(), z.unknown()) })).default({}),
  /** The `vars` context: the job's variables (tenant, repository, environment; the narrowest wins). Not secret. */
  vars: z.record(z.string(), z.string()).default({}),
  /** The pool's limits as of this claim; absent (an older control plane): the defaults. */
  limits: poolLimits.default(DEFAULT_POOL_LIMITS),
});

export const claimResponse = z.object({
  /** The first (or only) job claimed; null when the wait ended with none. */
  assignment: assignmentSchema.nullable(),
  /**
   * Every job claimed, `assignment` first, when the request asked for more than one (`max`): at most `max`, and
   * fewer when the queue held fewer. Absent from an older control plane, which claims one job per request.
   */
  assignments: z.array(assignmentSchema).optional(),
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
  // Why a FAILED attempt failed: a step of the job (`user`, the default), or the runner's side (`infrastructure`:
  // the sandbox did not start or died outside a step, the host's disk filled, the control plane was unreachable).
  // Infrastructure failures retry on another runner within the job's budget; user failures never retry.
  failureCause: z.enum(["user", "infrastructure"]).optional(),
});
export type CompleteRequest = z.infer<typeof completeRequest>;
export const completeResponse = z.object({ applied: z.boolean() });

// ---------------------------------------------------------------------------------------------------------
// logs and step reports (docs/runner-protocol.md): both idempotent, both refused once the attempt is lost.

/** The line that ends a job's log past its cap (the runner's, and the control plane's when a chunk crosses it). */
export const logTruncationMarker = (cap: number) => `##[gantry] log truncated: the job printed more than ${cap} bytes; further output is discarded\n`;

/** Largest `data` of one log chunk, in UTF-8 bytes (the runner cuts chunks at this size). */
export const LOG_CHUNK_MAX_BYTES = 64 * 1024;

/** Most chunks in one `logs` request: a busy job's output goes 2 MiB per round trip, an idle one's chunk alone. */
export const LOG_BATCH_MAX_CHUNKS = 32;

/** Largest `logs` body: a full batch of chunks whose every byte is a control character JSON escapes as `\u00XX`. */
export const LOG_REQUEST_MAX_BYTES = LOG_BATCH_MAX_CHUNKS * (LOG_CHUNK_MAX_BYTES * 6 + 256) + 1024;

/** One log chunk: a slice of the job's output, cut every 100 ms or 64 KiB, whichever first. */
export const logChunk = z.object({
  /** 0, 1, 2, … without gaps within the attempt; a chunk is accepted only after its predecessor. */
  seq: z.number().int().nonnegative(),
  /** The step that printed it. */
  stepIndex: z.number().int().nonnegative(),
  /** Milliseconds since the epoch when the chunk's first byte was written. */
  timestamp: z.number().int().nonnegative(),
  /** UTF-8 text as printed (ANSI escapes included), already masked by the runner. */
  data: z.string().refine((data) => Buffer.byteLength(data) <= LOG_CHUNK_MAX_BYTES, `a log chunk is at most ${LOG_CHUNK_MAX_BYTES} bytes of UTF-8`),
});

/** POST /api/runner/v1/logs — `Authorization: Bearer <job token>`. One chunk; idempotent by (attemptId, seq). */
export const logChunkRequest = logChunk.extend({ attemptId: z.string() });
export type LogChunkRequest = z.infer<typeof logChunkRequest>;

/** POST /api/runner/v1/logs with consecutive chunks in order: stored together, each idempotent by its seq. */
export const logBatchRequest = z.object({
  attemptId: z.string(),
  chunks: z
    .array(logChunk)
    .min(1)
    .max(LOG_BATCH_MAX_CHUNKS)
    .refine((chunks) => chunks.every((chunk, i) => i === 0 || chunk.seq === (chunks[i - 1]?.seq ?? -1) + 1), "the chunks of a batch have consecutive seqs, in order"),
});
export type LogBatchRequest = z.infer<typeof logBatchRequest>;

/** What the logs route accepts: a batch (what runners send) or a single chunk (older runners, hand-written calls). */
export const logsRequest = z.union([logBatchRequest, logChunkRequest]);
export type LogsRequest = z.infer<typeof logsRequest>;

/** The chunks of a `logs` request, whichever form it came in. */
export const logChunksOf = (body: LogsRequest) => ("chunks" in body ? body.chunks : [body]);
export const logChunkResponse = z.object({
  /** false: nothing new was stored — every chunk was stored before (a retry), or the job's log is past its cap. */
  stored: z.boolean(),
  /** The job's log reached the control plane's cap: later chunks are acknowledged and dropped. */
  truncated: z.boolean(),
});
export type LogChunkResponse = z.infer<typeof logChunkResponse>;

/** `::error|warning|notice file=,line=,col=::message` as the runner parsed it. */
export const stepAnnotation = z.object({
  level: z.enum(["error", "warning", "notice"]),
  message: z.string().max(4096),
  file: z.string().max(1024).optional(),
  line: z.number().int().positive().optional(),
  col: z.number().int().positive().optional(),
  endLine: z.number().int().positive().optional(),
  endColumn: z.number().int().positive().optional(),
  title: z.string().max(1024).optional(),
});
export type StepAnnotation = z.infer<typeof stepAnnotation>;

/** Largest GITHUB_STEP_SUMMARY a step may report, in UTF-8 bytes. */
export const STEP_SUMMARY_MAX_BYTES = 512 * 1024;

/**
 * POST /api/runner/v1/step — `Authorization: Bearer <job token>`. A step started (`RUNNING`) or finished (any other
 * status: what actually happened, before continue-on-error). Idempotent by (attemptId, index); a finished step never
 * goes back to RUNNING.
 */
export const stepReportRequest = z.object({
  attemptId: z.string(),
  index: z.number().int().nonnegative(),
  stepId: z.string().max(100).optional(),
  name: z.string().min(1).max(500),
  status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"]),
  /** Milliseconds since the epoch. */
  startedAt: z.number().int().nonnegative().optional(),
  finishedAt: z.number().int().nonnegative().optional(),
  outputs: z.record(z.string(), z.string().max(1024 * 1024)).default({}),
  /** Masked GITHUB_STEP_SUMMARY markdown. */
  summary: z.string().refine((text) => Buffer.byteLength(text) <= STEP_SUMMARY_MAX_BYTES, `a step summary is at most ${STEP_SUMMARY_MAX_BYTES} bytes`).optional(),
  annotations: z.array(stepAnnotation).max(200, "at most 200 annotations per step").default([]),
});
export type StepReportRequest = z.infer<typeof stepReportRequest>;
export const stepReportResponse = z.object({ applied: z.boolean() });

// ---------------------------------------------------------------------------------------------------------
// artifacts and caches (docs/runner-protocol.md): a grant route answers an expiring HMAC-signed URL of the
// object route; the bytes (a tar.gz) go there, checked against the sha256 and size the grant names.

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 is 64 lowercase hex digits");
const objectName = z.string().min(1).max(256).regex(/^[^/\\\0:*?"<>|]+$/, "an artifact name has no / \\ : * ? \" < > | or NUL");

/** An object URL granted to the runner: PUT the bytes to it (upload) or GET them (download) before `expiresAt`. */
export const objectGrant = z.object({
  /** Absolute, or a path to resolve against the control plane's URL. */
  url: z.string().min(1),
  /** Milliseconds since the epoch. */
  expiresAt: z.number().int(),
});
export type ObjectGrant = z.infer<typeof objectGrant>;

/** POST /api/runner/v1/artifacts — `Authorization: Bearer <job token>`. Upload or download within the run. */
export const artifactRequest = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("upload"),
    attemptId: z.string(),
    name: objectName,
    sha256: sha256Hex,
    sizeBytes: z.number().int().nonnegative(),
    /** Days the artifact is kept (`retention-days`); the control plane caps it. */
    retentionDays: z.number().int().min(1).max(365).optional(),
  }),
  z.object({ op: z.literal("download"), attemptId: z.string(), name: objectName }),
]);
export type ArtifactRequest = z.infer<typeof artifactRequest>;
export const artifactResponse = z.object({
  /** upload: null when the run already holds this artifact with these bytes (nothing to send). */
  grant: objectGrant.nullable(),
  sha256: sha256Hex,
  sizeBytes: z.number().int().nonnegative(),
});
export type ArtifactResponse = z.infer<typeof artifactResponse>;

const cacheKey = z.string().min(1).max(512).refine((key) => !key.includes(","), "a cache key has no comma");

/** POST /api/runner/v1/caches — `Authorization: Bearer <job token>`. Restore (exact key, then restore-keys) or save. */
export const cacheRequest = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("restore"),
    attemptId: z.string(),
    key: cacheKey,
    restoreKeys: z.array(cacheKey).max(10).default([]),
    /** Hash of the cached paths and the compression: a different path set never restores. */
    version: sha256Hex,
  }),
  z.object({ op: z.literal("save"), attemptId: z.string(), key: cacheKey, version: sha256Hex, sha256: sha256Hex, sizeBytes: z.number().int().nonnegative() }),
]);
export type CacheRequest = z.infer<typeof cacheRequest>;
export const cacheResponse = z.object({
  /** restore: the entry found (null: a miss); save: the key written, or already present. */
  entry: z.object({ key: z.string(), scope: z.string(), sha256: sha256Hex, sizeBytes: z.number().int().nonnegative() }).nullable(),
  /** restore: GET it; save: PUT the bytes there (null: the key exists in this scope, caches are immutable). */
  grant: objectGrant.nullable(),
});
export type CacheResponse = z.infer<typeof cacheResponse>;

/** PUT <granted url> answers this once the bytes are verified and recorded. */
export const objectPutResponse = z.object({ stored: z.boolean(), sha256: sha256Hex, sizeBytes: z.number().int().nonnegative() });
export type ObjectPutResponse = z.infer<typeof objectPutResponse>;
// POST /api/runner/v1/actions/resolve (job token): a remote action `owner/repo[/path]@ref` resolved to a commit and
// an archive in the object store. Refusals (the tenant's policy, a ref that does not resolve, changed bytes) are a
// 4xx errorResponse whose `error` names the action and the reason.
export const actionResolveRequest = z.object({
  attemptId: z.string(),
  uses: z.string().min(3).max(500),
  /** The step the action is for: its resolved commit is recorded on the step for the dashboard. */
  stepIndex: z.number().int().min(0).max(10_000).optional(),
});
export type ActionResolveRequest = z.infer<typeof actionResolveRequest>;
export const actionResolveResponse = z.object({
  /** owner/repo as GitHub spells it. */
  repository: z.string(),
  /** The folder of the action inside the repository ("" for the root). */
  path: z.string(),
  /** The ref as written in `uses:`. */
  ref: z.string(),
  /** The commit the ref resolved to (full 40-hex sha). */
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  /** sha-256 of the archive (gzipped tar, GitHub's tarball layout: one top folder). */
  sha256: sha256Hex,
  sizeBytes: z.number().int().nonnegative(),
  /** A signed GET URL of the archive (absolute, or relative to the control plane). */
  downloadUrl: z.string(),
  source: z.enum(["directory", "github", "mirror"]),
});
export type ActionResolveResponse = z.infer<typeof actionResolveResponse>;

// POST /api/runner/v1/checkout-token (job token): a short-lived installation token limited to one repository of the
// run's installation and `contents: read`, for the native checkout; 404 for plain git runs or another installation's repository.
export const checkoutTokenRequest = z.object({ attemptId: z.string(), repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/) });
export type CheckoutTokenRequest = z.infer<typeof checkoutTokenRequest>;
export const checkoutTokenResponse = z.object({ token: z.string().min(1), cloneUrl: z.string(), expiresAt: z.string() });
export type CheckoutTokenResponse = z.infer<typeof checkoutTokenResponse>;

/** Where the control plane serves the actions toolkit's cache and artifact services (cache REST v1, Twirp v2/v4, blobs). */
export const ACTIONS_SERVICE_PATH = "/api/actions/";
/**
 * Where the toolkit's Twirp services (cache v2, artifacts v4) are called: it builds `new URL("/twirp/…", ACTIONS_RESULTS_URL)`,
 * an absolute path on that URL's origin, so a proxy for the services forwards this prefix too.
 */
export const ACTIONS_TWIRP_PATH = "/twirp/";
/** The header the runner's service proxy adds so the services build URLs the sandbox can reach (the proxy's base). */
export const SERVICE_BASE_HEADER = "x-gantry-service-base";

export { Masker, MASK } from "./masker";
