import type { z } from "zod";
import { tenantInput } from "../../trpc";
import { runFilterInput } from "./run-filter.schema";

export const runCountsInput = tenantInput.extend(runFilterInput.shape);
export type RunCountsInput = z.infer<typeof runCountsInput>;
