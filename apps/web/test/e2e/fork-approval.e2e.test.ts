// A fork's pull request run held by the tenant's APPROVE_FIRST_TIME policy, in a real browser against the
// production server: a developer sees the "Awaiting approval" banner with who may decide and no buttons; an admin
// approves one run ("Approve and run": back in line, approved by them, audited once) and cancels another (cancelled,
// audited once). Each page passes axe; the banner's screenshot goes into docs/screenshots/.
import { randomBytes } from "node:crypto";
import { DEMO, hashPassword, randomId } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { forkRun, FORK_RUN_REASON } from "../fork-runs";
import { axeViolations, saveScreenshot } from "./page-checks";
import { poll, signedIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();
const WHY = FORK_RUN_REASON;

const heldRun = () => forkRun(fixture().t.database);

const statusOf = async (runId: string) => (await fixture().t.database.system("test").workflowRun.findUniqueOrThrow({ where: { id: runId } })).status;
const auditOf = (runId: string) => fixture().t.database.system("test").auditEvent.findMany({ where: { targetId: runId }, select: { action: true, actorId: true } });

describe("a fork's run awaiting approval on the run page", () => {
  it("a developer reads why it waits and who may decide, without buttons", async () => {
    const { t, server, browser } = fixture();
    const runId = await heldRun();
    const email = `dev-${randomBytes(4).toString("hex")}@example.test`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const userId = randomId("usr");
    await t.database.system("test").user.create({ data: { id: userId, email, name: "Dev", passwordHash: await hashPassword(password) } });
    await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId, role: "DEVELOPER" } });
    const page = await signedIn(browser, server, email, password);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${runId}`);
    const banner = page.getByTestId("fork-approval");
    await poll("the banner shown", 15_000, async () => ((await banner.count()) > 0 ? true : undefined), () => server.output());
    expect(await banner.innerText()).toContain(WHY);
    expect(await banner.getByTestId("fork-approval-who").innerText()).toContain("A maintainer or admin of this tenant can approve or cancel it.");
    expect(await banner.getByRole("button").count()).toBe(0);
    expect(await page.getByTestId("cancel-run").count()).toBe(0);
    expect(await page.getByTestId("run").innerText()).toContain("awaiting approval");
    expect(await axeViolations(page)).toEqual([]);
  });

  it("an admin approves one run and cancels another from the banner; each decision is audited once", async () => {
    const { server, browser } = fixture();
    const approved = await heldRun();
    const declined = await heldRun();
    const page = await signedIn(browser, server);

    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${approved}`);
    const banner = page.getByTestId("fork-approval");
    await poll("the banner shown", 15_000, async () => ((await banner.count()) > 0 ? true : undefined), () => server.output());
    expect(await axeViolations(page)).toEqual([]);
    await saveScreenshot(page, "run-awaiting-approval");
    await banner.getByRole("button", { name: "Approve and run" }).click();
    await poll("the run approved", 15_000, async () => ((await statusOf(approved)) !== "WAITING" ? true : undefined), () => server.output());
    await poll("the approval shown", 15_000, async () => ((await page.getByTestId("fork-approved").count()) > 0 ? true : undefined), () => server.output());
    expect(await page.getByTestId("fork-approved").innerText()).toContain("Approved by Demo Admin");
    expect(await page.getByTestId("fork-approval").count()).toBe(0);
    expect(await auditOf(approved)).toEqual([{ action: "run.approve", actorId: DEMO.userId }]);

    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${declined}`);
    await poll("the banner shown", 15_000, async () => ((await page.getByTestId("fork-approval").count()) > 0 ? true : undefined), () => server.output());
    await page.getByTestId("fork-approval").getByRole("button", { name: "Cancel" }).click();
    await poll("the run cancelled", 15_000, async () => ((await statusOf(declined)) === "CANCELED" ? true : undefined), () => server.output());
    await poll("the page shows it cancelled", 15_000, async () => ((await page.getByTestId("run").innerText()).includes("cancelled") ? true : undefined), () => server.output());
    // The badge is live (the run's event stream) and may say so before the action's re-render removes the banner.
    await poll("the banner gone", 15_000, async () => ((await page.getByTestId("fork-approval").count()) === 0 ? true : undefined), () => server.output());
    expect(await auditOf(declined)).toEqual([{ action: "run.reject", actorId: DEMO.userId }]);
  });
});
