// Members in a real browser against the production server: an admin invites a second user by email on the members
// page (axe finds no WCAG A/AA violation there), the link is shown once; the invitee opens it signed out, signs in,
// comes back to it, accepts, and lands in the tenant with the role. As a developer they see the members but none
// of the admin controls, and the procedures refuse them anyway.
import { randomBytes } from "node:crypto";
import { DEMO, hashPassword, randomId } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { poll, signedIn, submitSignIn, useBrowserFixture } from "./harness";
import { axeViolations } from "./page-checks";

const fixture = useBrowserFixture();

describe("the members page", () => {
  it("an admin invites a second user, who signs in, opens the link and lands in the tenant as a developer", async () => {
    const { t, server, browser } = fixture();
    const email = `dev-${randomBytes(4).toString("hex")}@example.test`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    await t.database.system("test").user.create({ data: { id: randomId("usr"), email, name: "Second User", passwordHash: await hashPassword(password) } });

    const admin = await signedIn(browser, server);
    await admin.getByRole("link", { name: "Members" }).click();
    await admin.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/members`);
    await admin.getByTestId(`member-${DEMO.email}`).waitFor({ timeout: 15_000 });
    expect(await axeViolations(admin), "axe on the members page").toEqual([]);

    const form = admin.getByTestId("invite-form");
    await form.getByLabel("Email or GitHub login").fill(email);
    await form.getByLabel("Role").selectOption("DEVELOPER");
    await form.getByRole("button", { name: "Invite" }).click();
    const shown = admin.getByTestId("invite-link").locator("code");
    const link = await poll("the invitation link", 15_000, async () => ((await shown.count()) > 0 ? (await shown.textContent()) ?? undefined : undefined), () => server.output());
    expect(link).toMatch(new RegExp(`^${server.baseUrl}/invite/ginv_`));
    await poll("the open invitation listed", 15_000, async () => ((await admin.getByTestId(`invitation-${email}`).count()) > 0 ? true : undefined));
    expect(await axeViolations(admin), "axe on the members page with an invitation").toEqual([]);
    // Shown once: a reload no longer has it.
    await admin.reload();
    await admin.getByTestId(`invitation-${email}`).waitFor({ timeout: 15_000 });
    expect(await admin.getByTestId("invite-link").count()).toBe(0);

    // The invitee, signed out: told to sign in, and brought back to the link after.
    const invitee = await (await browser.newContext()).newPage();
    await invitee.goto(link);
    await invitee.getByRole("link", { name: "Sign in" }).click();
    await invitee.waitForURL(/\/signin\?callbackUrl=/);
    await submitSignIn(invitee, email, password);
    await invitee.waitForURL(link);
    await invitee.getByTestId("invitation").getByRole("button", { name: "Join Demo" }).waitFor({ timeout: 15_000 });
    expect(await invitee.getByTestId("invitation").textContent()).toContain("as developer");
    expect(await axeViolations(invitee), "axe on the invitation page").toEqual([]);
    await invitee.getByRole("button", { name: "Join Demo" }).click();
    await invitee.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}`);
    await poll("the tenant shown with the role", 15_000, async () => ((await invitee.getByTestId("user-email").textContent())?.includes("developer") ? true : undefined));

    // A developer sees who is in the tenant, but no admin controls.
    await invitee.getByRole("link", { name: "Members" }).click();
    await invitee.waitForURL(`${server.baseUrl}/t/${DEMO.tenantSlug}/members`);
    await invitee.getByTestId(`member-${email}`).waitFor({ timeout: 15_000 });
    expect(await invitee.getByTestId(`member-${email}`).getByTestId("member-role").textContent()).toBe("developer");
    expect(await invitee.getByTestId("invite-form").count()).toBe(0);
    expect(await invitee.getByRole("button", { name: /^Change the role/ }).count()).toBe(0);
    expect(await invitee.getByRole("button", { name: /^Remove / }).count()).toBe(0);

    // The link is spent: opening it again says so.
    await invitee.goto(link);
    expect(await invitee.getByTestId("invitation-refused").textContent({ timeout: 15_000 })).toContain("accepted already");

    // The admin's page now lists them; the audit log has the invitation and its acceptance.
    await admin.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/audit?action=invitation.`);
    const rows = await admin.locator("[data-testid^=audit-] code").allTextContents();
    expect(rows.filter((text) => text.startsWith("invitation."))).toEqual(["invitation.accepted", "invitation.created"]);
  }, 120_000);
});
