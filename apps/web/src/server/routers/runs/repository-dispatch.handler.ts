import { randomUUID } from "node:crypto";
import { intake } from "@gantry/db";
import { repositoryDispatchDeliveryId } from "@gantry/jobs";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";
import type { RepositoryDispatchInput } from "./repository-dispatch.schema";

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * `repository_dispatch` from Gantry's API (GitHub's POST /repos/{owner}/{repo}/dispatches): records the event in
 * GitHub's payload shape (a WebhookDelivery, source "gantry": its payload is the runs' `github.event`) and asks the
 * worker to take it in; the worker runs the default branch's workflows `on: repository_dispatch` whose `types`
 * take event_type (apps/worker intake/gantry-events.ts). Plain git and GitHub repositories alike.
 */
export async function repositoryDispatchHandler({ ctx, input }: { ctx: TenantProcedureContext; input: RepositoryDispatchInput }) {
  const repository = await ctx.db.repository.findUnique({ where: { id: input.repositoryId } });
  if (!repository) throw new TRPCError({ code: "NOT_FOUND", message: `Repository ${input.repositoryId} does not exist in ${ctx.tenant.slug}.` });
  if (repository.archived) throw new TRPCError({ code: "BAD_REQUEST", message: `Repository ${repository.fullName} is archived.` });
  const [owner = "", name = ""] = repository.fullName.split("/");
  const payload = {
    action: input.eventType,
    branch: repository.defaultBranch,
    client_payload: input.clientPayload,
    repository: { full_name: repository.fullName, name, owner: { login: owner }, default_branch: repository.defaultBranch },
    sender: { login: ctx.session.email },
  };
  const deliveryId = repositoryDispatchDeliveryId(repository.id, input.idempotencyKey ?? randomUUID());
  const stored = await intake.recordDelivery(ctx.database.sql("record a repository_dispatch"), {
    deliveryId,
    source: "gantry",
    event: "repository_dispatch",
    action: input.eventType,
    tenantId: ctx.tenant.id,
    repositoryId: repository.id,
    payload,
  });
  if (!stored.duplicate) {
    await ctx.db.auditEvent.create({
      data: { tenantId: ctx.tenant.id, actorKind: "USER", actorId: ctx.session.userId, action: "repository.dispatch", targetType: "Repository", targetId: repository.id, data: { eventType: input.eventType, deliveryId: stored.id } },
    });
    // Best effort, as for manual runs: the delivery is stored, and the worker's sweep queues it if Redis is slow.
    await Promise.race([
      ctx.queues.add("intake", { deliveryId: stored.id }, `intake-${stored.id}`).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, ENQUEUE_TIMEOUT_MS)),
    ]);
  }
  return { deliveryId: stored.id, duplicate: stored.duplicate };
}
