import { z } from "zod";
import { githubId, installationRef, repository, sender, sha } from "./common";

// updated_at moves whenever the suite changes (a re-run adds check runs): with the id it tells a replayed
// rerequest from a genuine later one (apps/worker intake/github/rerun.ts).
// `app`: the App that made the suite or check run; events of Gantry's own checks start no `on: check_*` workflows.
const app = z.object({ id: githubId }).nullable().optional();
const suite = z.object({ id: githubId, head_branch: z.string().nullable(), head_sha: sha, updated_at: z.string().max(64).optional(), app });

/** `check_run`: Gantry acts on `rerequested` ("Re-run" on one check); the rest are stored and ignored. */
export const checkRunEvent = z.object({
  action: z.string(),
  check_run: z.object({ id: githubId, name: z.string(), head_sha: sha, external_id: z.string().nullable().optional(), check_suite: suite, app }),
  repository,
  sender: sender.optional(),
  installation: installationRef.optional(),
});

/** `check_suite`: Gantry acts on `rerequested` ("Re-run all checks"). */
export const checkSuiteEvent = z.object({
  action: z.string(),
  check_suite: suite,
  repository,
  sender: sender.optional(),
  installation: installationRef.optional(),
});

export type CheckRunEvent = z.infer<typeof checkRunEvent>;
export type CheckSuiteEvent = z.infer<typeof checkSuiteEvent>;
