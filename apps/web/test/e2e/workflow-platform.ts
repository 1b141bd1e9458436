// The set-up of browser tests that run real workflows, registered as the file's beforeAll/afterAll: the production
// build, a fresh test database with the demo tenant, `files` committed to the demo repository's bare git repository,
// the production server with an object store, the real worker and runner processes, and Chromium.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { setupWebTest, type WebTestContext } from "../support";
import { demoRepository, type DemoRepository } from "./demo-repository";
import { CHROMIUM, ensureWebBuild, launchChromium, startWebServer, type WebServer } from "./harness";
import { startWorkerAndRunner, type PlatformProcesses } from "./platform-processes";

export interface WorkflowPlatform {
  t: WebTestContext;
  server: WebServer;
  browser: Browser;
  /** The server's, worker's and runner's output so far (for a failed poll's message). */
  output(): string;
}

/** The getter throws until everything is up. */
export function useWorkflowPlatform(files: Record<string, string>): () => WorkflowPlatform {
  let t: WebTestContext | undefined;
  let server: WebServer | undefined;
  let platform: PlatformProcesses | undefined;
  let browser: Browser | undefined;
  let repository: DemoRepository | undefined;
  const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-storage-"));
  const output = () => `${server?.output() ?? ""}\n${platform?.output() ?? ""}`;
  beforeAll(async () => {
    await ensureWebBuild();
    t = await setupWebTest();
    repository = await demoRepository(t, files);
    const env = { ...t.env, GANTRY_STORAGE_DIR: storage };
    server = await startWebServer(env);
    platform = startWorkerAndRunner(server, env, t.registrationToken);
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await server?.stop();
    await t?.close();
    repository?.remove();
    rmSync(storage, { recursive: true, force: true });
  });
  return () => {
    if (!t || !server || !browser) throw new Error(`the test database, the server, the worker and runner or ${CHROMIUM} did not start`);
    return { t, server, browser, output };
  };
}
