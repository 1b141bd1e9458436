// The security surface an admin reaches in a real browser against the production server: wrong passwords are
// refused and then rate-limited (the form says for how long, the right password too is refused meanwhile), every
// attempt is on the Audit page with its address, a pool's registration token is rotated from the dashboard (shown
// once; the old one stops registering), and a viewer is refused the Audit page.
import { randomBytes } from "node:crypto";
import { DEMO, hashPassword, hashToken, randomId } from "@gantry/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { poll, signedIn, submitSignIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();

async function signInPage(): Promise<Page> {
  const { server, browser } = fixture();
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.baseUrl}/signin`);
  return page;
}

describe("the admin's security surface in Chromium", () => {
  it("refuses wrong passwords, then rate-limits the account from this address, saying for how long", async () => {
    const { t, server } = fixture();
    // An account of its own, so the limit it reaches does not lock the demo admin out of the other tests.
    const email = `limited-${randomBytes(6).toString("hex")}@example.test`;
    const password = "a right password";
    const id = randomId("usr");
    await t.database.system("test").user.create({ data: { id, email, name: "Limited", passwordHash: await hashPassword(password) } });
    await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role: "DEVELOPER" } });

    const attempts = () => t.database.system("test").auditEvent.findMany({ where: { data: { path: ["email"], equals: email } }, orderBy: { id: "asc" } });
    const page = await signInPage();
    for (let i = 0; i < 5; i++) {
      await submitSignIn(page, email, `wrong ${i}`);
      // Each refusal is recorded before the form shows it: wait for it, so the next try is the next one.
      await poll(`refusal ${i + 1}`, 15_000, async () => ((await attempts()).length > i ? true : undefined), () => server.output());
      expect(await page.getByTestId("signin-error").innerText()).toBe("Wrong email or password.");
    }
    // The sixth try, with the right password, is refused before it is checked.
    await submitSignIn(page, email, password);
    const limited = await poll("the rate-limit message", 15_000, async () => {
      const text = (await page.getByRole("alert").allInnerTexts()).join(" ");
      return /too many failed sign-ins/i.test(text) ? text : undefined;
    }, () => server.output());
    expect(limited).toMatch(/try again in \d+ minutes?/i);
    expect(page.url()).toContain("/signin");

    const events = await attempts();
    expect(events.map((event) => event.action)).toEqual([...Array(5).fill("auth.sign_in.failed"), "auth.sign_in.rate_limited"]);
    // The address is the socket's, as the server saw it.
    expect(events.every((event) => event.ip === "127.0.0.1" || event.ip === "::ffff:127.0.0.1")).toBe(true);
  });

  it("shows the admin the audit log and rotates a pool's registration token once, from the dashboard", async () => {
    const { t, server, browser } = fixture();
    const page = await signedIn(browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
    // The pool says what every job of it runs under (the demo pool's defaults).
    const limits = page.getByTestId(`pool-limits-${DEMO.poolName}`);
    await limits.waitFor();
    expect(await limits.innerText()).toBe("2 CPUs · 4 GiB memory · 1024 processes · 10 GiB disk · 360 min");
    const rotate = page.getByTestId(`rotate-token-${DEMO.poolName}`);
    await rotate.getByRole("button", { name: "Rotate registration token" }).click();
    const token = await poll("the new token", 15_000, async () => {
      const shown = page.getByTestId("new-registration-token");
      return (await shown.count()) > 0 ? (await shown.innerText()).trim() : undefined;
    }, () => server.output());
    expect(token).toMatch(/^grt_/);
    const pool = await t.database.system("test").runnerPool.findUniqueOrThrow({ where: { id: DEMO.poolId } });
    expect(pool.registrationTokenHash).toBe(hashToken(token));
    // Shown once: a reload does not show it again.
    await page.reload();
    expect(await page.getByTestId("new-registration-token").count()).toBe(0);

    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/audit`);
    const audit = page.getByTestId("audit");
    await audit.waitFor();
    const text = await audit.innerText();
    // Long details wrap inside the card rather than widening it past the page.
    const widths = await page.evaluate(() => ({ card: document.querySelector("[data-testid=audit]")?.getBoundingClientRect().right ?? 0, table: document.querySelector("[data-testid=audit] table")?.getBoundingClientRect().right ?? 0 }));
    expect(widths.table).toBeLessThanOrEqual(widths.card);
    expect(text).toContain("pool.registration_token.rotated");
    expect(text).toContain("auth.sign_in.succeeded");
    expect(text).not.toContain(token);
  });

  it("refuses the audit log to a viewer with 403, naming the role it needs", async () => {
    const { t, server, browser } = fixture();
    const email = `viewer-${randomBytes(6).toString("hex")}@example.test`;
    const id = randomId("usr");
    await t.database.system("test").user.create({ data: { id, email, name: "Viewer", passwordHash: await hashPassword("viewer password") } });
    await t.database.system("test").membership.create({ data: { tenantId: DEMO.tenantId, userId: id, role: "VIEWER" } });
    const page = await signedIn(browser, server, email, "viewer password");
    // Not offered either: no Audit link in the top bar or the settings navigation.
    expect(await page.getByRole("link", { name: /^Audit/ }).count()).toBe(0);
    const response = await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/audit`);
    expect(response?.status()).toBe(403);
    expect(await page.getByTestId("forbidden").getByRole("alert").innerText()).toBe("Audit log needs the admin role in this tenant; ask an admin of the tenant if you need it.");
    expect(await page.getByTestId("audit").count()).toBe(0);
  });
});
