import { z } from "zod";

/** A tenant's share of one pool, from its plan. `null` means no limit. */
export const tenantPolicySchema = z.object({
  /** Share relative to other backlogged tenants: weights 2 and 1 get 2:1 of the claims. */
  weight: z.number().positive().max(1_000_000),
  /** Jobs claimed and not yet released, at most. */
  maxConcurrent: z.number().int().min(0).nullable(),
  /** Token-bucket refill, claims per second. */
  ratePerSec: z.number().positive().nullable(),
  /** Token-bucket size: claims allowed back to back after an idle spell. */
  burst: z.number().int().min(1),
});
export type TenantPolicy = z.infer<typeof tenantPolicySchema>;

export const DEFAULT_TENANT_POLICY: TenantPolicy = { weight: 1, maxConcurrent: null, ratePerSec: null, burst: 1 };

/** Lua sees -1 for "no limit" (Lua 5.1 has no null, and `inf` does not survive every string conversion). */
export function policyArgs(policy: TenantPolicy): [string, string, string, string] {
  return [
    String(policy.weight),
    String(policy.maxConcurrent ?? -1),
    String(policy.ratePerSec ?? -1),
    String(policy.burst),
  ];
}

/**
 * A Tenant row's plan (packages/db: `schedulingWeight`, `maxConcurrentJobs`) as a pool policy. The plan has no rate
 * fields yet, so there is no rate limit unless one is given.
 */
export function policyFromTenantPlan(
  plan: { schedulingWeight: number; maxConcurrentJobs: number },
  rate: { ratePerSec: number; burst: number } | null = null,
): TenantPolicy {
  return tenantPolicySchema.parse({
    weight: plan.schedulingWeight,
    maxConcurrent: plan.maxConcurrentJobs,
    ratePerSec: rate?.ratePerSec ?? null,
    burst: rate?.burst ?? 1,
  });
}
