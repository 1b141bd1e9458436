export { choosePool, type PoolChoice } from "./pools";
export { enqueueReady, type EnqueueResult } from "./enqueue-ready";
export { claimJob, type ClaimedJob } from "./claim-job";
export { rebuildPools } from "./rebuild-pools";
export { priorityClassOf } from "./priority-of";
export { completeAttempt, type AttemptReport } from "./complete-attempt";
