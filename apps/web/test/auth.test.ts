// Credentials sign-in against real User rows.
import { DEMO, hashPassword } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeCredentials } from "../src/server/auth";
import { setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;

beforeAll(async () => {
  t = await setupWebTest();
  const system = t.database.system("test");
  await system.user.create({
    data: { id: "usr_gh_only", email: "octo@example.test", name: "Octo", githubLogin: "octo" },
  });
  await system.user.create({
    data: {
      id: "usr_other",
      email: "other@example.test",
      name: "Other",
      passwordHash: await hashPassword("other-pass"),
    },
  });
});
afterAll(async () => {
  await t?.close();
});

describe("authorizeCredentials", () => {
  it("signs in the demo user with the demo password, email case-insensitively", async () => {
    expect(await authorizeCredentials(t.database, { email: DEMO.email, password: DEMO.password })).toEqual({
      userId: DEMO.userId,
      email: DEMO.email,
      name: "Demo Admin",
    });
    expect(
      await authorizeCredentials(t.database, {
        email: ` ${DEMO.email.toUpperCase()} `,
        password: DEMO.password,
      }),
    ).toMatchObject({
      userId: DEMO.userId,
    });
  });

  it("refuses a wrong password, another user's password, an unknown email and a GitHub-only account", async () => {
    expect(
      await authorizeCredentials(t.database, { email: DEMO.email, password: "gantry-demo!" }),
    ).toBeNull();
    expect(await authorizeCredentials(t.database, { email: DEMO.email, password: "other-pass" })).toBeNull();
    expect(
      await authorizeCredentials(t.database, { email: "nobody@example.test", password: DEMO.password }),
    ).toBeNull();
    expect(await authorizeCredentials(t.database, { email: "octo@example.test", password: "" })).toBeNull();
    expect(
      await authorizeCredentials(t.database, { email: "octo@example.test", password: "anything" }),
    ).toBeNull();
  });

  it("refuses input that is not an email and a password", async () => {
    expect(await authorizeCredentials(t.database, undefined)).toBeNull();
    expect(await authorizeCredentials(t.database, { email: "not-an-email", password: "x" })).toBeNull();
    expect(await authorizeCredentials(t.database, { email: DEMO.email })).toBeNull();
  });
});
