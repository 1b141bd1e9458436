// What the browser tests share: the production build (scripts/lib/web-build.mjs), its production server
// (apps/web/server.ts) on a free port, Chromium through playwright-core, and polling against a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEMO } from "@gantry/db";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { setupWebTest, type WebTestContext } from "../support";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CHROMIUM = "/usr/bin/chromium";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Calls `check` until it returns a value or the deadline passes; `describe` says what was awaited, `context` adds the server's output. */
export async function poll<T>(describe: string, timeoutMs: number, check: () => Promise<T | undefined>, context: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${describe}: not within ${timeoutMs} ms (${String(lastError ?? "no answer")})\n${context().slice(-3000)}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
}

/** The repository's shared build step (scripts/lib/web-build.mjs): builds when stale, under a lock. */
export async function ensureWebBuild(): Promise<void> {
  const module: unknown = await import(pathToFileURL(path.join(ROOT, "scripts/lib/web-build.mjs")).href);
  if (typeof module !== "object" || module === null || !("ensureWebBuild" in module) || typeof module.ensureWebBuild !== "function") {
    throw new Error("scripts/lib/web-build.mjs does not export ensureWebBuild()");
  }
  module.ensureWebBuild({ log: (line: string) => console.log(`[web e2e] ${line}`), env: { ...process.env, NODE_ENV: "production" } });
}

export interface WebServer {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Ends a detached child's whole process group: SIGTERM, then SIGKILL after 10 s. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The production server on a free port with `env`, answering /api/health. */
export async function startWebServer(env: Record<string, string>): Promise<WebServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "apps/web/server.ts"), "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, NEXTAUTH_URL: baseUrl, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => stopProcessGroup(child);
  const healthy = poll(
    "GET /api/health answers 200",
    60_000,
    async () => {
      if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}`);
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200 ? true : undefined;
    },
    () => output,
  );
  await healthy.catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { baseUrl, output: () => output, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu"] });
}

/** The sign-in form filled and sent in `page` (already on /signin); waits for nothing. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A fresh browser context signed in as `email`, on the tenant's overview (default: the demo admin). */
export async function signedIn(browser: Browser | undefined, server: WebServer | undefined, email: string = DEMO.email, password: string = DEMO.password): Promise<Page> {
  if (!browser || !server) throw new Error(`the server or ${CHROMIUM} did not start`);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.baseUrl}/signin`);
  await submitSignIn(page, email, password);
  await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
  return page;
}

export interface BrowserFixture {
  t: WebTestContext;
  server: WebServer;
  browser: Browser;
}

/**
 * The usual browser-test set-up, registered as this file's beforeAll/afterAll: the production build, a fresh test
 * database with the demo tenant, the production server on it (with `env` besides the database's), Chromium. The
 * getter throws until they are up.
 */
export function useBrowserFixture(options: { env?: Record<string, string> } = {}): () => BrowserFixture {
  let fixture: Partial<BrowserFixture> = {};
  beforeAll(async () => {
    await ensureWebBuild();
    fixture.t = await setupWebTest();
    fixture.server = await startWebServer({ ...fixture.t.env, ...options.env });
    fixture.browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
    await fixture.t?.close();
    fixture = {};
  });
  return () => {
    const { t, server, browser } = fixture;
    if (!t || !server || !browser) throw new Error(`the test database, the server or ${CHROMIUM} did not start`);
    return { t, server, browser };
  };
}
