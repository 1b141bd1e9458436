// Benchmark `e2e-latency` (issue #17): push notification → first log line and status changes on screen in Chromium.
// The benchmark is apps/web/test/e2e/e2e-latency-bench.ts, beside the browser tests whose harness (production server,
// worker and runner processes, Chromium) it uses and with whose types it is checked; imported by a computed path so
// this project's typecheck does not take in the web app's (Next.js's globals change Node's for the runner's code).
import path from "node:path";
import { pathToFileURL } from "node:url";

await import(pathToFileURL(path.resolve(import.meta.dirname, "../apps/web/test/e2e/e2e-latency-bench.ts")).href);
