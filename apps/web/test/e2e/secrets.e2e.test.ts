// The secrets page in a real browser against the production server: an admin adds a repository secret (the value
// never appears on the page), sees it listed by name, replaces it, and deletes it; the row in Postgres is ciphertext.
import { randomBytes } from "node:crypto";
import { DEMO } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { poll, signedIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture({ env: { GANTRY_MASTER_KEY: randomBytes(32).toString("base64") } });

describe("the secrets page", () => {
  it("adds, lists by name only, replaces and deletes a repository secret", async () => {
    const { t, server, browser } = fixture();
    const page = await signedIn(browser, server);
    await page.getByRole("link", { name: "Secrets" }).click();
    await page.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/secrets`);
    const value = `s3cret-${randomBytes(6).toString("hex")}`;
    const form = page.getByTestId("set-secret");
    await form.getByLabel("Scope").selectOption(DEMO.repositoryName);
    await form.getByLabel("Name").fill("deploy_key");
    await form.getByLabel("Value").fill(value);
    await form.getByRole("button", { name: "Save secret" }).click();
    const row = page.getByTestId(`secret-${DEMO.repositoryName}-DEPLOY_KEY`);
    await poll("the new secret listed", 15_000, async () => ((await row.count()) > 0 ? true : undefined), () => server.output());
    expect(await page.content()).not.toContain(value);
    const stored = await t.database.system("test").secret.findFirstOrThrow({ where: { name: "DEPLOY_KEY" } });
    expect(Buffer.from(stored.ciphertext).toString("utf8")).not.toContain(value);

    // Replacing keeps one row; a bad name is refused in place.
    await form.getByLabel("Scope").selectOption(DEMO.repositoryName);
    await form.getByLabel("Name").fill("DEPLOY_KEY");
    await form.getByLabel("Value").fill(`${value}-2`);
    await form.getByRole("button", { name: "Save secret" }).click();
    await poll("the replacement saved", 15_000, async () => ((await t.database.system("test").auditEvent.count({ where: { action: "secret.update" } })) === 1 ? true : undefined));
    expect(await t.database.system("test").secret.count({ where: { name: "DEPLOY_KEY" } })).toBe(1);

    await page.getByTestId(`delete-secret-${DEMO.repositoryName}-DEPLOY_KEY`).getByRole("button", { name: "Delete" }).click();
    await poll("the secret gone from the page", 15_000, async () => ((await row.count()) === 0 ? true : undefined));
    expect(await t.database.system("test").secret.count({ where: { name: "DEPLOY_KEY" } })).toBe(0);
  });
});
