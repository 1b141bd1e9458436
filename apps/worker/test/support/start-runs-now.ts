// Tests of intake alone start a run's first advance in place (Postgres only, unless hooks say otherwise), where the
// worker asks the engine through the advance-run queue (intake/run-starter.ts).
import type { Database, TenantContext } from "@gantry/db";
import { startRun, type AdvanceOptions } from "@gantry/engine";
import type { RunStarter } from "../../src/intake/run-starter";

export const startRunsNow =
  (db: Database, hooks: (ctx: TenantContext) => AdvanceOptions = () => ({})): RunStarter =>
  async (ctx, runId) => {
    await startRun(db, ctx, runId, hooks(ctx));
  };
