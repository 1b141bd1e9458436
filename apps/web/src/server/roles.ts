// Tenant roles, weakest first (DESIGN.md invariant 9): each role can do everything the ones before it can.
import type { Role } from "@gantry/db";

export const ROLE_ORDER = ["VIEWER", "DEVELOPER", "MAINTAINER", "ADMIN"] as const satisfies readonly Role[];

export function roleRank(role: Role): number {
  return ROLE_ORDER.indexOf(role);
}

/** True when `held` is `required` or stronger. */
export function hasRole(held: Role, required: Role): boolean {
  return roleRank(held) >= roleRank(required);
}

/** "maintainer" for MAINTAINER: how roles appear in messages and the UI. */
export function roleLabel(role: Role): string {
  return role.toLowerCase();
}
