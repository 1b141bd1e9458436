// The secrets of one job attempt (DESIGN.md invariant 8): handed to the runner with the claim — only the names
// the job references, never for an untrusted run (a pull request from a fork) — and used again to mask what the
// attempt sends back (logs, step summaries, annotations), so a runner that fails to mask cannot leak them.
import { secretsForJob, type Database } from "@gantry/db";
import { evaluateExpression, secretReferences, type SecretReferences } from "@gantry/workflow-schema";
import type { StoredJob, StoredPlan } from "../plan/read-plan";

export interface JobForSecrets {
  tenantId: string;
  key: string;
  environmentName: string | null;
  /** The run's plan as the engine's reader gave it (read once by the caller, not again here); null: unreadable. */
  run: { repositoryId: string; trusted: boolean; plan: StoredPlan | null };
}

type StoredSecrets = (wanted: SecretReferences) => Promise<Record<string, string>>;

export async function jobSecrets(database: Database, masterKey: Buffer | null, job: JobForSecrets, log: (line: string) => void = () => undefined): Promise<Record<string, string>> {
  if (!job.run.trusted) return {};
  const { plan } = job.run;
  const planned = plan?.jobs.find((candidate) => candidate.key === job.key);
  if (!plan || !planned) return {};
  // What a called job's caller passes (`callSecrets`) names the caller's secrets, not this job's.
  const { calledBy: _caller, callSecrets: _passed, ...own } = planned;
  const wanted = secretReferences(own);
  if (!wanted.all && wanted.names.length === 0) return {};
  if (!masterKey) {
    log(`job ${job.key} references secrets, but GANTRY_MASTER_KEY is not set on the control plane: it runs without them`);
    return {};
  }
  const declared = planned.environment?.name;
  const environmentName = job.environmentName ?? (declared && !declared.includes("${{") ? declared : null);
  const stored: StoredSecrets = (names) => secretsForJob(database, masterKey, { tenantId: job.tenantId, actor: { kind: "RUNNER" } }, { repositoryId: job.run.repositoryId, environmentName }, names);
  return secretsThroughCalls(plan.jobs, planned, wanted, stored);
}

/**
 * A job of a called reusable workflow sees what its call passes, as on GitHub: `secrets: inherit` — the caller's
 * own secrets; a `secrets:` map — each name's expression evaluated over the caller's secrets; nothing — none.
 * Calls nest, so the caller's secrets may themselves come through its own call.
 */
async function secretsThroughCalls(jobs: StoredJob[], planned: StoredJob, wanted: SecretReferences, stored: StoredSecrets): Promise<Record<string, string>> {
  if (planned.calledBy === undefined) return stored(wanted);
  const caller = jobs.find((candidate) => candidate.key === planned.calledBy);
  if (!caller || planned.callSecrets === undefined) return {};
  if (planned.callSecrets === "inherit") return secretsThroughCalls(jobs, caller, wanted, stored);
  const passed = Object.entries(planned.callSecrets).filter(([name]) => wanted.all || wanted.names.includes(name.toUpperCase()));
  const fromCaller = secretReferences(Object.fromEntries(passed));
  const callerSecrets = fromCaller.all || fromCaller.names.length > 0 ? await secretsThroughCalls(jobs, caller, fromCaller, stored) : {};
  const values: Record<string, string> = {};
  for (const [name, expression] of passed) {
    const value = expression.includes("${{") ? evaluateExpression(expression, { secrets: callerSecrets }) : { ok: true as const, value: expression };
    if (value.ok && value.value !== null && value.value !== "") values[name] = typeof value.value === "string" ? value.value : JSON.stringify(value.value);
  }
  return values;
}
