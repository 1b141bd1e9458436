// What every tenant page and the tenant layout start with, once per request (React's cache): a signed-out visitor is
// sent to sign in and brought back to this exact page; a signed-in user who is not a member gets the 404 page with
// status 404 — the same answer as for a tenant that does not exist, so slugs cannot be probed, and no procedure is
// called that would throw (and log) its refusal.
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { getSessionUser } from "../auth";
import { serverCaller } from "../caller";
import { REQUEST_PATH_HEADER, signInPath } from "./local-path";

export const tenantAccess = cache(async (slug: string) => {
  const session = await getSessionUser();
  if (!session) redirect(signInPath((await headers()).get(REQUEST_PATH_HEADER) ?? `/t/${slug}`));
  const caller = serverCaller(session);
  const tenants = await caller.tenants.list();
  const current = tenants.find((tenant) => tenant.slug === slug);
  if (!current) notFound();
  return { session, caller, tenants, current };
});
