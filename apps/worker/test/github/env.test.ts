// The worker's GitHub settings: none → no App; set → a token client that talks to the configured API.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GithubConfigError } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { githubIntakeFromEnv, processGithubIntake } from "../../src/intake/github/env";

let fake: FakeGithub;

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(5);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake?.stop();
});

describe("worker GitHub env", () => {
  it("no variables: no App; some: every problem named", () => {
    expect(githubIntakeFromEnv({ PATH: "/usr/bin" })).toBeNull();
    expect(() => githubIntakeFromEnv({ GANTRY_GITHUB_APP_ID: "12" })).toThrow(GithubConfigError);
  });

  it("from the process env: one client per process, minting tokens at the configured API", async () => {
    vi.stubEnv("GANTRY_GITHUB_APP_ID", fake.appId);
    vi.stubEnv("GANTRY_GITHUB_APP_PRIVATE_KEY", fake.privateKeyPem.replace(/\n/g, "\\n"));
    vi.stubEnv("GANTRY_GITHUB_WEBHOOK_SECRET", "w".repeat(24));
    vi.stubEnv("GANTRY_GITHUB_API_URL", fake.url);
    const github = processGithubIntake();
    expect(github?.apiUrl).toBe(fake.url);
    expect(processGithubIntake()).toBe(github);
    expect((await github?.tokens.get(5))?.token).toMatch(/^ghs_/);
    expect(fake.callsTo(/access_tokens$/)).toEqual([expect.objectContaining({ status: 201, jwt: expect.objectContaining({ iss: fake.appId }) })]);
  });
});
