// The API tokens page in Chromium against the production server: the empty state, a refused form showing its
// error at the field (nothing made), a token made and shown once, used over HTTP (the page then shows its last use),
// revoked from the page (the next call is 401 with the reason). Keyboard and labels: every control is reached by its
// accessible name.
import { DEMO } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { poll, signedIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();

const tenantsWith = (token: string) => fetch(`${fixture().server.baseUrl}/api/trpc/tenants.list`, { headers: { authorization: `Bearer ${token}` } });

describe("the API tokens page", () => {
  it("makes a token shown once, shows its use, and revokes it", async () => {
    const { t, server, browser } = fixture();
    const page = await signedIn(browser, server);
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/tokens`);
    expect(await page.getByTestId("no-tokens").innerText()).toBe("No API tokens yet. Make one below for a script or the CLI.");

    // No scope: the form says so beside the scopes, and nothing is made.
    await page.getByLabel("Name", { exact: true }).fill("deploy script");
    await page.getByRole("checkbox", { name: /runs:read/ }).uncheck();
    await page.getByRole("button", { name: "Make token" }).click();
    expect(await page.locator("#token-scopes-error").innerText()).toBe("Choose at least one scope.");
    expect(await t.database.system("test").apiToken.count()).toBe(0);

    // Keyboard only from here: the scope, the expiry, the button.
    await page.getByRole("checkbox", { name: /runs:write/ }).focus();
    await page.keyboard.press("Space");
    await page.getByLabel("Expires").selectOption("never");
    await page.getByRole("button", { name: "Make token" }).focus();
    await page.keyboard.press("Enter");
    const shown = page.getByLabel("The new API token");
    await shown.waitFor();
    const token = await shown.inputValue();
    expect(token).toMatch(/^gat_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId("new-token").innerText()).toContain("copy it now, it is not shown again");
    const [stored] = await t.database.system("test").apiToken.findMany();
    expect(stored).toMatchObject({ name: "deploy script", scopes: ["runs:write"], expiresAt: null, lastUsedAt: null });
    const row = page.getByTestId(`token-${stored?.id ?? ""}`);
    expect((await row.innerText()).split("\t").map((cell) => cell.trim())).toEqual(["deploy script", "runs:write", expect.stringMatching(/UTC$/), "never", "never", "active", "Revoke"]);

    // Used over HTTP: the page shows when.
    expect((await tenantsWith(token)).status).toBe(200);
    await page.reload();
    expect(await row.locator("td").nth(4).innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    // Shown once: a reload does not show it again.
    expect(await page.getByLabel("The new API token").count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    await page.getByRole("button", { name: "Revoke deploy script" }).click();
    await poll("the row to say revoked", 15_000, async () => ((await row.innerText()).includes("revoked") ? true : undefined), server.output);
    const refused = await tenantsWith(token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringMatching(/^This API token was revoked at /) } });
    expect(await t.database.system("test").auditEvent.findMany({ where: { targetId: stored?.id ?? "" }, select: { action: true, tenantId: true }, orderBy: { id: "asc" } })).toEqual([
      { action: "api_token.created", tenantId: DEMO.tenantId },
      { action: "api_token.revoked", tenantId: DEMO.tenantId },
    ]);
  });
});
