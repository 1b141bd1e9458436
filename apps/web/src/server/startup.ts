import { checkWebEnvAtStartup } from "../env";

/** A bad environment stops `next start` at once with one line per problem (exit 1), before any request. */
export function startServer(): void {
  if (!checkWebEnvAtStartup()) process.exit(1);
}
