// Entry point: `tsx apps/runner/src/main.ts`.
import { z } from "zod";
import { startAgent } from "./agent";
import { parseRunnerEnv } from "./env";

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
const agent = startAgent(env);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => agent.stop());
agent.done.then(
  () => process.exit(0),
  () => process.exit(1),
);
