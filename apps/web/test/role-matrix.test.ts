// The role matrix, generated from the router: every procedure of the app router declares what it needs (its meta,
// server/trpc.ts), and each tenant procedure refuses an outsider (signed in, not a member) and every role below
// the one it declares with FORBIDDEN — before its own input is parsed, so `{ tenant }` alone is enough to ask.
// A procedure added without a declared access fails here; so does one whose declared role is not what it checks.
import type { Role } from "@gantry/db";
import { TRPCError, type AnyTRPCProcedure } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { SessionUser } from "../src/server/auth";
import { ROLE_ORDER, roleRank } from "../src/server/roles";
import { appRouter } from "../src/server/routers/_app";
import { createTRPCContext } from "../src/server/trpc";
import { addMember, DEMO, setupWebTest, type WebTestContext } from "./support";

/** Procedures that need no tenant, named here on purpose: adding one is a decision this list records. */
const PUBLIC = ["health.status"];
// The signed-in user's own: their tenants, an invitation addressed to them, their personal API tokens (api-tokens.test.ts).
const AUTHED = ["tenants.list", "invitations.get", "invitations.accept", "apiTokens.create", "apiTokens.list", "apiTokens.revoke"];

const metaSchema = z.discriminatedUnion("access", [
  z.object({ access: z.literal("public") }),
  z.object({ access: z.literal("authed") }),
  z.object({ access: z.literal("tenant"), role: z.enum(ROLE_ORDER) }),
]);

function isProcedure(value: unknown): value is AnyTRPCProcedure {
  return typeof value === "function" && "_def" in value && typeof value._def === "object" && value._def !== null && "procedure" in value._def;
}

// tRPC keeps every procedure under its dotted path in `_def.procedures`.
const procedures: Record<string, unknown> = appRouter._def.procedures;
const all = Object.entries(procedures).flatMap(([path, value]) => (isProcedure(value) ? [{ path, procedure: value, meta: metaSchema.safeParse(value._def.meta) }] : []));

let t: WebTestContext;
const users = new Map<Role | "outsider", SessionUser>();

async function call(procedure: AnyTRPCProcedure, path: string, session: SessionUser | null, input: unknown): Promise<TRPCError | null> {
  const ctx = createTRPCContext({ session, database: t.database, redis: t.redis, queues: t.queues });
  try {
    await procedure({ ctx, path, type: procedure._def.type, getRawInput: () => Promise.resolve(input), signal: undefined, batchIndex: 0 });
    return null;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
}

beforeAll(async () => {
  t = await setupWebTest();
  users.set("outsider", await addMember(t.database, null));
  for (const role of ROLE_ORDER) users.set(role, await addMember(t.database, role));
});
afterAll(async () => {
  await t?.close();
});

describe("the role matrix", () => {
  it("finds the router's procedures, each with a declared access", () => {
    expect(all.length).toBeGreaterThan(20);
    const undeclared = all.filter((entry) => !entry.meta.success).map((entry) => entry.path);
    expect(undeclared, "procedures without a declared access (use publicProcedure, authedProcedure or roleProcedure)").toEqual([]);
    const of = (access: string) => all.filter((entry) => entry.meta.data?.access === access).map((entry) => entry.path).sort();
    expect(of("public")).toEqual([...PUBLIC].sort());
    expect(of("authed")).toEqual([...AUTHED].sort());
  });

  it.each(all.filter((entry) => entry.meta.data?.access !== "public").map((entry) => [entry.path, entry] as const))("%s refuses a caller who is not signed in", async (path, entry) => {
    const error = await call(entry.procedure, path, null, { tenant: DEMO.tenantSlug });
    expect(error?.code).toBe("UNAUTHORIZED");
  });

  const tenantProcedures = all.flatMap((entry) => (entry.meta.data?.access === "tenant" ? [{ ...entry, role: entry.meta.data.role }] : []));
  it.each(tenantProcedures.map((entry) => [entry.path, entry.role, entry] as const))("%s (%s) refuses outsiders and every role below", async (path, required, entry) => {
    const below: (Role | "outsider")[] = ["outsider", ...ROLE_ORDER.filter((role) => roleRank(role) < roleRank(required))];
    for (const who of below) {
      const error = await call(entry.procedure, path, users.get(who) ?? null, { tenant: DEMO.tenantSlug });
      expect(error?.code, `${path} as ${who}`).toBe("FORBIDDEN");
    }
    // The declared role is the one checked: its holder gets past the role check (to the input, or further).
    const error = await call(entry.procedure, path, users.get(required) ?? null, { tenant: DEMO.tenantSlug });
    expect(error?.message ?? "", `${path} as ${required}`).not.toMatch(/role in tenant|not a member of tenant/);
  });
});
