export * from "./statuses";
export * from "./runs";
export * from "./jobs";
export * from "./attempts";
export * from "./assignments";
export * from "./steps";
export * from "./approvals";
export type { TransitionResult, SqlRunner } from "./conditional-update";
export * from "./matrix-expansion";
