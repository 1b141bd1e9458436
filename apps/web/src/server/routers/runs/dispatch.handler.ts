import { randomUUID } from "node:crypto";
import { intake, runId } from "@gantry/db";
import { dispatchRunKey, type WorkflowDispatchPayload } from "@gantry/jobs";
import { workflowFileRefusal } from "@gantry/sources";
import { compileWorkflowWithCalls, dispatchTrigger, validateDispatchInputs } from "@gantry/workflow-schema";
import { TRPCError } from "@trpc/server";
import { filesAt, repositoryReader, RepositoryUnreadableError } from "../../repository-reader";
import { FieldErrors, type TenantProcedureContext } from "../../trpc";
import type { DispatchRunInput } from "./dispatch.schema";

const ENQUEUE_TIMEOUT_MS = 2_000;

const badRequest = (message: string) => new TRPCError({ code: "BAD_REQUEST", message });

/**
 * Starts a workflow by hand: resolves the ref, reads and compiles the workflow at that commit, checks the inputs
 * against its `workflow_dispatch` declarations (every problem at once, as `data.fieldErrors` with path ["inputs", name]),
 * then records the event durably (a WebhookDelivery, source "api") and asks the worker to take it in. Nothing is
 * written unless everything checks. The run id is known now (it derives from the idempotency key), so the UI can
 * open the run page before intake has created it.
 */
export async function dispatchRunHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DispatchRunInput }) {
  const repository = await ctx.db.repository.findUnique({ where: { id: input.repositoryId }, include: { gitSource: true, installation: true } });
  if (!repository) throw new TRPCError({ code: "NOT_FOUND", message: `Repository ${input.repositoryId} does not exist in ${ctx.tenant.slug}.` });
  if (repository.archived) throw badRequest(`Repository ${repository.fullName} is archived.`);
  const reader = await repositoryReader(repository, ctx.github).catch((error: unknown) => {
    if (error instanceof RepositoryUnreadableError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message });
    throw error;
  });
  const refName = input.ref ?? repository.defaultBranch;
  const resolved = await reader.resolve(refName);
  if (!resolved) throw badRequest(`No branch or tag "${refName}" in ${repository.fullName}.`);
  const refusal = workflowFileRefusal(input.workflowPath, await reader.workflowFiles(resolved.sha), repository);
  if (refusal) throw badRequest(`${input.workflowPath} does not run in ${repository.fullName} at ${resolved.ref}: ${refusal}.`);
  const source = await reader.readFile(resolved.sha, input.workflowPath);
  if (source === null) throw badRequest(`No workflow ${input.workflowPath} at ${resolved.ref} (${resolved.sha.slice(0, 7)}).`);
  const { plan, errors } = await compileWorkflowWithCalls(source, input.workflowPath, {}, filesAt(reader, resolved.sha));
  if (!plan) {
    const first = errors.filter((error) => error.severity === "error").slice(0, 3);
    throw badRequest(`${input.workflowPath} at ${resolved.ref} is not a valid workflow: ${first.map((error) => `${error.line}:${error.col} ${error.message}`).join("; ")}`);
  }
  const trigger = dispatchTrigger(plan.triggers);
  if (!trigger) throw badRequest(`${input.workflowPath} at ${resolved.ref} has no workflow_dispatch trigger, so it cannot be run by hand.`);

  const environments = await ctx.db.environment.findMany({ where: { repositoryId: repository.id }, select: { name: true } });
  const checked = validateDispatchInputs(trigger.inputs ?? [], input.inputs, { environments: environments.map((environment) => environment.name) });
  if (!checked.ok) {
    const message = checked.problems.map((problem) => problem.message).join("; ");
    const fields = checked.problems.map((problem) => ({ path: ["inputs", problem.input], message: problem.message, ...(problem.choices ? { choices: problem.choices } : {}) }));
    throw new TRPCError({ code: "BAD_REQUEST", message, cause: new FieldErrors(message, fields) });
  }

  const idempotencyKey = input.idempotencyKey ?? randomUUID();
  const payload: WorkflowDispatchPayload = {
    idempotencyKey,
    workflowPath: input.workflowPath,
    ref: resolved.ref,
    sha: resolved.sha,
    inputs: checked.inputs,
    actor: ctx.session.email,
  };
  const stored = await intake.recordDelivery(ctx.database.sql("record a manual run"), {
    deliveryId: dispatchRunKey(repository.id, idempotencyKey),
    source: "api",
    event: "workflow_dispatch",
    tenantId: ctx.tenant.id,
    repositoryId: repository.id,
    payload,
  });
  const id = runId(ctx.tenant.id, dispatchRunKey(repository.id, idempotencyKey));
  if (!stored.duplicate) {
    await ctx.db.auditEvent.create({
      data: { tenantId: ctx.tenant.id, actorKind: "USER", actorId: ctx.session.userId, action: "run.dispatch", targetType: "WorkflowRun", targetId: id, data: { ...payload } },
    });
    // Best effort, as for pushes: the delivery is stored, and the worker's sweep queues it if Redis is slow or down.
    await Promise.race([
      ctx.queues.add("intake", { deliveryId: stored.id }, `intake-${stored.id}`).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, ENQUEUE_TIMEOUT_MS)),
    ]);
  }
  return { runId: id, duplicate: stored.duplicate, ref: resolved.ref, sha: resolved.sha, inputs: checked.inputs };
}
