// Entry point: `tsx apps/runner/src/main.ts`.
import { z } from "zod";
import { startAgent } from "./agent";
import { parseRunnerEnv } from "./env";
import { closeInheritedFds } from "./inherited-fds";

let env;
try {
  env = parseRunnerEnv(process.env);
} catch (error) {
  if (error instanceof z.ZodError) {
    console.error(`gantry runner: ${error.issues.map((issue) => issue.message).join("; ")}`);
    process.exit(1);
  }
  throw error;
}
// Before any sandbox starts: nothing this process inherited may reach a job.
const closed = closeInheritedFds();
if (closed.length > 0) console.log(`runner: closed descriptors inherited without close-on-exec: ${closed.join(", ")}`);
const agent = startAgent(env);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => agent.stop());
agent.done.then(
  () => process.exit(0),
  () => process.exit(1),
);
