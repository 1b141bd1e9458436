// The browser end-to-end test: the production build (`next build`, reused while fresh) served by its production server
// (apps/web/server.ts) on a free port against a fresh seeded database and the test Redis; Chromium through playwright-core.
// Every wait is a poll against a deadline; the server is killed in teardown.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO } from "@gantry/db";
import { PROTOCOL_BASE_PATH, PROTOCOL_VERSION, pingResponse } from "@gantry/runner-protocol";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupWebTest, type WebTestContext } from "../support";
import { CHROMIUM, ROOT, ensureWebBuild, freePort, poll as pollUntil } from "./harness";

const SCREENSHOT = "/tmp/gantry-dashboard.png";

let t: WebTestContext;
let server: ChildProcess | undefined;
let serverOutput = "";
let browser: Browser | undefined;
let baseUrl = "";

/** Polls against a deadline; a timeout shows the end of the server's output. */
const poll = <T,>(describe: string, timeoutMs: number, check: () => Promise<T | undefined>) => pollUntil(describe, timeoutMs, check, () => serverOutput);

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function newPage(options?: Parameters<Browser["newPage"]>[0]): Promise<Page> {
  if (!browser) throw new Error("Chromium did not start (see beforeAll)");
  return browser.newPage(options);
}

async function pingRunner(name: string): Promise<Response> {
  return fetch(`${baseUrl}${PROTOCOL_BASE_PATH}/ping`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.registrationToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      protocolVersion: PROTOCOL_VERSION,
      name,
      version: "0.1.0",
      providers: ["process"],
      capacity: 2,
    }),
  });
}

async function signIn(page: Page, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`apt-get install -y chromium\` (npm test does this).`);
  await ensureWebBuild();
  t = await setupWebTest();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "apps/web/server.ts"), "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...t.env,
        NEXTAUTH_URL: baseUrl,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      },
    },
  );
  server.stdout?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  await poll("GET /api/health answers 200", 60_000, async () => {
    if (server?.exitCode !== null) throw new Error(`the web server exited with ${server?.exitCode}`);
    const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200 ? true : undefined;
  });

  // A runner pings the real server over HTTP, so the dashboard has one to show.
  const ping = await pingRunner("e2e-runner");
  expect(ping.status).toBe(200);
  expect(pingResponse.parse(await ping.json()).pool).toBe(DEMO.poolName);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu",
    ],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stopServer();
  await t?.close();
});

