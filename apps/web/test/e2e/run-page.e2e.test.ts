// The run and job pages after a real run, in Chromium: the production web server, the real worker and a real runner
// (the `process` provider), a workflow pushed to a bare repository and started from the Run workflow form. A matrix
// step's name is evaluated as on GitHub; the inputs are listed in their declared order without JSON quotes; the step
// summary is sanitized Markdown with images refused; `##[warning]`/`##[error]` lines are coloured annotations; a
// script is printed once; the log terminal is a named, read-only region as tall as its content; what failed is open;
// job rows link to job pages with titles of their own.
import { DEMO } from "@gantry/db";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn } from "./harness";
import { useWorkflowPlatform } from "./workflow-platform";

const SUMMARY = [
  "## Results",
  "",
  "| suite | passed |",
  "| --- | --- |",
  "| unit | 12 |",
  "",
  "```",
  "npm test",
  "```",
  "",
  "![tracker](http://127.0.0.1:9/pixel.png)",
  "",
  '<script>document.title = "pwned"</script>',
  '<a href="javascript:alert(1)">bad link</a> <a href="https://example.com/docs">docs</a>',
  "",
];
const WORKFLOW = [
  "name: Matrix",
  "on:",
  "  workflow_dispatch:",
  "    inputs:",
  "      zeta: { type: string, default: last }",
  "      alpha: { type: boolean, default: true }",
  "      mid: { type: choice, options: [one, two], default: two }",
  "      blank: { type: string }",
  "jobs:",
  "  test:",
  "    strategy:",
  "      matrix:",
  "        node: [18, 20]",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - name: Test on node ${{ matrix.node }} (${{ github.ref_name }})",
  "        run: |",
  '          echo "marker-${{ matrix.node }}-end"',
  '          echo "::warning::careful with node ${{ matrix.node }}"',
  '          echo "##[error]printed error line"',
  "          cat >> \"$GITHUB_STEP_SUMMARY\" <<'SUMMARY'",
  ...SUMMARY.map((line) => (line === "" ? "" : `          ${line}`)),
  "          SUMMARY",
  "      - run: echo unnamed-step-ran",
  "  fail:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: seq 1 60",
  "      - name: Breaks",
  "        run: |",
  '          echo "about to break"',
  "          exit 3",
  "      - run: echo never",
  "      - name: Clean up",
  "        if: always()",
  "        run: seq 100 160",
  "  tiny:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo tiny",
  "  after:",
  "    needs: fail",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo after",
  "",
].join("\n");

const platform = useWorkflowPlatform({ ".gantry/workflows/matrix.yml": WORKFLOW });

/** The terminal's text as shown (xterm renders the visible rows as DOM rows). */
const rows = (terminal: Locator) => terminal.locator(".xterm-rows").innerText();
const count = (text: string, part: string) => text.split(part).length - 1;

/** Dispatches the workflow from the form and waits until the run has ended; the run page's URL. */
async function finishedRun(page: Page): Promise<string> {
  const { t, server, output } = platform();
  await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
  const form = page.getByTestId("dispatch-.gantry/workflows/matrix.yml");
  await form.getByRole("button", { name: "Run workflow" }).click();
  await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
  const runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  await poll("the run ends", 180_000, async () => {
    const run = await t.database.system("test").workflowRun.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } });
    return run?.finishedAt ? run.status : undefined;
  }, output);
  return page.url();
}

