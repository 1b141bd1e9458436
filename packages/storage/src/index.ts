export * from "./object-store";
export * from "./object-keys";
export * from "./upload-staging";
