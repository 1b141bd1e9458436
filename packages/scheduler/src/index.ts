export { FairScheduler, type FairSchedulerOptions, type PoolStats } from "./fair-scheduler";
export type { PlaceInLine } from "./place-in-line";
export { DEFAULT_TENANT_POLICY, policyFromTenantPlan, tenantPolicySchema, type TenantPolicy } from "./policy";
export { DEFAULT_AGING_STEP_MS, priorityClasses, type PriorityClass } from "./priority";
export type { Claim, ClaimedEntry, ReadyEntry, RemoveOutcome } from "./types";
export { ClaimCoalescer } from "./claim-coalescer";
export { ReadyWaiter, announceReady, readyChannel, type ReadyWaiterOptions, type WakePolicy } from "./ready-signal";
