export * from "./test-database";
export * from "./catalog";
export * from "./count-statements";
export * from "./run-history";
