import { runId } from "@gantry/db";
import { dispatchRunKey, workflowDispatchPayload } from "@gantry/jobs";
import { compileWorkflowWithCalls, dispatchTrigger, type DispatchInputDeclaration } from "@gantry/workflow-schema";
import { filesAt, repositoryReader } from "../../repository-reader";
import type { TenantProcedureContext } from "../../trpc";
import type { DispatchableInput, IntakePendingInput } from "./dispatchable.schema";


export interface DispatchableWorkflow {
  repositoryId: string;
  repository: string;
  defaultBranch: string;
  workflowPath: string;
  name: string;
  inputs: DispatchInputDeclaration[];
  environments: string[];
}

/**
 * The workflows that can be run by hand: those with a `workflow_dispatch` trigger at each repository's
 * default branch, with their input declarations and the repository's environments, for the "Run workflow" form.
 * A repository that cannot be read is left out rather than failing the page.
 */
export async function dispatchableHandler({ ctx, input }: { ctx: TenantProcedureContext; input: DispatchableInput }): Promise<DispatchableWorkflow[]> {
  const repositories = await ctx.db.repository.findMany({
    where: { archived: false, ...(input.repositoryId ? { id: input.repositoryId } : {}) },
    include: { gitSource: true, installation: true, environments: { select: { name: true }, orderBy: { name: "asc" } } },
    orderBy: { fullName: "asc" },
  });
  const found: DispatchableWorkflow[] = [];
  for (const repository of repositories) {
    try {
      const reader = await repositoryReader(repository, ctx.github);
      const head = await reader.resolve(repository.defaultBranch);
      if (!head) continue;
      for (const file of await reader.workflowFiles(head.sha)) {
        const source = await reader.readFile(head.sha, file);
        if (source === null) continue;
        const { plan } = await compileWorkflowWithCalls(source, file, {}, filesAt(reader, head.sha));
        const trigger = plan && dispatchTrigger(plan.triggers);
        if (!plan || !trigger) continue;
        found.push({
          repositoryId: repository.id,
          repository: repository.fullName,
          defaultBranch: repository.defaultBranch,
          workflowPath: file,
          name: plan.name,
          inputs: trigger.inputs ?? [],
          environments: repository.environments.map((environment) => environment.name),
        });
      }
    } catch {
      continue;
    }
  }
  return found;
}

/** Whether a run id belongs to a manual run that is recorded but not created yet (the run page then waits for it). */
export async function intakePendingHandler({ ctx, input }: { ctx: TenantProcedureContext; input: IntakePendingInput }): Promise<{ pending: boolean }> {
  const deliveries = await ctx.database.system("manual runs waiting for intake (tenant filtered)").webhookDelivery.findMany({
    where: { tenantId: ctx.tenant.id, source: "api", event: "workflow_dispatch", status: "RECEIVED" },
    select: { repositoryId: true, payload: true },
    orderBy: { receivedAt: "desc" },
    take: 200,
  });
  const pending = deliveries.some((delivery) => {
    const payload = workflowDispatchPayload.safeParse(delivery.payload);
    return payload.success && delivery.repositoryId !== null && runId(ctx.tenant.id, dispatchRunKey(delivery.repositoryId, payload.data.idempotencyKey)) === input.runId;
  });
  return { pending };
}
