// Who may open which settings page: the caller's role in the tenant, looked up once per request (the area's layout
// and the page's gate share it), and the gate that answers 403 below a page's role.
import { forbidden } from "next/navigation";
import { cache } from "react";
import type { Role } from "@gantry/db";
import { getSessionUser } from "../../../server/auth";
import { serverCaller } from "../../../server/caller";
import { hasRole } from "../../../server/roles";
import { SETTINGS_PAGES, type SettingsPageKey } from "./settings-pages";

/** The signed-in user's role in `tenant`; undefined when signed out or not a member. */
export const roleInTenant = cache(async (tenant: string): Promise<Role | undefined> => {
  const session = await getSessionUser();
  if (!session) return undefined;
  return (await serverCaller(session).tenants.list()).find((membership) => membership.slug === tenant)?.role;
});

/** Renders the tenant's forbidden page (HTTP 403, forbidden.tsx) unless the caller holds the page's role. */
export async function gateSettingsPage(tenant: string, page: SettingsPageKey): Promise<void> {
  const role = await roleInTenant(tenant);
  if (!role || !hasRole(role, SETTINGS_PAGES[page].role)) forbidden();
}
