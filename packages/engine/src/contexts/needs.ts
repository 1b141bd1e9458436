// The `needs` context of one job: its direct needs by workflow job id, each with GitHub's result word and its
// outputs (a matrix job's cells folded together). The engine decides a job's `if:` with it and the claim sends
// the same object to the runner, so `needs.build.result == 'failure'` means one thing everywhere.
import type { JobRun } from "@gantry/db";
import type { NeedResult } from "@gantry/runner-protocol";
import { resultsByJobId } from "./conclusions";

export type NeedsContext = Record<string, { result: NeedResult; outputs: Record<string, unknown> }>;

export function needsContext(job: Pick<JobRun, "needs">, byId: ReadonlyMap<string, Pick<JobRun, "jobId" | "status" | "continueOnError" | "outputs">>): NeedsContext {
  return resultsByJobId(job.needs.flatMap((needId) => byId.get(needId) ?? []));
}
