// What the step route stores in StepRun.annotations (the runner's `::error|warning|notice file=,line=,col=::` lines,
// masked and bounded: annotation-limits.ts), read back defensively: a row that does not parse reads as none.
import { z } from "zod";

export const storedAnnotations = z
  .array(z.object({ level: z.string(), message: z.string(), file: z.string().optional(), line: z.number().optional(), col: z.number().optional(), title: z.string().optional() }))
  .catch([]);
export type StoredAnnotation = z.infer<typeof storedAnnotations>[number];
