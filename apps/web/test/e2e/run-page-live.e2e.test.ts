// The run page live, in Chromium, against the production web server, the real worker and a real runner (the
// `process` provider): a page opened while a job runs sees the job rows, their durations and the run's conclusion
// change without a reload, over one EventSource for the run; a failed job re-run from its row brings attempt 2 onto
// the page live while attempt 1 stays viewable in its tab; a viewer is offered no re-run and the server refuses one.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO, hashPassword, randomId } from "@gantry/db";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { poll, signedIn } from "./harness";
import { axeViolations, saveScreenshot } from "./page-checks";
import { useWorkflowPlatform } from "./workflow-platform";

// Files the jobs look for: the test opens the gate when it has seen the job running; the flaky job fails while its
// marker is missing (and leaves it), so its re-run succeeds.
const shared = mkdtempSync(path.join(os.tmpdir(), "gantry-e2e-live-"));
const gate = path.join(shared, "gate");
const flakyMarker = path.join(shared, "flaky-ran-once");

const LIVE = [
  "name: Live",
  "on: workflow_dispatch",
  "jobs:",
  "  slow:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  `      - run: until [ -f '${gate}' ]; do sleep 0.1; done; echo through the gate`,
  "  next:",
  "    needs: slow",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo next",
  "",
].join("\n");

const FLAKY = [
  "name: Flaky",
  "on: workflow_dispatch",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo built",
  "  flaky:",
  "    needs: build",
  "    runs-on: ubuntu-latest",
  "    steps:",
  `      - run: if [ -f '${flakyMarker}' ]; then echo second time lucky; else touch '${flakyMarker}'; exit 1; fi`,
  "  deploy:",
  "    needs: flaky",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo deployed",
  "",
].join("\n");

afterAll(() => rmSync(shared, { recursive: true, force: true }));
const platform = useWorkflowPlatform("live", { ".gantry/workflows/live.yml": LIVE, ".gantry/workflows/flaky.yml": FLAKY });

/** Every EventSource the page opens, by URL (counted in the page, before any script of ours runs). */
async function countEventSources(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const opened: string[] = [];
    Object.assign(window, { __eventSources: opened });
    const Original = window.EventSource;
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(String(url));
      }
    };
  });
}

const eventSources = async (page: Page) => z.array(z.string()).parse(await page.evaluate(() => Reflect.get(window, "__eventSources")));

/** Starts the workflow from the Run workflow form and waits on its run page until the run is shown (intake done). */
async function dispatch(page: Page, workflow: string): Promise<string> {
  const { server } = platform();
  await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
  await page.getByTestId(`dispatch-.gantry/workflows/${workflow}`).getByRole("button", { name: "Run workflow" }).click();
  await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
  const runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  // "queued for intake" refreshes itself until the worker has made the run.
  await page.getByTestId("run").waitFor({ timeout: 60_000 });
  return runId;
}

