import type { ExprWhere } from "../model";

/** Contexts and special functions allowed per workflow key (GitHub docs, "Context availability"). */
interface Avail {
  contexts: readonly string[];
  functions: readonly string[];
}

const G = ["github", "inputs", "vars"];
const JOB = [...G, "needs", "strategy", "matrix"];
const STEP = [...JOB, "job", "runner", "env", "secrets", "steps"];
const STATUS = ["always", "cancelled", "failure", "success"];

export const AVAILABILITY: Record<ExprWhere, Avail> = {
  "run-name": { contexts: G, functions: [] },
  "workflow-concurrency": { contexts: G, functions: [] },
  "workflow-env": { contexts: [...G, "secrets"], functions: [] },
  "workflow-call-input-default": { contexts: G, functions: [] },
  "workflow-call-output-value": { contexts: [...G, "jobs"], functions: [] },
  "workflow-defaults-run": { contexts: [], functions: [] },
  "job-name": { contexts: JOB, functions: [] },
  "job-if": { contexts: ["github", "needs", "vars", "inputs"], functions: STATUS },
  "job-runs-on": { contexts: JOB, functions: [] },
  "job-snapshot": { contexts: JOB, functions: [] },
  "job-env": { contexts: [...JOB, "secrets"], functions: [] },
  "job-environment": { contexts: JOB, functions: [] },
  "job-environment-url": { contexts: [...JOB, "job", "runner", "env", "steps"], functions: [] },
  "job-concurrency": { contexts: JOB, functions: [] },
  "job-outputs": { contexts: [...JOB, "job", "runner", "env", "secrets", "steps"], functions: [] },
  "job-timeout-minutes": { contexts: JOB, functions: [] },
  "job-continue-on-error": { contexts: JOB, functions: [] },
  "job-strategy": { contexts: ["github", "needs", "vars", "inputs"], functions: [] },
  "job-defaults-run": { contexts: [...JOB, "env"], functions: [] },
  "job-with": { contexts: JOB, functions: [] },
  "job-secrets": { contexts: [...JOB, "secrets"], functions: [] },
  "job-container": { contexts: JOB, functions: [] },
  "job-container-credentials": { contexts: [...JOB, "env", "secrets"], functions: [] },
  "job-container-env": { contexts: [...JOB, "job", "runner", "env", "secrets"], functions: [] },
  "job-services": { contexts: JOB, functions: [] },
  "job-services-credentials": { contexts: [...JOB, "env", "secrets"], functions: [] },
  "job-services-env": { contexts: [...JOB, "job", "runner", "env", "secrets"], functions: [] },
  "step-if": { contexts: STEP.filter((c) => c !== "secrets"), functions: [...STATUS, "hashFiles"] },
  "step-name": { contexts: STEP, functions: ["hashFiles"] },
  "step-run": { contexts: STEP, functions: ["hashFiles"] },
  "step-env": { contexts: STEP, functions: ["hashFiles"] },
  "step-with": { contexts: STEP, functions: ["hashFiles"] },
  "step-working-directory": { contexts: STEP, functions: ["hashFiles"] },
  "step-continue-on-error": { contexts: STEP, functions: ["hashFiles"] },
  "step-timeout-minutes": { contexts: STEP, functions: ["hashFiles"] },
  "step-shell": { contexts: [], functions: [] },
  "step-uses": { contexts: [], functions: [] },
  "step-id": { contexts: [], functions: [] },
};
