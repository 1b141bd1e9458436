// Entry point: `tsx apps/worker/src/main.ts`. Bad or unreachable env gives one clear line, not a stack trace.
import { z } from "zod";
import { parseWorkerEnv } from "./env";
import { checkConnections } from "./preflight";
import { startWorker } from "./worker";

function fail(message: string): never {
  console.error(`gantry worker: ${message}`);
  process.exit(1);
}

let env;
try {
  env = parseWorkerEnv(process.env);
} catch (error) {
  if (error instanceof z.ZodError) fail(error.issues.map((issue) => issue.message).join("; "));
  throw error;
}
// Handlers first: a signal that arrives while the worker is still starting waits for the start, then drains.
const state: { starting?: ReturnType<typeof startWorker> } = {};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (!state.starting) process.exit(0);
    void state.starting.then((worker) => worker.stop()).then(() => process.exit(0));
  });
}
const problem = await checkConnections(env);
if (problem) fail(problem);
state.starting = startWorker(env);
await state.starting;
