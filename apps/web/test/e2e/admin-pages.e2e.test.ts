// The admin pages in a real browser against the production build (issue #16): an admin creates a runner pool and
// sees its registration token once, a runner registers with it (as the runner does), the admin connects a plain
// git repository (push secret shown once), sets up an environment with two required reviewers (a maintainer role,
// no self-review; too many approvals refused at the field), and approves the waiting deployment from the tenant's
// inbox. axe-core finds no WCAG A/AA violation on any page; each page's
// screenshot goes to docs/screenshots/ (docs/web.md shows them).
import { randomBytes } from "node:crypto";
import { DEMO, randomId, transitions } from "@gantry/db";
import { PROTOCOL_VERSION, registerResponse } from "@gantry/runner-protocol";
import { until } from "@gantry/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queuedDeployRun } from "../deploy-support";
import { setupWebTest, type WebTestContext } from "../support";
import { ensureWebBuild, launchChromium, signedIn, startWebServer, type WebServer } from "./harness";
import { axeViolations, saveScreenshot } from "./page-checks";

let t: WebTestContext;
let server: WebServer | undefined;
let browser: Browser | undefined;
let page: Page;
const tenant = DEMO.tenantSlug;
const reviewer = { id: randomId("usr"), name: "Rita Reviewer", email: "rita@example.test" };
const sys = () => t.database.system("test");

beforeAll(async () => {
  await ensureWebBuild();
  t = await setupWebTest();
  await sys().user.create({ data: { id: reviewer.id, email: reviewer.email, name: reviewer.name } });
  await sys().membership.create({ data: { tenantId: DEMO.tenantId, userId: reviewer.id, role: "DEVELOPER" } });
  server = await startWebServer({ ...t.env, GANTRY_MASTER_KEY: randomBytes(32).toString("base64") });
  browser = await launchChromium();
  page = await signedIn(browser, server);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await t?.close();
});

const visible = (what: string, locator: ReturnType<Page["getByTestId"]>) => until(what, async () => ((await locator.count()) > 0 ? true : undefined), { timeoutMs: 15_000, context: () => server?.output() ?? "" });

async function checkPage(name: string): Promise<void> {
  expect(await axeViolations(page), `axe on the ${name} page`).toEqual([]);
  await saveScreenshot(page, name);
}

