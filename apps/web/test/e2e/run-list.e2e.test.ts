// The Runs page in Chromium against the production server (issue #17 "Run list"): reached from the navigation, its
// filters are labelled controls whose values land in the URL (Enter applies them; back returns to the previous
// ones), it pages back by cursor without repeating or skipping a run while new ones arrive, its per-status counts
// switch the status filter, another tenant's runs never show, and a run's status change appears without a reload.
// axe-core finds no WCAG A/AA violation; the page's screenshot goes to docs/screenshots/run-list.png.
import { countRuns, DEMO, listRuns, RUN_STATUSES, transitions, type RunListFilter, type TenantContext } from "@gantry/db";
import { seedRunHistory } from "@gantry/db/testing";
import { publishRunChange } from "@gantry/engine";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { poll, signedIn, useBrowserFixture } from "./harness";
import { axeViolations, saveScreenshot } from "./page-checks";

const fixture = useBrowserFixture();
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const RUNS = 80;

beforeAll(async () => {
  const { t } = fixture();
  const sql = t.database.sql("e2e: a run history");
  await seedRunHistory(sql, { tenantId: DEMO.tenantId, owner: "demo", repositories: 3, runs: RUNS, seed: 11 });
  // Another tenant whose runs look alike: none of them may show.
  await t.database.system("e2e").tenant.create({ data: { id: "ten_e2e_other", slug: "e2e-other", name: "Other" } });
  await seedRunHistory(sql, { tenantId: "ten_e2e_other", owner: "other", repositories: 2, runs: 40, seed: 12 });
}, 300_000);

