// Credentials sign-in against real User rows.
import { DEMO, hashPassword } from "@gantry/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWebEnv } from "../src/env";
import { authorizeCredentials, buildAuthOptions, userForGitHub } from "../src/server/auth";
import { SignInRateLimiter } from "../src/server/sign-in/rate-limit";
import { setupWebTest, type WebTestContext } from "./support";

let t: WebTestContext;
// A budget no test here reaches (test/sign-in.test.ts covers the limits).
const signIn = (raw: unknown) => authorizeCredentials(t.database, raw, { limiter: new SignInRateLimiter(t.redis, `gantry-test-auth-${process.pid}`, { maxFailuresPerAccount: 1000, maxFailuresPerIp: 1000, windowSeconds: 60 }), ip: "192.0.2.1" });

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
    expect(await signIn({ email: DEMO.email, password: DEMO.password })).toEqual({
      userId: DEMO.userId,
      email: DEMO.email,
      name: "Demo Admin",
    });
    expect(
      await signIn({
        email: ` ${DEMO.email.toUpperCase()} `,
        password: DEMO.password,
      }),
    ).toMatchObject({
      userId: DEMO.userId,
    });
  });

  it("refuses a wrong password, another user's password, an unknown email and a GitHub-only account", async () => {
    expect(
      await signIn({ email: DEMO.email, password: "gantry-demo!" }),
    ).toBeNull();
    expect(await signIn({ email: DEMO.email, password: "other-pass" })).toBeNull();
    expect(
      await signIn({ email: "nobody@example.test", password: DEMO.password }),
    ).toBeNull();
    expect(await signIn({ email: "octo@example.test", password: "" })).toBeNull();
    expect(
      await signIn({ email: "octo@example.test", password: "anything" }),
    ).toBeNull();
  });

  it("refuses input that is not an email and a password", async () => {
    expect(await signIn(undefined)).toBeNull();
    expect(await signIn({ email: "not-an-email", password: "x" })).toBeNull();
    expect(await signIn({ email: DEMO.email })).toBeNull();
  });
});

describe("auth options", () => {
  const env = parseWebEnv({
    DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
    REDIS_URL: "redis://127.0.0.1:6379",
    NEXTAUTH_SECRET: "0123456789abcdef0123",
    NEXTAUTH_URL: "http://localhost:3000",
  });

  it("offers GitHub only when it is configured", () => {
    expect(buildAuthOptions(env, t.database, t.redis).providers.map((provider) => provider.id)).toEqual([
      "credentials",
    ]);
    const withGitHub = { ...env, github: { clientId: "id", clientSecret: "secret" } };
    expect(buildAuthOptions(withGitHub, t.database, t.redis).providers.map((provider) => provider.id)).toEqual([
      "credentials",
      "github",
    ]);
  });

  it("puts our user id in the token: the credentials user's, or the user behind a GitHub login", async () => {
    const jwt = buildAuthOptions(env, t.database, t.redis).callbacks?.jwt;
    if (!jwt) throw new Error("no jwt callback");
    const credentials = await jwt({
      token: {},
      user: { id: DEMO.userId },
      account: { provider: "credentials", type: "credentials", providerAccountId: DEMO.userId },
    });
    expect(credentials.userId).toBe(DEMO.userId);

    const github = (login: string, email?: string) => {
      // GitHub's profile has more fields than next-auth's generic Profile type names.
      const profile = { login, email, name: login };
      return jwt({
        token: {},
        user: { id: "12345" },
        account: { provider: "github", type: "oauth", providerAccountId: "12345" },
        profile,
      });
    };
    expect((await github("octo")).userId).toBe("usr_gh_only");
  });
});

describe("userForGitHub", () => {
  it("creates a user on first sign-in and finds it the next time", async () => {
    const id = await userForGitHub(t.database, {
      login: "newcomer",
      email: "newcomer@example.test",
      name: null,
    });
    expect(id).toMatch(/^usr_/);
    expect(await userForGitHub(t.database, { login: "newcomer" })).toBe(id);
    const user = await t.database
      .system("test")
      .user.findUniqueOrThrow({ where: { githubLogin: "newcomer" } });
    expect(user).toMatchObject({ email: "newcomer@example.test", name: "newcomer", passwordHash: null });
    expect(await t.database.system("test").membership.count({ where: { userId: user.id } })).toBe(0);
  });

  it("never takes over an account by showing its email", async () => {
    const id = await userForGitHub(t.database, { login: "Mallory", email: DEMO.email });
    expect(id).not.toBe(DEMO.userId);
    const user = await t.database
      .system("test")
      .user.findUniqueOrThrow({ where: { githubLogin: "Mallory" } });
    expect(user.email).toBe("mallory@users.noreply.github.com");
  });

  it("refuses a profile without a login", async () => {
    expect(await userForGitHub(t.database, { email: "x@example.test" })).toBeNull();
  });
});
