// Log search after a real run, in Chromium: the production web server, the real worker (which indexes the attempt's
// archived log when it ends) and a real runner run a workflow that prints a unique token; the Search logs page,
// reached from the tenant navigation, finds the line, marks the token, and links to that line on the job page.
import { randomBytes } from "node:crypto";
import { DEMO } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn } from "./harness";
import { dispatchAndFinish, useWorkflowPlatform } from "./workflow-platform";

const TOKEN = `needle-${randomBytes(5).toString("hex")}`;
const WORKFLOW = [
  "name: Searchable",
  "on:",
  "  workflow_dispatch:",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo first step",
  "      - name: Prints the token",
  "        run: |",
  "          echo 'compiling <main> & friends'",
  `          echo "cannot reach ${TOKEN} after 3 tries"`,
  "",
].join("\n");

const platform = useWorkflowPlatform("log-search", { ".gantry/workflows/searchable.yml": WORKFLOW });

describe("Search logs", () => {
  it("finds a line from an earlier run and opens it on the job page", async () => {
    const fixture = platform();
    const { t, server, browser, output } = fixture;
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 900 });
    const runId = await dispatchAndFinish(page, fixture, "searchable.yml");
    // The worker indexes the attempt once it has ended (the complete route queues index-attempt-log).
    await poll("the run's log is indexed", 180_000, async () => ((await t.database.system("test").logIndexState.count({ where: { attempt: { job: { runId } } } })) > 0 ? true : undefined), output);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search logs" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/search`);
    await poll("the page's title", 10_000, async () => ((await page.title()).startsWith("Search logs") ? true : undefined));
    await page.getByLabel("Search for").fill(TOKEN.toUpperCase());
    await page.getByLabel("Job").fill("build");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=/);
    // Two lines: the runner's echo of the script (`echo "cannot reach …"`) and what it printed.
    const hits = page.getByTestId("log-hit");
    expect((await hits.locator("code").allInnerTexts()).sort()).toEqual([`cannot reach ${TOKEN} after 3 tries`, `echo "cannot reach ${TOKEN} after 3 tries"`]);
    const hit = hits.filter({ has: page.locator("code", { hasText: /^cannot reach/ }) });
    expect(await hit.locator("mark").innerText()).toBe(TOKEN);
    const link = hit.getByRole("link");
    // Step 2, after the runner's echo of the script (##[group]Run …, the script, ##[endgroup]) in the same step's log.
    const href = await link.getAttribute("href");
    expect(href).toMatch(new RegExp(`^/t/${DEMO.tenantSlug}/runs/${runId}/jobs/build#step-2-line-\\d+$`));
    expect(await page.getByTestId("log-search-results").getByRole("link", { name: /Searchable #\d+/ }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "log-search");

    // A search the index cannot serve is refused in words; one that matches nothing says so.
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/search?q=ab`);
    expect(await page.getByTestId("log-search-refused").innerText()).toContain("at least 3 characters");
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/search?q=${TOKEN}&branch=no-such-branch`);
    expect(await page.getByTestId("log-search-empty").innerText()).toBe("No log lines match.");

    await page.goBack();
    await page.goBack();
    await page.getByTestId("log-hit").filter({ has: page.locator("code", { hasText: /^cannot reach/ }) }).getByRole("link").click();
    await page.waitForURL(`${server.baseUrl}${href ?? ""}`);
    expect(new URL(page.url()).hash).toMatch(/^#step-2-line-\d+$/);
  }, 400_000);
});
