// Finding one's way, in Chromium against the production server: a link to a run followed while signed out comes back
// to that run after sign-in (and a callbackUrl to another site does not leave this one); every page names itself in
// the tab; the navigation marks where you are and links to real pages; times move; the tab has an icon; another
// tenant's pages are a plain 404 that leaves no stack trace in the log; a skip link leads past the navigation; and
// run, job and step statuses read as GitHub users read them, each kind with its own badge.
import { DEMO, intake, jobRunId, transitions, type TenantContext } from "@gantry/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations } from "./page-checks";
import { poll, signedIn, submitSignIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();
const demo: TenantContext = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } };
const JOBS = ["build", "lint", "test", "package", "deploy"];

/** A run of `CI` with five jobs: build running, lint ready for a runner, test held by its needs, package skipped, deploy cancelled. */
async function runWithEveryStatus(): Promise<{ runId: string; runNumber: number }> {
  const { t } = fixture();
  const sql = t.database.system("test");
  const job = (key: string, needs: string[] = []) => ({ key, jobId: key, name: key, needs, runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } });
  const created = await intake.createRun(sql, demo, {
    repositoryId: DEMO.repositoryId,
    idempotencyKey: `e2e-navigation-${Date.now()}`,
    workflowPath: ".gantry/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "c".repeat(40),
    trusted: true,
    plan: { jobs: [job("build"), job("lint"), job("test", ["build"]), job("package", ["build"]), job("deploy", ["build"])] },
  });
  const id = (key: string) => jobRunId(created.runId, key);
  await transitions.markJobWaiting(sql, demo, id("build"));
  await transitions.assignJob(sql, demo, { jobId: id("build"), expectedAttempt: 0, leaseMs: 600_000 });
  await transitions.markRunRunning(sql, demo, created.runId);
  await transitions.markJobWaiting(sql, demo, id("lint"));
  await transitions.skipJob(sql, demo, id("package"), "a need failed");
  await transitions.cancelJob(sql, demo, id("deploy"), "cancelled by e2e");
  const run = await sql.workflowRun.findUniqueOrThrow({ where: { id: created.runId }, select: { runNumber: true } });
  return { runId: created.runId, runNumber: run.runNumber };
}

/** The top navigation's current link: its text and aria-current, or null. */
async function currentNav(page: Page): Promise<{ text: string; current: string } | null> {
  const link = page.getByRole("navigation", { name: "Main" }).locator("a[aria-current]");
  if ((await link.count()) !== 1) return null;
  return { text: await link.innerText(), current: (await link.getAttribute("aria-current")) ?? "" };
}

describe("signing in from a link", () => {
  it("brings a signed-out visitor back to the run the link named, query and all", async () => {
    const { server, browser } = fixture();
    const { runId } = await runWithEveryStatus();
    const target = `/t/${DEMO.tenantSlug}/runs/${runId}?attempt=1`;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.baseUrl}${target}`);
    await page.waitForURL(/\/signin\?/);
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(target);
    await submitSignIn(page, DEMO.email, DEMO.password);
    await page.waitForURL(`${server.baseUrl}${target}`);
    await page.getByTestId("run").waitFor();
    await page.context().close();
  });

  it("never sends anyone to another site, whatever the callbackUrl says", async () => {
    const { server, browser } = fixture();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.baseUrl}/signin?callbackUrl=${encodeURIComponent("//evil.example/steal")}`);
    await submitSignIn(page, DEMO.email, DEMO.password);
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
    // Signed in, the sign-in page forwards at once: still only to a path on this site.
    for (const callback of ["/\\evil.example", "https://evil.example/", "/\t/evil.example", "javascript:alert(1)"]) {
      await page.goto(`${server.baseUrl}/signin?callbackUrl=${encodeURIComponent(callback)}`);
      await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
    }
    await page.goto(`${server.baseUrl}/signin?callbackUrl=${encodeURIComponent(`/t/${DEMO.tenantSlug}/members?x=1#top`)}`);
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/members?x=1#top`);
    await page.context().close();
  });
});