const rowIds = (page: Page) => page.getByTestId("run-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-run-id") ?? ""));
/** The ids listRuns gives for `filter`, every page of them: what the browser must show, in order. */
async function expected(filter: RunListFilter): Promise<string[]> {
  const { t } = fixture();
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listRuns(t.database.forTenant(demo), { ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
    ids.push(...page.runs.map((run) => run.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe("the Runs page", () => {
  it("filters from labelled controls into the URL, pages back by cursor, and the back button returns", async () => {
    const { server } = fixture();
    const page = await signedIn(fixture().browser, server);
    await page.getByRole("navigation").getByRole("link", { name: "Runs", exact: true }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs`);
    expect(await page.title()).toBe("Runs · Gantry");
    const all = await expected({});
    expect(all).toHaveLength(RUNS);
    expect(await rowIds(page)).toEqual(all.slice(0, 25));
    await poll("the counts", 15_000, async () => ((await page.getByTestId("run-total").count()) > 0 ? true : undefined));
    expect(await page.getByTestId("run-total").innerText()).toBe(`${RUNS} runs match`);
    expect(await page.getByTestId("run-list").innerText()).not.toContain("other/repo-");
    await poll("live", 15_000, async () => ((await page.getByTestId("live-status").getAttribute("data-state")) === "live" ? true : undefined));
    expect(await axeViolations(page), "axe on the Runs page").toEqual([]);
    await saveScreenshot(page, "run-list");

    // Every page once, in order, while a new run arrives between pages: it is not on the pages after.
    const seen = [...(await rowIds(page))];
    const urls = [page.url()];
    const { t } = fixture();
    await seedRunHistory(t.database.sql("e2e: one more run"), { tenantId: DEMO.tenantId, owner: "demo-new", repositories: 1, runs: 1, seed: 13 });
    for (let next = 2; next <= 4; next++) {
      await page.getByTestId("older-page").click();
      await page.waitForURL(/cursor=/);
      await poll(`page ${next}`, 15_000, async () => (page.url() !== urls.at(-1) ? true : undefined));
      urls.push(page.url());
      seen.push(...(await rowIds(page)));
    }
    expect(seen).toEqual(all);
    expect(await page.getByTestId("older-page").count()).toBe(0);
    await page.goBack();
    await page.waitForURL(urls[2] ?? "");
    // The URL changes before the page shows that page's rows (a live refresh may be landing too): the rows must follow.
    const pageThree = JSON.stringify(all.slice(50, 75));
    await poll("page 3's rows after going back", 15_000, async () => (JSON.stringify(await rowIds(page)) === pageThree ? true : undefined));
    await page.getByTestId("newest-page").click();
    await poll("the newest page, with the new run first", 15_000, async () => ((await rowIds(page))[0] !== all[0] ? true : undefined));

    // The filters, by their labels and the keyboard: Enter in a field applies them all.
    const filters = page.getByTestId("run-filters");
    await filters.getByLabel("Repository", { exact: true }).selectOption("demo/repo-0");
    await filters.getByLabel("Status", { exact: true }).selectOption("succeeded");
    await filters.getByLabel("Branch or tag", { exact: true }).fill("main");
    await filters.getByLabel("Branch or tag", { exact: true }).press("Enter");
    await page.waitForURL(/repo=demo%2Frepo-0/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ repo: "demo/repo-0", branch: "main", status: "succeeded" });
    const narrowed = await expected({ repository: "demo/repo-0", branch: "main", status: "SUCCEEDED" });
    expect(narrowed.length).toBeGreaterThan(0);
    expect(await rowIds(page)).toEqual(narrowed.slice(0, 25));
    await poll("the filtered counts", 15_000, async () => ((await page.getByTestId("run-total").innerText()) === `${narrowed.length} runs match` ? true : undefined));
    for (const label of ["Search", "Repository", "Branch or tag", "Event", "Status", "Actor", "Workflow"]) expect(await filters.getByLabel(label, { exact: true }).count(), label).toBe(1);

    // A status count switches the status and keeps the rest; aria-current marks it, and the form shows it.
    const counts = await countRuns(t.database.forTenant(demo), { repository: "demo/repo-0", branch: "main" });
    const other = RUN_STATUSES.find((status) => status !== "SUCCEEDED" && counts.byStatus[status] > 0);
    if (!other) throw new Error(`the seeded history has only succeeded runs on demo/repo-0 main: ${JSON.stringify(counts)}`);
    const word = other.toLowerCase();
    const link = page.getByTestId(`status-count-${word}`);
    expect(await link.innerText()).toBe(`${word.replace("_", " ")} ${counts.byStatus[other]}`);
    await link.click();
    await page.waitForURL(new RegExp(`status=${word}`));
    expect(await page.getByTestId(`status-count-${word}`).getAttribute("aria-current")).toBe("page");
    expect(await filters.getByLabel("Status", { exact: true }).inputValue()).toBe(word);
    expect(await filters.getByLabel("Branch or tag", { exact: true }).inputValue()).toBe("main");
    expect(await rowIds(page)).toEqual((await expected({ repository: "demo/repo-0", branch: "main", status: other })).slice(0, 25));

    // Search: a run number across repositories.
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs`);
    await page.getByLabel("Search", { exact: true }).fill("#3");
    await page.getByLabel("Search", { exact: true }).press("Enter");
    await page.waitForURL(/q=%233/);
    const third = await expected({ text: "#3" });
    expect(third.length).toBeGreaterThan(1);
    expect(await rowIds(page)).toEqual(third);
    await page.goBack();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs`);
  });

  it("says which filter it cannot use", async () => {
    const { server } = fixture();
    const page = await signedIn(fixture().browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs?status=sideways&repo=demo/repo-1`);
    const refusal = page.getByTestId("run-list-refused");
    expect(await refusal.getAttribute("role")).toBe("alert");
    expect(await refusal.innerText()).toMatch(/^These filters cannot be used: status: /);
    expect(await page.getByLabel("Status", { exact: true }).inputValue()).toBe("sideways");
  });

  it("shows a run's status change without a reload", async () => {
    const { server, t } = fixture();
    // A running run on the first page.
    const newest = (await listRuns(t.database.forTenant(demo), { limit: 25 })).runs;
    const runId = newest.find((run) => run.status === "RUNNING")?.id ?? "";
    expect(runId).not.toBe("");
    const page = await signedIn(fixture().browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs`);
    await poll("live", 15_000, async () => ((await page.getByTestId("live-status").getAttribute("data-state")) === "live" ? true : undefined), () => server.output());
    await page.evaluate(() => {
      document.body.dataset.notReloaded = "yes";
    });
    const row = page.locator(`[data-run-id="${runId}"]`);
    expect(await row.innerText()).toContain("running");
    // What the worker's engine does when the run's last job ends: the transition, then the tenant's doorbell.
    await transitions.finishRun(t.database.system("e2e"), demo, runId, "SUCCEEDED", "every job ended");
    await publishRunChange(t.redis, t.env.GANTRY_QUEUE_PREFIX ?? "")(DEMO.tenantId);
    await poll("the row says succeeded", 15_000, async () => ((await row.innerText()).includes("succeeded") ? true : undefined), () => server.output());
    expect(await page.evaluate(() => document.body.dataset.notReloaded)).toBe("yes");
  });
});
