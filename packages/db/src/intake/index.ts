export * from "./deliveries";
export * from "./create-run";
export * from "./workflow-diagnostics";
