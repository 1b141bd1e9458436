// Workflow warnings and the tenant setting in a real browser against the production server: the run page of a run
// whose workflow expands `${{ github.event.pull_request.title }}` in `run:` lists the warning with its position and
// rule, and an admin turns "script injection is an error" on from the settings page (audited, in Postgres).
import { DEMO, intake } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { poll, signedIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();

describe("workflow warnings on the dashboard", () => {
  it("the run page lists the script-injection warning as file:line:col, message and rule", async () => {
    const { t, server, browser } = fixture();
    const message = '"github.event.pull_request.title" is potentially untrusted. avoid using it directly in inline scripts.';
    const created = await intake.createRun(t.database.system("test"), { tenantId: DEMO.tenantId, actor: { kind: "SYSTEM" } }, {
      repositoryId: DEMO.repositoryId,
      idempotencyKey: "e2e-warned",
      workflowPath: ".gantry/workflows/greet.yml",
      workflowName: "Greet",
      event: "push",
      ref: "refs/heads/main",
      sha: "e".repeat(40),
      trusted: true,
      plan: { jobs: [{ key: "greet", jobId: "greet", name: "greet", needs: [], runsOn: ["ubuntu-latest"], timeoutMinutes: 5, continueOnError: false, retry: { maxAttempts: 1 } }] },
      warnings: [{ file: ".gantry/workflows/greet.yml", line: 7, col: 24, code: "script-injection", message, severity: "warning" }],
    });
    const page = await signedIn(browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/runs/${created.runId}`);
    const warnings = page.getByTestId("run-warnings");
    await poll("the warnings listed", 15_000, async () => ((await warnings.count()) > 0 ? true : undefined), () => server.output());
    const item = warnings.getByRole("listitem");
    expect(await item.count()).toBe(1);
    const text = await item.innerText();
    expect(text).toContain(".gantry/workflows/greet.yml:7:24");
    expect(text).toContain(message);
    expect(text).toContain("[script-injection]");
  });

  it("an admin makes script injection an error from the settings page", async () => {
    const { t, server, browser } = fixture();
    const page = await signedIn(browser, server);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/settings`);
    const form = page.getByTestId("tenant-settings");
    const checkbox = form.getByLabel("Script injection is an error");
    expect(await checkbox.isChecked()).toBe(false);
    await checkbox.check();
    await form.getByRole("button", { name: "Save settings" }).click();
    await poll("the setting saved", 15_000, async () => ((await t.database.system("test").tenant.findUniqueOrThrow({ where: { id: DEMO.tenantId } })).injectionLintError ? true : undefined), () => server.output());
    await poll("Saved. shown", 15_000, async () => ((await form.getByRole("status").count()) > 0 ? true : undefined));
    expect(await t.database.system("test").auditEvent.count({ where: { tenantId: DEMO.tenantId, action: "tenant.settings.update" } })).toBe(1);
    await page.reload();
    expect(await page.getByTestId("tenant-settings").getByLabel("Script injection is an error").isChecked()).toBe(true);
  });
});
