// Live logs in a real browser: the production server, a runner's chunks posted over HTTP to the real logs route
// while the run page is open, and the coloured line read back from the xterm.js terminal's rows.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO, transitions } from "@gantry/db";
import { PROTOCOL_BASE_PATH, PROTOCOL_VERSION, claimResponse, registerResponse } from "@gantry/runner-protocol";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices } from "../../src/server/services";
import { demo, readyJob } from "../runner-support";
import { setupWebTest, stubWebEnv, type WebTestContext } from "../support";
import { CHROMIUM, ensureWebBuild, launchChromium, poll, startWebServer, type WebServer } from "./harness";

let t: WebTestContext;
let server: WebServer | undefined;
let browser: Browser | undefined;
const storage = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-logs-"));

async function runnerPost(route: string, token: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${server?.baseUrl ?? ""}${PROTOCOL_BASE_PATH}/${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

beforeAll(async () => {
  await ensureWebBuild();
  t = await setupWebTest();
  const env = { ...t.env, GANTRY_STORAGE_DIR: storage };
  // This process queues the job (runner-support's readyJob) on the same prefix the server claims from.
  stubWebEnv(env);
  server = await startWebServer(env);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await closeServices();
  await t?.close();
  rmSync(storage, { recursive: true, force: true });
});

describe("the run page's log terminal", () => {
  it("shows chunks as the runner posts them, colours included, and the end of the job", async () => {
    if (!browser || !server) throw new Error(`the server or ${CHROMIUM} did not start`);
    const { runnerId, credential } = registerResponse.parse(
      await runnerPost("register", t.registrationToken, { protocolVersion: PROTOCOL_VERSION, name: "e2e-logs", version: "0.1.0", providers: ["process"], capacity: 1 }),
    );
    const { runId, jobId } = await readyJob(t, "build");
    const assignment = claimResponse.parse(await runnerPost("claim", credential, { runnerId, waitMs: 0 })).assignment;
    if (!assignment) throw new Error("no assignment");
    const log = (seq: number, data: string) => runnerPost("logs", assignment.jobToken, { attemptId: assignment.attemptId, seq, stepIndex: 0, timestamp: Date.now(), data });
    await log(0, "##[group]Run echo hi\necho hi\n##[endgroup]\nbefore the page\n");

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/signin`);
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);

    const terminal = page.getByTestId("log-terminal-build");
    const rows = () => terminal.locator(".xterm-rows").innerText();
    await poll("the archived chunk in the terminal", 30_000, async () => ((await rows()).includes("before the page") ? true : undefined), server.output);
    expect(await page.getByTestId("log-state-build").innerText()).toBe("live");
    // The runner's echo of the script: the script once, without the "Run …" title or the group markers.
    expect((await rows()).split("echo hi").length - 1).toBe(1);
    expect(await rows()).not.toContain("##[");

    // Posted while the page is open: it arrives over the event stream, green.
    await log(1, "\u001b[32mgreen live line\u001b[0m\n");
    await poll("the live line in the terminal", 15_000, async () => ((await rows()).includes("green live line") ? true : undefined), server.output);
    const colour = await terminal.locator(".xterm-rows span", { hasText: "green live line" }).first().getAttribute("class");
    expect(colour).toContain("xterm-fg-2");

    // Each open page holds one Redis connection for its stream; closing the page closes it on the server.
    const connections = async () => String(await t.redis.client("LIST")).split("\n").filter((line) => line.includes(`name=gantry-logs-sse:${jobId}`)).length;
    expect(await connections()).toBe(1);
    const second = await context.newPage();
    await second.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);
    await poll("a second page's connection", 15_000, async () => ((await connections()) === 2 ? true : undefined), server.output);
    await second.close();
    await poll("the closed page's connection gone", 15_000, async () => ((await connections()) === 1 ? true : undefined), server.output);

    expect((await transitions.finishJob(t.database.system("test"), demo, jobId, 1, "SUCCEEDED")).changed).toBe(true);
    await poll("the terminal says the job finished", 15_000, async () => ((await page.getByTestId("log-state-build").innerText()) === "finished: succeeded" ? true : undefined), server.output);
    await page.screenshot({ path: "/tmp/gantry-live-logs.png", fullPage: true });

    // A finished job's page shows its archive and ends at once.
    await page.reload();
    await poll("the archive after a reload", 15_000, async () => ((await rows()).includes("green live line") ? true : undefined), server.output);
    await poll("ended", 15_000, async () => ((await page.getByTestId("log-state-build").innerText()) === "finished: succeeded" ? true : undefined));
    await context.close();
  });
});
