import { z } from "zod";
import { tenantInput } from "../../trpc";

export const dispatchableInput = tenantInput.extend({ repositoryId: z.string().min(1).max(100).optional() });
export type DispatchableInput = z.infer<typeof dispatchableInput>;

/** A manual run the intake has not taken in yet: its run id is known, its run row is not there yet. */
export const intakePendingInput = tenantInput.extend({ runId: z.string().min(1).max(100) });
export type IntakePendingInput = z.infer<typeof intakePendingInput>;
