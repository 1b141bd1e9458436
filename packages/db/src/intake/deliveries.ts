// Webhook and push-notification deliveries (DESIGN.md invariant 1): stored before anything else happens,
// processed from the stored row, and a redelivery of the same id is recognised, not stored twice.
import type { Prisma } from "../generated/prisma/client";
import type { RawPrismaClient, SqlClient } from "../client";
import { deterministicId } from "../ids";

export interface DeliveryInput {
  /** GitHub's X-GitHub-Delivery, the id our push notifier sends, or one derived from an API client's idempotency key. */
  deliveryId: string;
  /**
   * "api": a manual or API run (workflow_dispatch) recorded by the web; "gantry": an event Gantry made itself in
   * GitHub's payload shape (workflow_run, repository_dispatch from the API), whose payload is the runs' github.event.
   */
  source: "github" | "git" | "api" | "gantry";
  event: string;
  action?: string;
  tenantId?: string;
  repositoryId?: string;
  /**
   * GitHub's ids from the payload, when the tenant is not known yet: the row gets the installation's tenant (else
   * the repository's), and the repository when it belongs to that tenant. Unknown ids leave the row unresolved.
   */
  github?: { installationId?: string; repositoryId?: string };
  payload: Prisma.InputJsonValue;
  /** The payload exactly as received, already known to be a JSON object: stored as it is, not serialized again. */
  payloadText?: string;
}

export interface RecordedDelivery {
  id: string;
  /** true when this delivery id was stored before, by an earlier call or earlier in the same batch. */
  duplicate: boolean;
}

// One statement for a whole batch: resolve each delivery's owner from GitHub's ids, insert what is new, return the
// ids inserted. The webhook endpoint group-commits concurrent deliveries into it (apps/web/src/server/github/
// delivery-writer.ts): one round trip per batch instead of two per delivery is most of its throughput (bench/intake.ts).
const INSERT_DELIVERIES = `
  WITH incoming AS (
    SELECT t.*, payloads.payload
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])
           WITH ORDINALITY AS t(id, "deliveryId", source, event, action, "tenantId", "repositoryId", "githubInstallationId", "githubRepoId", n)
    JOIN jsonb_array_elements($10::jsonb) WITH ORDINALITY AS payloads(payload, n) USING (n)
  ), resolved AS (
    SELECT incoming.*, COALESCE(incoming."tenantId", installation."tenantId", repository."tenantId") AS owner,
           repository.id AS "resolvedRepositoryId", repository."tenantId" AS "repositoryTenant"
    FROM incoming
    LEFT JOIN "Installation" installation ON installation."githubInstallationId" = incoming."githubInstallationId"
    LEFT JOIN "Repository" repository ON repository."githubRepoId" = incoming."githubRepoId"
  )
  INSERT INTO "WebhookDelivery" (id, "deliveryId", source, event, action, "tenantId", "repositoryId", payload)
  SELECT id, "deliveryId", source, event, action, owner,
         -- A repository that belongs to another tenant than the installation is not this delivery's.
         COALESCE("repositoryId", CASE WHEN "repositoryTenant" = owner THEN "resolvedRepositoryId" END), payload
  FROM resolved
  ON CONFLICT DO NOTHING
  RETURNING id`;

/**
 * Stores the deliveries in one plain INSERT … ON CONFLICT DO NOTHING; a delivery id stored before (or twice in the
 * batch) comes back `duplicate: true` and writes nothing. Plain SQL, not Prisma: this is the webhook endpoint's hot
 * path, and Prisma's query compiler costs several times the CPU of the insert itself for a payload of a few kilobytes.
 */
export async function recordDeliveries(sql: SqlClient, inputs: readonly DeliveryInput[]): Promise<RecordedDelivery[]> {
  if (inputs.length === 0) return [];
  const ids = inputs.map((input) => deterministicId("dlv", input.source, input.deliveryId));
  const column = <T>(pick: (input: DeliveryInput) => T) => inputs.map(pick);
  const { rows } = await sql.query<{ id: string }>(INSERT_DELIVERIES, [
    ids,
    column((input) => `${input.source}:${input.deliveryId}`),
    column((input) => input.source),
    column((input) => input.event),
    column((input) => input.action ?? null),
    column((input) => input.tenantId ?? null),
    column((input) => input.repositoryId ?? null),
    column((input) => (input.tenantId ? null : (input.github?.installationId ?? null))),
    column((input) => (input.tenantId ? null : (input.github?.repositoryId ?? null))),
    // The payloads as one JSON array, joined as text: each is JSON already, so nothing is escaped or parsed twice.
    `[${inputs.map((input) => input.payloadText ?? JSON.stringify(input.payload)).join(",")}]`,
  ]);
  const inserted = new Set(rows.map((row) => row.id));
  return ids.map((id) => {
    const fresh = inserted.delete(id); // the first of several same ids in one batch is the stored one
    return { id, duplicate: !fresh };
  });
}

export async function recordDelivery(sql: SqlClient, input: DeliveryInput): Promise<RecordedDelivery> {
  const [recorded] = await recordDeliveries(sql, [input]);
  if (!recorded) throw new Error("recordDeliveries returned nothing for one delivery");
  return recorded;
}

export type DeliveryOutcome = "PROCESSED" | "IGNORED" | "FAILED";

/** RECEIVED → an outcome, once; a second intake of the same delivery finds it settled and does nothing. */
export async function settleDelivery(sys: RawPrismaClient, id: string, outcome: DeliveryOutcome, error?: string): Promise<boolean> {
  const { count } = await sys.webhookDelivery.updateMany({
    where: { id, status: "RECEIVED" },
    data: { status: outcome, error: error ?? null, processedAt: new Date() },
  });
  return count === 1;
}
