// The run page's job graph in Chromium after a real run (the production web server, the real worker and a real runner
// with the `process` provider; the workflow pushed to a bare repository and started from the Run workflow form): a
// job, a matrix collapsed into one group with its counts, a job calling a reusable workflow with the called jobs
// inside it, an edge per `needs`; the matrix opened; the graph walked from the keyboard to a job page; axe-core; a
// screenshot. Then a 200-job run: every node drawn in one layout, off the main thread, opening at a readable zoom.
import { DEMO, intake, type TenantContext } from "@gantry/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn } from "./harness";
import { useWorkflowPlatform } from "./workflow-platform";

const WORKFLOW = [
  "name: Graph",
  "on: workflow_dispatch",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo build",
  "  test:",
  "    needs: build",
  "    strategy:",
  "      matrix:",
  "        node: [18, 20, 22]",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo node ${{ matrix.node }}",
  "  deploy:",
  "    needs: test",
  "    uses: ./lib/deploy.yml",
  "  notify:",
  "    needs: deploy",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo notify",
  "",
].join("\n");
const DEPLOY = ["on: workflow_call", "jobs:", "  push:", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo push", "  verify:", "    needs: push", "    runs-on: ubuntu-latest", "    steps:", "      - run: echo verify", ""].join("\n");

const platform = useWorkflowPlatform("run-graph", { ".gantry/workflows/graph.yml": WORKFLOW, "lib/deploy.yml": DEPLOY });

/** Opens `url` and waits for the graph's first layout; how long that took in the page (navigation start to drawn). */
async function openGraph(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.locator('[data-testid="run-graph"][data-layouts="1"]').waitFor({ timeout: 60_000 });
  await page.locator(".react-flow__node").first().waitFor();
  return page.evaluate(() => performance.now());
}

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-graph-node") ?? document.activeElement?.tagName ?? null);

let smallRunMs = 0;

describe("the run graph", () => {
  it("draws jobs, a matrix group, a called workflow and the needs; opens the matrix; is walked from the keyboard", async () => {
    const { t, server, browser, output } = platform();
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
    await page.getByTestId("dispatch-.gantry/workflows/graph.yml").getByRole("button", { name: "Run workflow" }).click();
    await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
    const runUrl = page.url();
    const runId = new URL(runUrl).pathname.split("/").at(-1) ?? "";
    const status = await poll("the run ends", 240_000, async () => {
      const run = await t.database.system("test").workflowRun.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } });
      return run?.finishedAt ? run.status : undefined;
    }, output);
    expect(status).toBe("SUCCEEDED");

    smallRunMs = await openGraph(page, runUrl);
    const graph = page.getByTestId("run-graph");
    // The graph sits above the job table.
    const graphTop = await graph.evaluate((element) => element.getBoundingClientRect().top);
    expect(graphTop).toBeLessThan(await page.getByTestId("run-jobs").evaluate((element) => element.getBoundingClientRect().top));

    // Nodes: build, the matrix (collapsed: one group counting its three cells), deploy holding push and verify, notify.
    const node = (key: string) => page.getByTestId(`graph-node-${key}`);
    for (const key of ["build", "deploy", "deploy / push", "deploy / verify", "notify"]) {
      expect(await node(key).getByTestId("status-badge").innerText(), key).toBe("succeeded");
    }
    expect(await node("build").locator(".run-graph-duration").innerText()).toMatch(/^\d+ s$/);
    expect(await node("deploy").innerText()).toContain("calls ./lib/deploy.yml");
    expect(await node("deploy / push").locator(".run-graph-name").innerText()).toBe("push");
    const group = page.getByTestId("graph-group-test");
    expect(await group.getAttribute("aria-expanded")).toBe("false");
    expect(await group.getByTestId("graph-group-counts").innerText()).toBe("3 succeeded");
    expect(await page.getByTestId("graph-node-test (18)").count()).toBe(0);
    // The called jobs are drawn inside their caller's box.
    const boxOf = async (key: string) => (await node(key).boundingBox()) ?? { x: NaN, y: NaN, width: NaN, height: NaN };
    const deployBox = await (await node("deploy").evaluateHandle((element) => element.closest(".react-flow__node"))).asElement()?.boundingBox();
    const pushBox = await boxOf("deploy / push");
    if (!deployBox) throw new Error("no deploy node");
    expect(pushBox.x).toBeGreaterThan(deployBox.x);
    expect(pushBox.y + pushBox.height).toBeLessThanOrEqual(deployBox.y + deployBox.height);

    // One edge per needs: build → test, test → deploy, push → verify inside deploy, deploy → notify.
    expect(await graph.getAttribute("data-edges")).toBe("4");
    const edges = page.locator(".react-flow__edge");
    expect(await edges.count()).toBe(4);
    expect((await edges.evaluateAll((elements) => elements.map((element) => element.getAttribute("aria-label")))).sort()).toEqual(["deploy / verify needs deploy / push", "deploy needs test", "notify needs deploy", "test needs build"]);
    for (const d of await page.locator(".react-flow__edge-path").evaluateAll((paths) => paths.map((element) => element.getAttribute("d") ?? ""))) expect(d).toMatch(/^M[\d.-]+/);
    // The edge into notify starts at deploy's right side and ends at notify's left.
    expect(await (await boxOf("notify")).x).toBeGreaterThan(deployBox.x + deployBox.width - 1);

    // From the keyboard: Tab from the zoom buttons enters the graph at the first job, Right follows the edge to the
    // matrix, Enter opens it (a new layout with the cells inside), Down reaches the first cell, Enter opens its page.
    await page.getByRole("toolbar", { name: "Graph zoom" }).getByRole("button", { name: "Fit the whole graph" }).focus();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("job:build");
    await page.keyboard.press("ArrowRight");
    expect(await focused(page)).toBe("matrix:test");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="run-graph"][data-layouts="2"]').waitFor();
    expect(await group.getAttribute("aria-expanded")).toBe("true");
    for (const cell of ["test (18)", "test (20)", "test (22)"]) expect(await node(cell).getByTestId("status-badge").innerText()).toBe("succeeded");
    expect(await focused(page)).toBe("matrix:test");
    expect(await graph.getAttribute("data-edges")).toBe("4");
    expect(await graph.getAttribute("data-layout-engine")).toBe("worker");
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "run-graph");

    await page.keyboard.press("ArrowDown");
    expect(await focused(page)).toBe("job:test (18)");
    // Only one node of the graph is in the tab order at a time (roving tabindex): the one last focused.
    expect(await page.locator('[data-graph-node][tabindex="0"]').count()).toBe(1);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/jobs\/test%20\(18\)$/);
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("test (18)");
    await page.context().close();
  }, 300_000);

  it("draws a 200-job run in one layout, off the main thread, opening at a readable zoom", async () => {
    const { t, server, browser } = platform();
    // Ten layers of twenty jobs, each needing two of the layer before; labels no runner has, so they stay queued.
    const jobs = [];
    for (let layer = 0; layer < 10; layer++) {
      for (let i = 0; i < 20; i++) {
        const key = `l${layer}-${i}`;
        jobs.push({ key, jobId: key, name: key, needs: layer === 0 ? [] : [`l${layer - 1}-${i}`, `l${layer - 1}-${(i + 7) % 20}`], runsOn: ["graph-test-nowhere"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
      }
    }
    const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
    const created = await intake.createRun(t.database.system("test"), demo, {
      repositoryId: DEMO.repositoryId,
      idempotencyKey: "graph-200",
      workflowPath: ".gantry/workflows/wide.yml",
      workflowName: "Wide",
      event: "push",
      ref: "refs/heads/main",
      sha: "d".repeat(40),
      trusted: true,
      plan: { jobs },
    });
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 1000 });
    const wideMs = await openGraph(page, `${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${created.runId}`);
    const graph = page.getByTestId("run-graph");
    expect(await graph.getAttribute("data-nodes")).toBe("200");
    expect(await graph.getAttribute("data-edges")).toBe("360");
    expect(await page.locator("[data-graph-node]").count()).toBe(200);
    expect(await page.locator(".react-flow__edge").count()).toBe(360);
    expect(await graph.getAttribute("data-layout-engine")).toBe("worker");
    const layoutMs = Number(await graph.getAttribute("data-layout-ms"));
    const ratio = wideMs / smallRunMs;
    console.log(`[run-graph] 200 jobs: drawn ${Math.round(wideMs)} ms after navigation (ELK in the worker: ${layoutMs} ms); the 8-job run: ${Math.round(smallRunMs)} ms; ratio ${ratio.toFixed(2)}`);
    // 25 times the jobs (and 90 times the edges) of the first run are drawn in well under 25 times its time.
    expect(smallRunMs).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(25);
    // Opened at its start, readable, not shrunk to fit; a minimap and "Fit the whole graph" for the rest.
    const scale = async () => page.locator(".react-flow__viewport").evaluate((element) => new DOMMatrixReadOnly(getComputedStyle(element).transform).a);
    expect(await scale()).toBeGreaterThanOrEqual(0.6);
    expect(await page.getByRole("img", { name: "Overview of the graph" }).count()).toBe(1);
    await page.getByRole("button", { name: "Fit the whole graph" }).click();
    await poll("the whole graph fitted", 10_000, async () => ((await scale()) < 0.6 ? true : undefined));
    // Nothing laid it out again.
    expect(await graph.getAttribute("data-layouts")).toBe("1");
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  }, 300_000);
});
