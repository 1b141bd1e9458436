export { startWorker, type RunningWorker } from "./worker";
export { parseWorkerEnv, type WorkerEnv } from "./env";
export { jobCatalog } from "@gantry/jobs";
