// Redis key names shared by the control-plane apps. Redis holds nothing that Postgres cannot rebuild
// (DESIGN.md invariant 2); `{gantry}` is a hash tag so that the system keys share one Redis Cluster slot.

/** Each worker process sets this every few seconds with a TTL; the health page lists the live ones. */
export const workerHeartbeatKey = (workerId: string) => `gantry:{system}:worker:${workerId}`;
export const WORKER_HEARTBEAT_PATTERN = "gantry:{system}:worker:*";
export const WORKER_HEARTBEAT_TTL_SECONDS = 15;

export interface WorkerHeartbeat {
  id: string;
  pid: number;
  hostname: string;
  version: string;
  startedAt: string;
  queues: string[];
}

/**
 * A job's live log: a Redis Stream the logs route appends every stored chunk to (XADD … MAXLEN ~), for live tailing.
 * The `{tenant:…}` hash tag keeps one tenant's streams in one Redis Cluster slot. Postgres + the object store hold
 * the archive; losing this key loses only the live view.
 */
export const liveLogStreamKey = (prefix: string, tenantId: string, jobRunId: string) => `${prefix}:{tenant:${tenantId}}:logs:${jobRunId}`;

/**
 * A tenant's doorbell for run changes: the engine PUBLISHes on it (no payload) after whatever may have changed a run
 * (started, advanced, cancelled, re-run, claimed); the web's live views then read the changes from Postgres
 * (StateTransition), so a lost message costs latency, never a change. In the tenant's hash tag, like its streams.
 */
export const runEventsChannel = (prefix: string, tenantId: string) => `${prefix}:{tenant:${tenantId}}:run-events`;
