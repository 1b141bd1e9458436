// The job page after a real run, in Chromium: the production web server, the real worker and a real runner (the
// `process` provider), a workflow pushed to a bare repository and started from the Run workflow form, its failed job
// re-run through `runs.rerun` (mode job) so it has two attempts. On the page: attempts as tabs with their causes, each
// attempt's own log; search with a match count and next/previous; jump to the first error; a line's permalink
// opened in a new page scrolls to it and highlights it; groups and steps fold; the step summary as Markdown; the raw
// log downloads as text with a secret masked as stored, refused signed out and to another tenant's user; axe-core
// finds nothing.
import { randomBytes } from "node:crypto";
import { DEMO, hashPassword } from "@gantry/db";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn, submitSignIn } from "./harness";
import { dispatchAndFinish, useWorkflowPlatform, type WorkflowPlatform } from "./workflow-platform";

// "ne""edle" prints "needle" while the script's echo (folded, but searched) does not contain the word.
const WORKFLOW = [
  "name: Logs",
  "on:",
  "  workflow_dispatch:",
  "jobs:",
  "  build:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - name: Prepare",
  "        run: |",
  '          echo "run attempt ${{ github.run_attempt }}"',
  '          echo "::group::Install tools"',
  '          echo "tool-alpha installed"',
  '          echo "tool-beta installed"',
  '          echo "::endgroup::"',
  "          seq 1 40",
  '          echo "token ${{ secrets.DEPLOY_TOKEN }}"',
  '          echo "ne""edle one"',
  "          cat >> \"$GITHUB_STEP_SUMMARY\" <<'SUMMARY'",
  "          | check | result |",
  "          | --- | --- |",
  "          | widget | broken |",
  "          SUMMARY",
  "      - name: Check",
  "        run: |",
  '          echo "ne""edle two"',
  '          echo "::error::widget check failed"',
  '          echo "ne""edle three"',
  "          seq 200 260",
  "          exit 4",
  "",
].join("\n");

const SECRET = "hunter2-job-page-secret";
const fixture = useWorkflowPlatform("job-page", { ".gantry/workflows/logs.yml": WORKFLOW }, { GANTRY_MASTER_KEY: randomBytes(32).toString("base64") });

/** The terminal's text as shown (xterm renders the visible rows as DOM rows). */
const rows = (terminal: Locator) => terminal.locator(".xterm-rows").innerText();
const rowLines = async (terminal: Locator) => (await rows(terminal)).split("\n").map((line) => line.trimEnd());

/** Waits until attempt `attempt` of the job has ended. */
async function jobEnded({ t, output }: WorkflowPlatform, runId: string, attempt: number): Promise<void> {
  await poll(`attempt ${attempt} of build ends`, 180_000, async () => {
    const job = await t.database.system("test").jobRun.findFirst({ where: { runId, key: "build" }, select: { attempt: true, finishedAt: true } });
    return job && job.attempt === attempt && job.finishedAt ? true : undefined;
  }, output);
}

/** Waits until the page's log has ended. */
async function logEnded(page: Page): Promise<Locator> {
  const { output } = fixture();
  await poll("the log ends", 30_000, async () => ((await page.getByTestId("log-state-build").innerText()).startsWith("finished") ? true : undefined), output);
  return page.getByRole("region", { name: "Log of job build" });
}

