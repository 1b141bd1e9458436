export { startWorker, type RunningWorker } from "./worker";
export { parseWorkerEnv, type WorkerEnv } from "./env";
export { reapLapsedLeases } from "./jobs/reap-leases";
export { jobCatalog } from "@gantry/jobs";