describe("the admin pages", () => {
  it("creates a pool whose token is shown once and admits a runner", async () => {
    await page.getByRole("link", { name: "Settings", exact: true }).first().click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Runner pools" }).click();
    await page.waitForURL(`${server?.baseUrl}/t/${tenant}/settings/pools`);
    const form = page.getByTestId("create-pool");
    // A bad name is refused at its field, by the procedure's schema.
    await form.getByLabel("Name").fill("Bad Name");
    await form.getByRole("button", { name: "Create pool" }).click();
    await until("the name refused at its field", async () => ((await form.getByRole("alert").filter({ hasText: "pool names use lowercase" }).count()) > 0 ? true : undefined), { timeoutMs: 15_000, context: () => server?.output() ?? "" });
    expect(await form.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Name").fill("e2e-pool");
    await form.getByLabel("Labels").fill("e2e, linux");
    await form.getByLabel("Sandbox provider").selectOption("bwrap");
    await form.getByRole("button", { name: "Create pool" }).click();
    const tokenCell = page.getByTestId("pool-registration-token");
    await visible("the registration token", tokenCell);
    const token = (await tokenCell.textContent()) ?? "";
    expect(token).toMatch(/^grt_/);

    const registered = await fetch(`${server?.baseUrl}/api/runner/v1/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ protocolVersion: PROTOCOL_VERSION, name: "e2e-runner-1", version: "0.1.0", providers: ["bwrap"], capacity: 1 }),
    });
    expect(registered.status).toBe(200);
    expect(registerResponse.parse(await registered.json()).pool).toBe("e2e-pool");

    await page.reload();
    await visible("the runner in the pool", page.getByTestId("admin-pool-e2e-pool").getByTestId("runner-e2e-runner-1"));
    expect(await page.content()).not.toContain(token);
    await checkPage("pools");
  });

  it("connects a plain git repository; its push secret is shown once", async () => {
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Repositories" }).click();
    await page.waitForURL(`${server?.baseUrl}/t/${tenant}/settings/repositories`);
    const form = page.getByTestId("connect-git");
    await form.getByLabel("Source name").fill("forge");
    await form.getByLabel("Clone URL").fill("/srv/git/e2e.git");
    await form.getByLabel("Repository name").fill("team/e2e");
    await form.getByRole("button", { name: "Connect repository" }).click();
    const secret = page.getByTestId("git-notify-secret");
    await visible("the push secret", secret);
    expect(await page.getByTestId("git-hook-setup").textContent()).toContain("git config gantry.repository team/e2e");
    await visible("the repository listed", page.getByTestId("repository-team/e2e"));
    const source = await sys().gitSource.findFirstOrThrow({ where: { name: "forge" } });
    expect(Buffer.from(source.notifySecretCiphertext).toString("latin1")).not.toContain((await secret.textContent()) ?? "");
    await checkPage("repositories");
  });

  it("sets up an environment with two required reviewers and approves its deployment from the inbox", async () => {
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Environments" }).click();
    await page.waitForURL(`${server?.baseUrl}/t/${tenant}/settings/environments`);
    const create = page.getByTestId("create-environment");
    await create.getByLabel("Repository").selectOption({ label: "team/e2e" });
    await create.getByLabel("Name").fill("production");
    await create.getByRole("button", { name: "Create environment" }).click();
    const environment = page.getByTestId("environment-production");
    await visible("the environment", environment);
    await environment.getByText("Edit the rules of production").click();
    const rules = page.getByTestId("protection-production");
    await rules.getByLabel(/Demo Admin/).check();
    await rules.getByLabel(new RegExp(reviewer.name)).check();
    await rules.getByLabel("Deployment branches").fill("main\nrelease/*");
    // More approvals than the two named reviewers can give is refused at its field (the procedure's own schema).
    await rules.getByLabel("Approvals required").fill("3");
    await rules.getByRole("button", { name: "Save rules of production" }).click();
    await visible("the approvals error", rules.getByText("more approvals than named reviewers"));
    expect(await rules.getByLabel("Approvals required").getAttribute("aria-invalid")).toBe("true");
    // React resets a form after its action, refused or not: fill it again.
    await rules.getByLabel(/Demo Admin/).check();
    await rules.getByLabel(new RegExp(reviewer.name)).check();
    await rules.getByLabel("Deployment branches").fill("main\nrelease/*");
    await rules.getByLabel("Approvals required").fill("1");
    await rules.getByLabel("Maintainer", { exact: true }).check();
    await rules.getByLabel("Prevent self-review").check();
    await rules.getByRole("button", { name: "Save rules of production" }).click();
    const row = await until(
      "the reviewers rule stored",
      async () => {
        const stored = await sys().protectionRule.findFirst({ where: { kind: "REQUIRED_REVIEWERS", environment: { name: "production" } } });
        return stored ?? undefined;
      },
      { timeoutMs: 15_000, context: () => server?.output() ?? "" },
    );
    expect(row.config).toMatchObject({ reviewers: expect.arrayContaining([DEMO.userId, reviewer.id]), reviewerRoles: ["MAINTAINER"], requiredApprovals: 1, preventSelfReview: true });
    await page.reload();
    await checkPage("environments");

    // A deployment waiting for that review (as the engine's gate records it), decided from the inbox.
    const repository = await sys().repository.findFirstOrThrow({ where: { fullName: "team/e2e" } });
    const demoCtx = { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" as const } };
    const run = await queuedDeployRun(t, { repositoryId: repository.id, runsOn: ["e2e"] });
    const environmentRow = await sys().environment.findFirstOrThrow({ where: { name: "production", repositoryId: repository.id } });
    const approval = await transitions.requestApproval(sys(), demoCtx, { jobRunId: run.jobId, environmentId: environmentRow.id, expiresAt: new Date(Date.now() + 3_600_000) });

    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Approvals" }).click();
    await page.waitForURL(`${server?.baseUrl}/t/${tenant}/settings/approvals`);
    const pending = page.getByTestId(`pending-${approval.id}`);
    await visible("the pending deployment", pending);
    await checkPage("approvals");
    await pending.getByRole("button", { name: "Approve and deploy" }).click();
    await until("the approval decided", async () => ((await sys().approval.findUniqueOrThrow({ where: { id: approval.id } })).status === "APPROVED" ? true : undefined), { timeoutMs: 15_000 });
    await visible("the empty inbox", page.getByTestId("approvals-empty"));
  });

  it("the settings page shows the fork policy and token default, and saves them", async () => {
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${server?.baseUrl}/t/${tenant}/settings`);
    const plan = page.getByTestId("tenant-plan");
    await plan.getByLabel(/Read and write permissions/).check();
    await plan.getByLabel(/Require approval for first-time contributors/).check();
    await plan.getByRole("button", { name: "Save plan and permissions" }).click();
    await until("the settings stored", async () => {
      const row = await sys().tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } });
      return row.defaultTokenPermissions === "WRITE" && row.forkPullRequests === "APPROVE_FIRST_TIME" ? true : undefined;
    }, { timeoutMs: 15_000 });
    expect(await plan.getByLabel("Priority class (scheduler weight)").isDisabled()).toBe(true);
    await checkPage("settings");
  });
});
