// One platform per browser test file that runs real workflows: the production build and server, the real worker and
// runner (platform-processes.ts), a demo repository holding the file's workflows, its own object store and Chromium;
// and a workflow dispatched from the Run workflow form, awaited until its run has ended.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO } from "@gantry/db";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { setupWebTest, type WebTestContext } from "../support";
import { demoRepository, type DemoRepository } from "./demo-repository";
import { ensureWebBuild, launchChromium, poll, startWebServer, type WebServer } from "./harness";
import { startWorkerAndRunner, type PlatformProcesses } from "./platform-processes";

export interface WorkflowPlatform {
  t: WebTestContext;
  server: WebServer;
  browser: Browser;
  /** The object store's directory (GANTRY_STORAGE_DIR of the server, worker and runner). */
  storage: string;
  /** The server's, worker's and runner's output, for a failure's message. */
  output(): string;
}

/**
 * Starts the platform before the file's tests (`files`: the demo repository's, e.g. its workflows; `env`: more for the
 * web server, worker and runner, e.g. GANTRY_MASTER_KEY for secrets) and stops it after.
 */
export function useWorkflowPlatform(name: string, files: Record<string, string>, extraEnv: Record<string, string> = {}): () => WorkflowPlatform {
  let t: WebTestContext | undefined;
  let server: WebServer | undefined;
  let platform: PlatformProcesses | undefined;
  let browser: Browser | undefined;
  let repository: DemoRepository | undefined;
  const storage = mkdtempSync(path.join(os.tmpdir(), `gantry-e2e-${name}-`));
  const output = () => `${server?.output() ?? ""}\n${platform?.output() ?? ""}`;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await setupWebTest();
    repository = await demoRepository(t, files);
    const env = { ...t.env, GANTRY_STORAGE_DIR: storage, ...extraEnv };
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
    if (!t || !server || !browser) throw new Error("the platform did not start");
    return { t, server, browser, storage, output };
  };
}

/** Dispatches `.gantry/workflows/<file>` from the form in `page` and waits until the run has ended; the run's id. */
export async function dispatchAndFinish(page: Page, { t, server, output }: WorkflowPlatform, file: string): Promise<string> {
  await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
  await page.getByTestId(`dispatch-.gantry/workflows/${file}`).getByRole("button", { name: "Run workflow" }).click();
  await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
  const runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  await poll("the run ends", 180_000, async () => {
    const run = await t.database.system("test").workflowRun.findUnique({ where: { id: runId }, select: { finishedAt: true } });
    return run?.finishedAt ? true : undefined;
  }, output);
  return runId;
}