describe("a finished run's pages", () => {
  it("show names, inputs, summaries, annotations and logs as people read them, with what failed open", async () => {
    const { server, browser, output } = platform();
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 1000 });
    const runUrl = await finishedRun(page);
    await page.goto(runUrl);
    const runNumber = (await page.getByTestId("run").getByRole("heading").innerText()).replace("Matrix #", "");
    expect(await page.title()).toBe(`Matrix #${runNumber} · demo/hello · Gantry`);
    expect(await page.getByTestId("run").getByTestId("status-badge").innerText()).toBe("failed");

    // Inputs as declared, values as typed.
    const inputs = page.getByTestId("run-inputs");
    expect(await inputs.locator("dt").allInnerTexts()).toEqual(["zeta", "alpha", "mid", "blank"]);
    expect(await inputs.locator("dd").allInnerTexts()).toEqual(["last", "true", "two", "(empty)"]);

    // Job rows are links; statuses in GitHub's words.
    const word = (key: string) => page.getByTestId(`job-row-${key}`).getByTestId("status-badge").innerText();
    expect(await word("test (18)")).toBe("succeeded");
    expect(await word("fail")).toBe("failed");
    expect(await word("after")).toBe("skipped");
    expect(await page.getByTestId("job-row-test (20)").getByRole("link").getAttribute("href")).toBe(`/t/${DEMO.tenantSlug}/runs/${runUrl.split("/").at(-1)}/jobs/test%20(20)`);

    // What failed is open: the failed job's log, its failed step; the others closed.
    const failed = page.getByTestId("job-log-fail");
    expect(await failed.getAttribute("open")).not.toBeNull();
    expect(await page.getByTestId("job-log-test (18)").getAttribute("open")).toBeNull();
    const breaks = page.getByTestId("step-fail-1");
    expect(await breaks.getAttribute("data-status")).toBe("FAILED");
    expect(await breaks.locator("details").getAttribute("open")).not.toBeNull();
    expect(await breaks.getByTestId("status-badge").innerText()).toBe("failed");

    // The failed job's terminal: a named region, nothing announced as "Terminal input", scrolled to the failed step
    // (sixty lines of clean-up follow it, so it would be out of view at the bottom).
    const failLog = page.getByRole("region", { name: "Log of job fail" });
    await poll("the failed job's log ends", 30_000, async () => ((await page.getByTestId("log-state-fail").innerText()) === "finished: failed" ? true : undefined), output);
    await poll("the terminal at the failed step", 15_000, async () => ((await rows(failLog)).trimStart().startsWith("\u25b6 Breaks") ? true : undefined), output);
    expect(await rows(failLog)).toContain("about to break");
    expect(await rows(failLog)).not.toContain("\n160\n");
    expect(await page.getByLabel("Terminal input").count()).toBe(0);
    const helper = failLog.locator("textarea");
    expect(await helper.getAttribute("aria-hidden")).toBe("true");
    expect(await helper.getAttribute("readonly")).not.toBeNull();
    expect(await failLog.getAttribute("tabindex")).toBe("0");
    // The keys of a scrolling box scroll it, from the keyboard alone.
    await failLog.focus();
    await page.keyboard.press("Home");
    await poll("scrolled to the top", 10_000, async () => ((await rows(failLog)).startsWith("attempt 1") ? true : undefined));
    await page.keyboard.press("End");
    await poll("scrolled to the end", 10_000, async () => ((await rows(failLog)).includes("\n160\n") ? true : undefined));
    // Sixty lines and more: the box stops growing at its maximum.
    const failHeight = await failLog.locator(".xterm-screen").evaluate((element) => element.getBoundingClientRect().height);

    // A matrix cell: its step named as GitHub names it, the summary as Markdown, annotations coloured, the script once.
    await page.getByTestId("job-log-test (18)").locator("summary").first().click();
    const cell = page.getByTestId("job-log-test (18)");
    const step = cell.getByTestId("step-test (18)-0");
    expect(await step.locator(".step-name").innerText()).toBe("Test on node 18 (main)");
    expect(await page.locator("body").innerText()).not.toContain("${{");
    const summary = step.getByTestId("step-summary");
    expect(await summary.locator("table td").allInnerTexts()).toEqual(["unit", "12"]);
    expect(await summary.locator("pre code").innerText()).toBe("npm test\n");
    expect(await summary.locator("img").count()).toBe(0);
    expect(await summary.getByTestId("refused-image").innerText()).toBe("image not shown: tracker");
    expect(await summary.locator("script").count()).toBe(0);
    expect(await summary.getByText("bad link").getAttribute("href")).toBeNull();
    expect(await summary.getByRole("link", { name: "docs" }).getAttribute("href")).toBe("https://example.com/docs");
    expect(await page.title()).not.toBe("pwned");
    const cellLog = page.getByRole("region", { name: "Log of job test (18)" });
    await poll("the cell's log", 30_000, async () => ((await rows(cellLog)).includes("marker-18-end") ? true : undefined), output);
    const text = await rows(cellLog);
    expect(text).toContain("\u25b6 Test on node 18 (main)");
    expect(count(text, 'echo "marker-18-end"')).toBe(1);
    expect(text).toContain("Warning: careful with node 18");
    expect(text).toContain("Error: printed error line");
    // Only the script's echo may show the command text; no output line is printed as "##[…" any more.
    expect(text).not.toMatch(/^##\[/m);
    // An unnamed step's heading is its script ("Run echo …"): not printed again under it.
    expect(text).toContain("\u25b6 Run echo unnamed-step-ran");
    expect(count(text, "echo unnamed-step-ran")).toBe(1);
    const warning = cellLog.locator(".xterm-rows span", { hasText: "Warning: careful" }).first();
    // Yellow (bold, which xterm draws in the bright yellow).
    expect(await warning.getAttribute("class")).toMatch(/\bxterm-fg-(3|11)\b/);
    // A four-line log makes a four-line box; a long one stops growing at 30 lines.
    await page.getByTestId("job-log-tiny").locator("summary").first().click();
    const tinyLog = page.getByRole("region", { name: "Log of job tiny" });
    await poll("the tiny log", 30_000, async () => ((await page.getByTestId("log-state-tiny").innerText()) === "finished: succeeded" ? true : undefined), output);
    const tinyHeight = await tinyLog.locator(".xterm-screen").evaluate((element) => element.getBoundingClientRect().height);
    const rowHeight = await tinyLog.locator(".xterm-rows > div").first().evaluate((element) => element.getBoundingClientRect().height);
    expect((await rows(tinyLog)).trim().split("\n")).toEqual(["attempt 1", "\u25b6 Run echo tiny", "tiny"]);
    expect(tinyHeight).toBeLessThanOrEqual(rowHeight * 4 + 1);
    expect(failHeight).toBeCloseTo(rowHeight * 30, 0);
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "run-page-failed");

    // The job row's link opens the job's own page, titled, with its failure and its log open.
    await page.getByTestId("job-row-fail").getByRole("link", { name: "fail" }).click();
    await page.waitForURL(/\/jobs\/fail$/);
    expect(await page.title()).toBe(`fail · Matrix #${runNumber} · demo/hello · Gantry`);
    expect(await page.getByTestId("job-failure").innerText()).toContain("exited with code 3");
    expect(await page.getByTestId("job-log-fail").getAttribute("open")).not.toBeNull();
    await page.getByRole("region", { name: "Log of job fail" }).waitFor();
    await page.goto(`${runUrl}/jobs/${encodeURIComponent("test (20)")}`);
    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("test (20)");
    expect(await page.getByTestId("step-test (20)-0").locator(".step-name").innerText()).toBe("Test on node 20 (main)");
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});
