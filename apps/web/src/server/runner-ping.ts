// POST /api/runner/v1/ping: a runner announces itself with its pool's registration token. The contract is
// @gantry/runner-protocol's pingRequest/pingResponse; refused calls write nothing.
import { hashToken, newToken, randomId, tokenMatches, type Database } from "@gantry/db";
import {
  errorResponse,
  pingRequest,
  pingResponse,
  type ErrorResponse,
  type PingResponse,
} from "@gantry/runner-protocol";
import { z } from "zod";
import { bodyTooLarge, readBoundedBody } from "./http/bounded-body";
import { isUniqueViolation } from "./prisma-errors";
import { providerColumns } from "./provider-columns";

export const NEXT_PING_MS = 5_000;
/** A ping is a few hundred bytes; anything far larger is not one. */
export const MAX_PING_BYTES = 16 * 1024;

function json<T>(schema: z.ZodType<T>, body: T, status: number): Response {
  return Response.json(schema.parse(body), { status });
}

function refuse(status: number, code: string, error: string, extra: Record<string, unknown> = {}): Response {
  const body: ErrorResponse = errorResponse.parse({ error, code });
  return Response.json({ ...body, ...extra }, { status });
}


export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export async function handleRunnerPing(
  request: Request,
  database: Database,
  now: () => Date = () => new Date(),
): Promise<Response> {
  const token = bearerToken(request);
  if (!token)
    return refuse(401, "unauthorized", "Missing `Authorization: Bearer <pool registration token>` header.");
  // Bounded while read and before the token lookup: an unauthenticated caller costs at most MAX_PING_BYTES.
  const bounded = await readBoundedBody(request, MAX_PING_BYTES);
  if (!bounded.ok) return bodyTooLarge(bounded.limit, "A ping body");

  const system = database.system("runner ping: find the pool by its registration token");
  const pool = await system.runnerPool.findFirst({
    where: { registrationTokenHash: hashToken(token) },
    select: { id: true, name: true, registrationTokenHash: true },
  });
  if (!pool || !tokenMatches(token, pool.registrationTokenHash)) {
    return refuse(401, "unauthorized", "The registration token does not belong to any runner pool.");
  }

  const text = bounded.bytes.toString("utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse(400, "invalid_json", "The body is not JSON.");
  }
  const parsed = pingRequest.safeParse(raw);
  if (!parsed.success) {
    return refuse(400, "invalid_body", z.prettifyError(parsed.error), { issues: parsed.error.issues });
  }

  const ping = parsed.data;
  const seenAt = now();
  const upsert = () =>
    system.runner.upsert({
      where: { poolId_name: { poolId: pool.id, name: ping.name } },
      create: {
        id: randomId("rnr"),
        poolId: pool.id,
        name: ping.name,
        // Ping issues no credential; until register does, the row holds the hash of a token nobody knows.
        credentialHash: hashToken(newToken("unissued")),
        status: "ONLINE",
        version: ping.version,
        capacity: ping.capacity,
        providers: providerColumns(ping.providers),
        lastSeenAt: seenAt,
      },
      update: { status: "ONLINE", version: ping.version, capacity: ping.capacity, providers: providerColumns(ping.providers), lastSeenAt: seenAt },
      select: { id: true },
    });
  let runner: { id: string };
  try {
    runner = await upsert();
  } catch (error) {
    // Prisma runs this as INSERT … ON CONFLICT today; should it fall back to find-then-insert, two first pings
    // of one runner can race and one loses on (poolId, name). The row then exists, so the retry updates it.
    if (!isUniqueViolation(error)) throw error;
    runner = await upsert();
  }
  const body: PingResponse = { runnerId: runner.id, pool: pool.name, nextPingMs: NEXT_PING_MS };
  return json(pingResponse, body, 200);
}