/** Marks the document: a reload or a navigation to another document would lose the mark. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sameDocument: true }));
const sameDocument = (page: Page) => page.evaluate(() => Reflect.get(window, "__sameDocument") === true);

const badge = (page: Page, key: string) => page.getByTestId(`job-row-${key}`).getByTestId("status-badge").innerText();
const runBadge = (page: Page) => page.getByTestId("run").getByTestId("status-badge").innerText();

describe("the run page, live", () => {
  it("shows job statuses, durations and the conclusion change without a reload, over one EventSource", async () => {
    const { server, browser, output } = platform();
    const page = await signedIn(browser, server);
    await countEventSources(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    const runId = await dispatch(page, "live.yml");
    const runUrl = page.url();
    // A mark on the document: a reload or a navigation would lose it (router.refresh's history updates keep it).
    await markDocument(page);

    // The slow job runs behind its gate: the page hears it start.
    await poll("slow running on the page", 90_000, async () => ((await badge(page, "slow")) === "running" ? true : undefined), output);
    expect(await badge(page, "next")).toBe("waiting");
    expect(await runBadge(page)).toBe("running");
    await poll("the duration counting", 10_000, async () => ((await page.getByTestId("job-row-slow").getByTestId("job-duration").innerText()).endsWith("so far") ? true : undefined));
    // The run has not ended: the re-run buttons are there, and disabled; Cancel is offered.
    expect(await page.getByRole("button", { name: "Re-run all jobs" }).isDisabled()).toBe(true);
    expect(await page.getByTestId("cancel-run").count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    writeFileSync(gate, "open");
    await poll("slow succeeded on the page", 60_000, async () => ((await badge(page, "slow")) === "succeeded" ? true : undefined), output);
    await poll("the run succeeded on the page", 60_000, async () => ((await runBadge(page)) === "succeeded" ? true : undefined), output);
    expect(await badge(page, "next")).toBe("succeeded");
    expect(await page.getByTestId("job-row-slow").getByTestId("job-duration").innerText()).toMatch(/^\d+ s$/);
    expect(await page.getByTestId("run-total-time").innerText()).toMatch(/^\d+ s$/);
    expect(await page.getByTestId("run-queue-time").innerText()).toMatch(/^\d+ s$/);
    // Ended: Cancel gone, Re-run all jobs enabled.
    await poll("cancel gone", 10_000, async () => ((await page.getByTestId("cancel-run").count()) === 0 ? true : undefined));
    expect(await page.getByRole("button", { name: "Re-run all jobs" }).isDisabled()).toBe(false);

    // All of it in the same document, never navigated, through one stream for the run (the Runs page's is not opened).
    expect([page.url(), await sameDocument(page)]).toEqual([runUrl, true]);
    const sources = await eventSources(page);
    expect(sources.filter((url) => url.endsWith(`/runs/${runId}/events`))).toHaveLength(1);
    expect(sources.filter((url) => url.endsWith("/runs/events"))).toHaveLength(0);
    // The header: trigger, actor, commit, branch, the workflow file at its commit.
    expect(await page.getByTestId("run-event").innerText()).toBe("workflow_dispatch");
    expect(await page.getByTestId("run-actor").innerText()).toBe(DEMO.email);
    expect(await page.getByTestId("run-ref").innerText()).toBe("main");
    expect(await page.getByTestId("run-workflow-file").innerText()).toMatch(/^\.gantry\/workflows\/live\.yml at [0-9a-f]{7}$/);
    await page.context().close();
  });

  it("re-runs a failed job from its row: attempt 2 arrives live, attempt 1 stays viewable", async () => {
    const { t, server, browser, output } = platform();
    const page = await signedIn(browser, server);
    await countEventSources(page);
    await page.setViewportSize({ width: 1280, height: 1000 });
    const runId = await dispatch(page, "flaky.yml");
    await markDocument(page);
    await poll("the run failed on the page", 120_000, async () => ((await runBadge(page)) === "failed" ? true : undefined), output);
    expect([await badge(page, "build"), await badge(page, "flaky"), await badge(page, "deploy")]).toEqual(["succeeded", "failed", "skipped"]);
    expect(existsSync(flakyMarker)).toBe(true);
    expect(await page.getByTestId("attempt-tabs").count()).toBe(0);

    await page.getByRole("button", { name: "Re-run flaky and its dependents" }).click();
    // Attempt 2 opens on its own tab and runs to success on the page.
    await poll("attempt 2's tab", 30_000, async () => ((await page.getByRole("tab", { name: /Attempt 2/ }).getAttribute("aria-selected")) === "true" ? true : undefined), output);
    await poll("attempt 2 succeeded", 120_000, async () => ((await runBadge(page)) === "succeeded" ? true : undefined), output);
    const panel = page.getByRole("tabpanel");
    expect([await badge(page, "build"), await badge(page, "flaky"), await badge(page, "deploy")]).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(await panel.getByTestId("job-row-flaky").getByTestId("job-attempts").innerText()).toContain("attempt 2: succeeded");
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "run-page-rerun");

    // Attempt 1, by keyboard: as it ended — flaky failed, deploy skipped, build not re-run since.
    await page.getByRole("tab", { name: /Attempt 2/ }).focus();
    await page.keyboard.press("ArrowLeft");
    expect(await page.getByRole("tab", { name: /Attempt 1/ }).getAttribute("aria-selected")).toBe("true");
    expect(await page.getByRole("tab", { name: /Attempt 1/ }).getByTestId("status-badge").innerText()).toBe("failed");
    expect([await badge(page, "build"), await badge(page, "flaky"), await badge(page, "deploy")]).toEqual(["succeeded", "failed", "skipped"]);
    await page.getByRole("tab", { name: /Attempt 2/ }).click();
    expect(await page.getByTestId("job-row-build").getByTestId("status-badge").innerText()).toBe("succeeded");
    expect(await sameDocument(page)).toBe(true);
    expect((await eventSources(page)).filter((url) => url.endsWith(`/runs/${runId}/events`))).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();

    // A viewer reads both attempts but is offered no re-run, and the server refuses one.
    const id = randomId("usr");
    const email = `${id.toLowerCase()}@example.test`;
    await t.database.system("test").user.create({ data: { id, email, name: "Viewer", passwordHash: await hashPassword("viewer password") } });
    await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role: "VIEWER" } });
    const viewerPage = await signedIn(browser, server, email, "viewer password");
    await viewerPage.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);
    await viewerPage.getByRole("tab", { name: /Attempt 1/ }).waitFor();
    expect(await viewerPage.getByRole("button", { name: /Re-run/ }).count()).toBe(0);
    // The same request the buttons make, sent with the viewer's session over HTTP: refused by the procedure's role.
    const refused = await viewerPage.request.post(`${server.baseUrl}/api/trpc/runs.rerun`, { data: { tenant: DEMO.tenantSlug, runId, mode: "all" } });
    expect(refused.status()).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain("developer");
    expect((await t.database.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } })).runAttempt).toBe(2);
    await viewerPage.context().close();
  });
});
