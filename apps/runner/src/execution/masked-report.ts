// What a step report carries to the control plane, masked at the step's end with every secret and every
// `::add-mask::` value registered so far — also those registered after an output was set or an annotation
// printed. The job's own `steps` context keeps the outputs in clear: a later step may need them, as on GitHub.
import type { Annotation } from "./annotations";
import type { Masker } from "./masker";
import type { StepReport } from "./types";

export function maskAnnotation(annotation: Annotation, masker: Masker): Annotation {
  return { ...annotation, message: masker.mask(annotation.message), ...(annotation.title !== undefined ? { title: masker.mask(annotation.title) } : {}) };
}

export function maskStepReport(report: StepReport, masker: Masker): StepReport {
  return {
    ...report,
    name: masker.mask(report.name),
    outputs: Object.fromEntries(Object.entries(report.outputs).map(([key, value]) => [key, masker.mask(value)])),
    annotations: report.annotations.map((annotation) => maskAnnotation(annotation, masker)),
    ...(report.summary !== undefined ? { summary: masker.mask(report.summary) } : {}),
    ...(report.error !== undefined ? { error: masker.mask(report.error) } : {}),
  };
}
