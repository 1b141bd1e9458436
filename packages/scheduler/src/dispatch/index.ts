export { choosePool, type PoolChoice, type PoolDecision } from "./pools";
export { enqueueReady, type EnqueueResult } from "./enqueue-ready";
export { claimJob, type ClaimedJob } from "./claim-job";
export { rebuildPools } from "./rebuild-pools";
export { priorityClassOf } from "./priority-of";
export { jobReceivesSecrets } from "./job-receives-secrets";
export { completeAttempt, type AttemptReport } from "./complete-attempt";
