export * from "./test-database";
export * from "./catalog";
