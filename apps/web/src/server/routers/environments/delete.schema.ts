import type { z } from "zod";
import { environmentInput } from "./environment-input";

export const deleteEnvironmentInput = environmentInput;
export type DeleteEnvironmentInput = z.infer<typeof deleteEnvironmentInput>;