describe("titles, navigation, icon, times", () => {
  it("gives every page its own tab title, and the 404 page 'Not found'", async () => {
    const { server, browser } = fixture();
    const { runId, runNumber } = await runWithEveryStatus();
    const page = await signedIn(browser, server);
    const titleOf = async (path: string) => {
      await page.goto(`${server.baseUrl}${path}`);
      return page.title();
    };
    const base = `/t/${DEMO.tenantSlug}`;
    expect(await titleOf(base)).toBe("Overview · Gantry");
    expect(await titleOf(`${base}/runs/${runId}`)).toBe(`CI #${runNumber} · demo/hello · Gantry`);
    expect(await titleOf(`${base}/runs/${runId}/jobs/build`)).toBe(`build · CI #${runNumber} · demo/hello · Gantry`);
    expect(await titleOf(`${base}/settings/pools`)).toBe("Runner pools · Settings · Gantry");
    expect(await titleOf(`${base}/settings/environments`)).toBe("Environments · Settings · Gantry");
    expect(await titleOf(`${base}/settings`)).toBe("Workflows and pull requests · Settings · Gantry");
    expect(await titleOf(`${base}/runs/run_doesnotexist`)).toBe("Not found · Gantry");
    expect(await titleOf(`${base}/runs/${runId}/jobs/nosuchjob`)).toBe("Not found · Gantry");
    expect(await titleOf("/no/such/page")).toBe("Not found · Gantry");
    await page.context().close();
  });

  it("marks the current page in the navigation, links Runs and Runners to their pages, and serves the tab icon", async () => {
    const { server, browser } = fixture();
    const { runId } = await runWithEveryStatus();
    const page = await signedIn(browser, server);
    const missing: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await page.reload();
    expect(await currentNav(page)).toEqual({ text: "Overview", current: "page" });
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Runs" }).getAttribute("href")).toBe(`/t/${DEMO.tenantSlug}/runs`);
    await nav.getByRole("link", { name: "Runners" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/settings/pools`);
    await poll("Runners marked", 10_000, async () => ((await currentNav(page))?.text === "Runners" ? true : undefined));
    expect(await currentNav(page)).toEqual({ text: "Runners", current: "page" });
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);
    // A run page belongs to Runs.
    expect(await currentNav(page)).toEqual({ text: "Runs", current: "true" });
    const icon = await page.locator('head link[rel="icon"]').getAttribute("href");
    expect(icon).toMatch(/^\/icon\.svg/);
    const served = await page.request.get(`${server.baseUrl}${icon ?? ""}`);
    expect(served.status()).toBe(200);
    expect(served.headers()["content-type"]).toContain("image/svg+xml");
    // Only the run list's prefetch may miss: that page (/t/<tenant>/runs) comes with the run list work.
    expect(missing.filter((url) => new URL(url).pathname !== `/t/${DEMO.tenantSlug}/runs`)).toEqual([]);
    await page.context().close();
  });

  it("keeps relative times moving without a reload", async () => {
    const { server, browser } = fixture();
    await runWithEveryStatus();
    const page = await signedIn(browser, server);
    const time = page.getByTestId("runs").locator("time").first();
    const first = await time.innerText();
    expect(first).toMatch(/^\d+ s ago$/);
    await poll("the time moved", 10_000, async () => ((await time.innerText()) !== first ? true : undefined));
    expect(await time.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    await page.context().close();
  });
});

describe("another tenant", () => {
  it("answers 404 with the Not found page for a tenant one is not in, or that does not exist, and logs no stack trace", async () => {
    const { t, server, browser } = fixture();
    await t.database.system("test").tenant.create({ data: { id: "tnt_other", slug: "other", name: "Other" } });
    const page = await signedIn(browser, server);
    const logged = server.output().length;
    for (const path of ["/t/other", "/t/other/runs/run_x", "/t/other/settings/pools", "/t/no-such-tenant/members"]) {
      const response = await page.goto(`${server.baseUrl}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(await page.getByRole("heading", { name: "Not found" }).count(), path).toBe(1);
      expect(await page.title()).toBe("Not found · Gantry");
      expect(await page.getByText("Other").count()).toBe(0);
    }
    const output = server.output().slice(logged);
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toMatch(/not a member|TRPCError|⨯/);
    await page.context().close();
  });
});

describe("keyboard and screen readers", () => {
  it("starts every page with a skip link to its main content", async () => {
    const { server, browser } = fixture();
    const page = await signedIn(browser, server);
    // A fresh load: the first Tab of the page.
    await page.reload();
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    expect(await focused.innerText()).toBe("Skip to main content");
    expect(await focused.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await poll("main focused", 5_000, async () => ((await page.evaluate(() => document.activeElement?.id)) === "main" ? true : undefined));
    await page.goto(`${server.baseUrl}/signin`);
    expect(await page.locator("a.skip-link").getAttribute("href")).toBe("#main");
    expect(await page.locator("main#main").count()).toBe(1);
    await page.context().close();
  });
});

describe("statuses", () => {
  it("reads queued as waiting for a runner and waiting as held by needs, spells cancelled, and gives each kind its own badge", async () => {
    const { server, browser } = fixture();
    const { runId } = await runWithEveryStatus();
    const page = await signedIn(browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);
    const badges: Record<string, { word: string; colour: string; background: string; border: string; icon: string }> = {};
    for (const key of JOBS) {
      const badge = page.getByTestId(`job-row-${key}`).getByTestId("status-badge");
      badges[key] = await badge.evaluate((element) => {
        const style = getComputedStyle(element);
        return { word: element.textContent ?? "", colour: style.color, background: style.backgroundColor, border: style.borderStyle, icon: element.querySelector("svg")?.innerHTML ?? "" };
      });
    }
    expect(Object.fromEntries(JOBS.map((key) => [key, badges[key]?.word]))).toEqual({ build: "running", lint: "queued", test: "waiting", package: "skipped", deploy: "cancelled" });
    // No two kinds look alike, by colour or by icon.
    const looks = JOBS.map((key) => `${badges[key]?.colour}|${badges[key]?.background}|${badges[key]?.border}`);
    expect(new Set(looks).size).toBe(JOBS.length);
    expect(new Set(JOBS.map((key) => badges[key]?.icon)).size).toBe(JOBS.length);
    expect(await page.getByTestId("run").getByTestId("status-badge").innerText()).toBe("running");
    expect(await page.locator("body").innerText()).not.toContain("canceled");
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});
