import { createHash, randomBytes } from "node:crypto";

// Deterministic ids (DESIGN.md invariant 4): the same inputs always give the same id, so a duplicate
// insert collides on the primary key instead of making a second row.
export function deterministicId(prefix: string, ...parts: (string | number)[]): string {
  const digest = createHash("sha256").update(parts.map(String).join("\u0000")).digest("base64url");
  return `${prefix}_${digest.slice(0, 22)}`;
}

export const runId = (tenantId: string, idempotencyKey: string) => deterministicId("run", tenantId, idempotencyKey);
export const jobRunId = (runIdValue: string, jobKey: string) => deterministicId("job", runIdValue, jobKey);
export const attemptId = (jobRunIdValue: string, attempt: number) => deterministicId("att", jobRunIdValue, attempt);

/** A random id for rows that have no natural key (tenants, users, pools). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("base64url")}`;
}