describe("the job page of a failed job re-run once", () => {
  it("shows both attempts with their causes and logs; searches, jumps to the error, folds, links to lines and downloads the log", async () => {
    const platform = fixture();
    const { t, server, browser, output } = platform;
    const page = await signedIn(browser, server);
    await page.setViewportSize({ width: 1280, height: 1100 });
    // A secret the job prints: the log (and so the raw download) holds the mask, never the value.
    const secret = await page.request.post(`${server.baseUrl}/api/trpc/secrets.set`, { data: { tenant: DEMO.tenantSlug, scope: { kind: "tenant" }, name: "DEPLOY_TOKEN", value: SECRET } });
    expect(secret.status(), await secret.text()).toBe(200);
    const runId = await dispatchAndFinish(page, platform, "logs.yml");
    await jobEnded(platform, runId, 1);

    // The engine's re-run of the one job: its second attempt.
    const rerun = await page.request.post(`${server.baseUrl}/api/trpc/runs.rerun`, { data: { tenant: DEMO.tenantSlug, runId, mode: "job", jobKey: "build" } });
    expect(rerun.status(), await rerun.text()).toBe(200);
    await jobEnded(platform, runId, 2);

    const jobUrl = `${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}/jobs/build`;
    await page.goto(jobUrl);
    // Attempts as tabs, the latest chosen, each with its cause.
    const tabs = page.getByRole("navigation", { name: "Attempts" });
    expect(await tabs.getByRole("link").allInnerTexts()).toEqual(["Attempt 1", "Attempt 2"]);
    expect(await tabs.getByRole("link", { name: "Attempt 2" }).getAttribute("aria-current")).toBe("page");
    expect(await page.getByTestId("attempt-cause-1").innerText()).toBe("cause: user");
    expect(await page.getByTestId("attempt-cause-2").innerText()).toBe("cause: user");
    expect(await page.getByTestId("attempt-tab-2").getByTestId("status-badge").innerText()).toBe("failed");
    let log = await logEnded(page);
    expect(await page.getByTestId("log-state-build").innerText()).toBe("finished: failed");

    // Steps with status and time, the summary as Markdown.
    expect(await page.getByTestId("step-build-0").getAttribute("data-status")).toBe("SUCCEEDED");
    expect(await page.getByTestId("step-build-1").getAttribute("data-status")).toBe("FAILED");
    expect(await page.getByTestId("step-build-0").locator(".step-name").innerText()).toBe("Prepare");
    expect(await page.getByTestId("step-build-0").getByTestId("step-summary").locator("table td").allInnerTexts()).toEqual(["widget", "broken"]);

    // A finished failed log opens at its first error.
    await poll("the log at the first error", 15_000, async () => ((await rows(log)).includes("Error: widget check failed") ? true : undefined), output);

    // Each attempt's own log: attempt 2 printed its run attempt, attempt 1 (a tab away) its own.
    await log.focus();
    await page.keyboard.press("Home");
    await poll("attempt 2's log from the top", 10_000, async () => ((await rowLines(log)).includes("run attempt 2") ? true : undefined), output);
    await tabs.getByRole("link", { name: "Attempt 1" }).click();
    await page.waitForURL(/\?attempt=1$/);
    expect(await tabs.getByRole("link", { name: "Attempt 1" }).getAttribute("aria-current")).toBe("page");
    log = await logEnded(page);
    await log.focus();
    await page.keyboard.press("Home");
    await poll("attempt 1's log from the top", 10_000, async () => ((await rowLines(log)).includes("run attempt 1") ? true : undefined), output);
    expect(await rows(log)).not.toContain("run attempt 2");

    // Groups: the user's group is open, the runner's script echo folded; a click on a title folds and unfolds it.
    let top = await rowLines(log);
    expect(top.slice(0, 5)).toEqual(["\u25be Prepare", '\u25b8 Run echo "run attempt 1"', "run attempt 1", "\u25be Install tools", "tool-alpha installed"]);
    await log.locator(".xterm-rows > div", { hasText: "Install tools" }).click({ force: true }); // xterm's screen takes the pointer: the click lands on it, over the row
    await poll("the group folded", 10_000, async () => ((await rowLines(log))[3] === "\u25b8 Install tools" ? true : undefined), output);
    top = await rowLines(log);
    expect(top.slice(3, 5)).toEqual(["\u25b8 Install tools", "1"]);
    expect(top).not.toContain("tool-alpha installed");
    await page.getByRole("button", { name: "Expand groups" }).click();
    await poll("every group unfolded", 10_000, async () => ((await rowLines(log)).includes("tool-beta installed") ? true : undefined), output);
    expect((await rowLines(log))[1]).toBe('\u25be Run echo "run attempt 1"');
    await page.getByRole("button", { name: "Collapse groups" }).click();
    await poll("every group folded", 10_000, async () => ((await rowLines(log))[3] === "\u25b8 Install tools" ? true : undefined), output);

    // A step's own section folds from the step list.
    const prepareToggle = page.getByRole("button", { name: "Hide log: Prepare" });
    expect(await prepareToggle.getAttribute("aria-expanded")).toBe("true");
    await prepareToggle.click();
    await poll("the step folded", 10_000, async () => ((await rowLines(log))[0] === "\u25b8 Prepare" ? true : undefined), output);
    expect((await rowLines(log))[1]).toBe("\u25be Check");
    expect(await page.getByRole("button", { name: "Show log: Prepare" }).getAttribute("aria-expanded")).toBe("false");
    await page.getByRole("button", { name: "Show log: Prepare" }).click();
    await poll("the step unfolded", 10_000, async () => ((await rowLines(log)).includes("run attempt 1") ? true : undefined), output);

    // Search: a count, next and previous; it looks into the folded step too.
    await page.getByRole("button", { name: "Hide log: Check" }).click();
    const search = page.getByRole("searchbox", { name: "Search the log" });
    await search.fill("needle");
    const countText = () => page.getByTestId("log-search-count").innerText();
    await poll("three matches", 10_000, async () => ((await countText()) === "1 of 3" ? true : undefined), output);
    expect(await page.getByRole("button", { name: "Hide log: Check" }).getAttribute("aria-expanded")).toBe("true");
    await page.getByRole("button", { name: "Next match" }).click();
    await poll("the second match", 10_000, async () => ((await countText()) === "2 of 3" ? true : undefined), output);
    await search.press("Enter");
    await poll("the third match", 10_000, async () => ((await countText()) === "3 of 3" ? true : undefined), output);
    await page.getByRole("button", { name: "Previous match" }).click();
    await poll("back to the second", 10_000, async () => ((await countText()) === "2 of 3" ? true : undefined), output);
    await search.fill("no such words here");
    await poll("no match", 10_000, async () => ((await countText()) === "No matches" ? true : undefined), output);
    await search.fill("");

    // Jump to the first error from the top of the log: it is scrolled into view and highlighted.
    await log.focus();
    await page.keyboard.press("Home");
    await poll("back at the top", 10_000, async () => ((await rowLines(log))[0] === "\u25be Prepare" ? true : undefined), output);
    expect(await rows(log)).not.toContain("Error: widget check failed");
    await page.getByRole("button", { name: "Jump to the first error" }).click();
    await poll("the first error in view", 10_000, async () => ((await rows(log)).includes("Error: widget check failed") ? true : undefined), output);
    const view = page.locator(".job-log-viewer");
    const anchor = await view.getAttribute("data-highlight");
    expect(anchor).toMatch(/^step-2-line-\d+$/);
    expect(await log.locator(".log-line-highlight").count()).toBe(1);

    // Its permalink, opened in a new page, scrolls there and highlights the same line.
    const link = page.getByTestId("log-permalink").getByRole("link");
    const href = (await link.getAttribute("href")) ?? "";
    expect(href).toBe(`${jobUrl}?attempt=1#${anchor ?? ""}`);
    const second = await page.context().newPage();
    await second.setViewportSize({ width: 1280, height: 1100 });
    await second.goto(href);
    const secondLog = await logEnded(second);
    await poll("the linked line highlighted", 15_000, async () => ((await second.locator(".job-log-viewer").getAttribute("data-highlight")) === anchor ? true : undefined), output);
    await poll("the linked line in view", 10_000, async () => ((await rows(secondLog)).includes("Error: widget check failed") ? true : undefined), output);
    expect(await secondLog.locator(".log-line-highlight").count()).toBe(1);
    const highlightTop = await secondLog.locator(".log-line-highlight").evaluate((element) => element.getBoundingClientRect().top);
    const errorRow = secondLog.locator(".xterm-rows > div", { hasText: "Error: widget check failed" });
    expect(Math.abs((await errorRow.evaluate((element) => element.getBoundingClientRect().top)) - highlightTop)).toBeLessThan(2);
    await second.close();

    // A clicked line is chosen for a permalink too.
    await page.keyboard.press("Home");
    await log.focus();
    await page.keyboard.press("Home");
    await poll("at the top again", 10_000, async () => ((await rowLines(log)).includes("run attempt 1") ? true : undefined), output);
    await log.locator(".xterm-rows > div", { hasText: /^run attempt 1\s*$/ }).click({ force: true });
    const clicked = await poll("the clicked line chosen", 10_000, async () => /^step-1-line-(\d+)$/.exec((await view.getAttribute("data-highlight")) ?? "")?.[1], output);

    // The raw log of each attempt, as a file; refused signed out and to someone of another tenant.
    const rawUrl = `${server.baseUrl}/api/t/${DEMO.tenantSlug}/runs/${runId}/jobs/build/logs/raw?attempt=1`;
    expect(await page.getByRole("link", { name: "Download raw log" }).getAttribute("href")).toBe(rawUrl.slice(server.baseUrl.length));
    const raw = await page.request.get(rawUrl);
    expect(raw.status()).toBe(200);
    expect(raw.headers()["content-type"]).toBe("text/plain; charset=utf-8");
    expect(raw.headers()["content-disposition"]).toBe(`attachment; filename="${runId}-build-attempt-1.log"`);
    const text = await raw.text();
    expect(text).toContain("run attempt 1\n");
    expect(text).toContain("##[group]Install tools\ntool-alpha installed\n");
    expect(text).toContain("##[error]widget check failed\n");
    expect(text).not.toContain("run attempt 2");
    expect(text).toContain("token ***\n");
    expect(text).not.toContain(SECRET);
    // The clicked line's number is its line in the first step's raw log (the log starts with that step).
    expect(text.split("\n")[Number(clicked) - 1]).toBe("run attempt 1");
    const latest = await page.request.get(rawUrl.replace("?attempt=1", ""));
    expect(await latest.text()).toContain("run attempt 2\n");
    expect((await page.request.get(rawUrl.replace("attempt=1", "attempt=x"))).status()).toBe(400);
    expect((await page.request.get(rawUrl.replace("attempt=1", "attempt=3"))).status()).toBe(404);
    const signedOut = await browser.newContext();
    expect((await signedOut.request.get(rawUrl)).status()).toBe(401);
    await signedOut.close();
    await t.database.system("test").tenant.create({ data: { id: "tnt_other_jobs", slug: "other-jobs", name: "Other" } });
    await t.database.system("test").user.create({ data: { id: "usr_other_jobs", email: "other@jobs.test", name: "Other", passwordHash: await hashPassword("other password") } });
    await t.database.system("test").membership.create({ data: { tenantId: "tnt_other_jobs", userId: "usr_other_jobs", role: "ADMIN" } });
    const outsider = await (await browser.newContext()).newPage();
    await outsider.goto(`${server.baseUrl}/signin`);
    await submitSignIn(outsider, "other@jobs.test", "other password");
    await outsider.waitForURL((url) => !url.pathname.startsWith("/signin"));
    const refused = await outsider.request.get(rawUrl);
    expect(refused.status()).toBe(403);
    expect(await refused.text()).not.toContain("widget");
    await outsider.context().close();

    await page.goto(jobUrl);
    await logEnded(page);
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "job-page");
    await page.context().close();
  });
});
