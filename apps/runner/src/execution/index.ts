export { executeJob } from "./job-executor";
export { LogStream, truncationMarker, type LogChunk, type LogSink, type LogStreamOptions } from "./log-stream";
export { Masker, MASK } from "./masker";
export type { Annotation } from "./annotations";
export type * from "./types";
export { checkoutAction, type CheckoutSource } from "./checkout-action";
