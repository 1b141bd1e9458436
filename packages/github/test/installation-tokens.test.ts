import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GithubApiError, InstallationTokens } from "../src/index";
import { FakeGithub } from "../src/testing/index";

let fake: FakeGithub;
let clock = Date.parse("2026-03-01T12:00:00Z");

beforeAll(async () => {
  fake = new FakeGithub({ now: () => clock });
  await fake.start();
  fake.addInstallation(1).addInstallation(2).addInstallation(3);
  fake.suspendInstallation(3);
});
afterAll(() => fake?.stop());

const tokens = (key = fake.privateKeyPem, appId = fake.appId) => new InstallationTokens({ appId, privateKey: createPrivateKey(key), apiUrl: fake.url, now: () => clock });
const exchanges = (id: number) => fake.callsTo(new RegExp(`^POST /app/installations/${id}/access_tokens$`));

describe("installation tokens", () => {
  it("mints with a valid RS256 App JWT, once for concurrent callers, and caches until five minutes before expiry", async () => {
    const client = tokens();
    const [a, b, c] = await Promise.all([client.get(1), client.get(1), client.get(1n)]);
    expect(a.token).toMatch(/^ghs_/);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(exchanges(1)).toHaveLength(1);
    const [call] = exchanges(1);
    expect(call?.jwt).toEqual({ iss: fake.appId, iat: Math.floor(clock / 1000) - 60, exp: Math.floor(clock / 1000) + 540 });
    expect(a.expiresAt.getTime()).toBe(clock + 3_600_000);

    clock += 55 * 60_000 - 1;
    expect(await client.get(1)).toBe(a);
    clock += 1;
    const renewed = await client.get(1);
    expect(renewed.token).not.toBe(a.token);
    expect(exchanges(1)).toHaveLength(2);
    expect((await client.get(2)).token).toMatch(/^ghs_/);
  });

  it("GitHub's refusals come back as errors that say so: wrong key, wrong app, suspended, unknown installation", async () => {
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    await expect(tokens(otherKey).get(1)).rejects.toMatchObject({ status: 401 });
    await expect(tokens(fake.privateKeyPem, "999").get(1)).rejects.toMatchObject({ status: 401 });
    await expect(tokens().get(3)).rejects.toMatchObject({ status: 403 });
    const missing = await tokens().get(404).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(GithubApiError);
    expect(missing).toMatchObject({ status: 404, retryable: false });
  });
});