describe("the production server with a bad environment", () => {
  it("stops at once with one line per problem", async () => {
    const port = await freePort();
    const { NEXTAUTH_SECRET: _secret, ...env } = { ...process.env, ...t.env };
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "apps/web/server.ts"), "--port", String(port), "--hostname", "127.0.0.1"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...env,
          REDIS_URL: "http://127.0.0.1:6379",
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
        },
      },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const code = await poll("the web server exits", 30_000, async () => child.exitCode ?? undefined);
      expect(code).toBe(1);
      expect(output).toContain("[web] Invalid environment for apps/web:");
      expect(output).toContain("  - REDIS_URL must start with redis:// or rediss://");
      expect(output).toContain("  - NEXTAUTH_SECRET is not set: generate one with `openssl rand -base64 32`");
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

describe("tRPC over HTTP", () => {
  it("answers public procedures and refuses tenant data without a session", async () => {
    const health = await fetch(`${baseUrl}/api/trpc/health.status`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-frame-options")).toBe("DENY");
    expect(await health.json()).toMatchObject({
      result: { data: { status: "ok", postgres: { ok: true }, redis: { ok: true } } },
    });
    const tenants = await fetch(`${baseUrl}/api/trpc/tenants.list`);
    expect(tenants.status).toBe(401);
    expect(await tenants.json()).toMatchObject({
      error: { message: "Sign in first.", data: { code: "UNAUTHORIZED" } },
    });
  });
});

describe("web app in a browser", () => {
  it("shows Postgres and Redis as OK on /health without signing in", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/health`);
    await page.getByRole("heading", { name: "System health" }).waitFor();
    expect(await page.getByTestId("postgres-status").innerText()).toBe("OK");
    expect(await page.getByTestId("redis-status").innerText()).toBe("OK");
    expect(await page.getByTestId("runners").innerText()).toContain("e2e-runner");
    await page.close();
  });

  it("sends a visitor to /signin and shows a clear error for a wrong password", async () => {
    const page = await newPage();
    await page.goto(baseUrl);
    await page.waitForURL(/\/signin(\?|$)/);
    await signIn(page, "not-the-password");
    const error = page.getByTestId("signin-error");
    await error.waitFor();
    expect(await error.innerText()).toBe("Wrong email or password.");
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.close();
  });

  it("signs the demo user in to the dashboard with the tenant and its runner pool, and signs out", async () => {
    const page = await newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, DEMO.password);
    await page.waitForURL(`${baseUrl}/t/${DEMO.tenantSlug}`);
    expect(await page.getByTestId("tenant-name").innerText()).toBe("Demo");
    const pool = page.getByTestId(`pool-${DEMO.poolName}`);
    await pool.waitFor();
    const poolText = await pool.innerText();
    expect(poolText).toContain(DEMO.poolName);
    expect(poolText).toContain("e2e-runner");
    expect(poolText).toContain("1 of 1 online");
    expect(await page.getByTestId("runs").innerText()).toContain("No runs yet.");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The panel refreshes itself over /api/trpc: a second runner shows up without a reload.
    expect((await pingRunner("e2e-runner-2")).status).toBe(200);
    await poll("the dashboard shows the second runner", 20_000, async () =>
      (await pool.innerText()).includes("2 of 2 online") ? true : undefined,
    );
    expect(await pool.innerText()).toContain("e2e-runner-2");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin(\?|$)/);
    await page.goto(`${baseUrl}/t/${DEMO.tenantSlug}`);
    await page.waitForURL(/\/signin\?callbackUrl=/);
    await page.close();
  });
});

describe("Run workflow (workflow_dispatch)", () => {
  it("fills the form, shows refusals next to their fields, and lands on the run page waiting for intake", async () => {
    // The demo repository gets a workflow with typed inputs (a real bare repository; no worker runs here).
    const root = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-dispatch-"));
    const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" });
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", "demo.git");
    git(root, "init", "--quiet", "--initial-branch=main", "work");
    mkdirSync(path.join(root, "work/.gantry/workflows"), { recursive: true });
    writeFileSync(
      path.join(root, "work/.gantry/workflows/deploy.yml"),
      "name: Deploy\non:\n  workflow_dispatch:\n    inputs:\n      level: { type: choice, options: [low, high], default: low }\n      dry: { type: boolean, default: true }\n      replicas: { type: number, required: true }\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo }]\n",
    );
    git(path.join(root, "work"), "add", "-A");
    git(path.join(root, "work"), "commit", "--quiet", "-m", "deploy");
    git(path.join(root, "work"), "push", "--quiet", path.join(root, "demo.git"), "HEAD:refs/heads/main");
    await t.database.system("test").gitSource.update({ where: { id: DEMO.gitSourceId }, data: { url: path.join(root, "demo.git") } });
    try {
      const page = await newPage({ viewport: { width: 1280, height: 900 } });
      await signIn(page, DEMO.password);
      await page.waitForURL(`${baseUrl}/t/${DEMO.tenantSlug}`);
      await page.getByTestId("run-workflow-link").click();
      await page.waitForURL(`${baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
      const form = page.getByTestId("dispatch-.gantry/workflows/deploy.yml");
      expect(await form.locator('select[name="input:level"]').inputValue()).toBe("low");
      expect(await form.locator('input[name="input:dry"]').isChecked()).toBe(true);

      // Required number left empty: refused next to its field, nothing recorded.
      await form.getByRole("button", { name: "Run workflow" }).click();
      await form.getByTestId("input-replicas").getByRole("alert").waitFor();
      expect(await form.getByTestId("input-replicas").innerText()).toContain('input "replicas" is required');

      await form.locator('input[name="input:replicas"]').fill("3");
      await form.locator('select[name="input:level"]').selectOption("high");
      await form.locator('input[name="input:dry"]').uncheck();
      await form.getByRole("button", { name: "Run workflow" }).click();
      await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
      expect(await page.getByTestId("run-pending").innerText()).toContain("queued for intake");
      const deliveries = await t.database.system("test").webhookDelivery.findMany({ where: { source: "api" } });
      expect(deliveries.map((delivery) => (delivery.payload as { inputs: unknown }).inputs)).toEqual([{ level: "high", dry: false, replicas: 3 }]);
      await page.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
