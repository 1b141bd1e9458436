import { z } from "zod";

/** Pool, tenant and job ids end up inside Redis key names and `|`-joined values, so they are kept to a safe alphabet. */
export const idSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@/-]+$/, "ids may use letters, digits and . _ : @ / - only");

export const DEFAULT_PREFIX = "gantry";

/**
 * The base of every key of one pool: `<prefix>:{pool:<poolId>}`. The braces are a Redis Cluster hash tag, so every
 * key a script derives from this base (`<base>:q:<tenant>`, `<base>:active`, …) lands in the pool's one slot.
 */
export function poolBase(prefix: string, poolId: string): string {
  return `${prefix}:{pool:${idSchema.parse(poolId)}}`;
}

/** Pools this prefix has seen, so that a tenant-wide policy reaches each of them (outside any pool's slot). */
export function poolRegistryKey(prefix: string): string {
  return `${prefix}:scheduling:pools`;
}

/** Tenant-wide policies (tenantId → JSON), copied into a pool when the pool is first registered. */
export function tenantPolicyRegistryKey(prefix: string): string {
  return `${prefix}:scheduling:tenant-policies`;
}
