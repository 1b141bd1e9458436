export * from "./deliveries";
export * from "./create-run";
