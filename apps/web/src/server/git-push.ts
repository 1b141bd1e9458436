// POST /api/git/sources/:sourceId/push — a plain git server announces a push (scripts/git-hooks/post-receive).
// Verified (HMAC-SHA256 of the raw body with the source's own secret, constant time), stored as a delivery,
// answered 202 at once; the worker's intake job does the rest from the stored row (DESIGN.md invariant 1).
// A refused call writes nothing.
import { createHmac, timingSafeEqual } from "node:crypto";
import { gitSourceSecretPurpose, intake, secretStore, SecretError, type Database, type TenantContext } from "@gantry/db";
import { gitPushPayload, type Queues } from "@gantry/jobs";
import { bodyTooLarge, readBoundedBody } from "./http/bounded-body";

export const MAX_PUSH_BYTES = 64 * 1024;
const ENQUEUE_TIMEOUT_MS = 2_000;

export interface GitPushDeps {
  database: Database;
  masterKey: Buffer | null;
  queues: Pick<Queues, "add">;
}

function refuse(status: number, code: string, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, code, ...extra }, { status });
}

function signatureMatches(secret: string, body: string, header: string | null): boolean {
  const match = header ? /^sha256=([0-9a-f]{64})$/i.exec(header.trim()) : null;
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(match[1], "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function handleGitPush(request: Request, sourceId: string, deps: GitPushDeps): Promise<Response> {
  // Bounded while read, before the source lookup and the HMAC (issue #13: a 1.5 GB body was buffered whole).
  const bounded = await readBoundedBody(request, MAX_PUSH_BYTES);
  if (!bounded.ok) return bodyTooLarge(bounded.limit, "A push notification");
  const body = bounded.bytes.toString("utf8");
  if (!deps.masterKey) return refuse(503, "not_configured", "Push notifications need GANTRY_MASTER_KEY on the control plane.");

  const source = await deps.database
    .system("push notification: find the git source before its tenant is known")
    .gitSource.findUnique({ where: { id: sourceId }, select: { id: true, tenantId: true, notifySecretCiphertext: true } });
  // Unknown source, no secret, wrong key or wrong signature all read the same: nothing to learn by probing.
  const unauthorized = () => refuse(401, "unauthorized", "The signature does not verify for this git source.");
  if (!source || source.notifySecretCiphertext.length === 0) return unauthorized();
  const ctx: TenantContext = { tenantId: source.tenantId, actor: { kind: "SYSTEM", id: `git-source:${source.id}` } };
  const scoped = deps.database.forTenant(ctx);
  let secret: string;
  try {
    secret = await secretStore(scoped, ctx, deps.masterKey).openValue(gitSourceSecretPurpose(source.id), source.notifySecretCiphertext);
  } catch (error) {
    if (error instanceof SecretError) return unauthorized();
    throw error;
  }
  if (!signatureMatches(secret, body, request.headers.get("x-gantry-signature-256"))) return unauthorized();

  const deliveryId = request.headers.get("x-gantry-delivery")?.trim() ?? "";
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(deliveryId)) {
    return refuse(400, "invalid_delivery", "X-Gantry-Delivery must be an id of 8–100 letters, digits, dots, dashes, colons or underscores.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return refuse(400, "invalid_json", "The body is not JSON.");
  }
  const parsed = gitPushPayload.safeParse(json);
  if (!parsed.success) {
    return refuse(400, "invalid_body", "The body is not a push notification.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  const repository = await scoped.repository.findFirst({
    where: { gitSourceId: source.id, fullName: parsed.data.repository },
    select: { id: true },
  });
  if (!repository) return refuse(404, "unknown_repository", `Repository ${parsed.data.repository} is not connected to this git source.`);

  const stored = await intake.recordDelivery(deps.database.sql("store a verified delivery"), {
    deliveryId,
    source: "git",
    event: "push",
    tenantId: source.tenantId,
    repositoryId: repository.id,
    payload: parsed.data,
  });
  if (!stored.duplicate) {
    // Best effort: when Redis is slow or down the delivery is still stored, and the worker's sweep queues it.
    await Promise.race([
      deps.queues.add("intake", { deliveryId: stored.id }, `intake-${stored.id}`).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, ENQUEUE_TIMEOUT_MS)),
    ]);
  }
  return Response.json({ deliveryId: stored.id, duplicate: stored.duplicate }, { status: 202 });
}
