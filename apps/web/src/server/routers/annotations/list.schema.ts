import { z } from "zod";
import { tenantInput } from "../../trpc";

/** A run's annotations. */
export const listAnnotationsInput = tenantInput.extend({ runId: z.string().min(1).max(100) });
export type ListAnnotationsInput = z.infer<typeof listAnnotationsInput>;
