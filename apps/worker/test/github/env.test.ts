// The worker's GitHub settings come through its typed env: nothing set is no App (plain git works), half an App
// names every problem, and a configured App gives one token client per App, talking to the configured API.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { GithubAppSource, writeAppFile } from "@gantry/github";
import { FakeGithub } from "@gantry/github/testing";
import { parseWorkerEnv } from "../../src/env";
import { githubClientSource } from "../../src/intake/github/github-client";

const base = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x", REDIS_URL: "redis://127.0.0.1:6379" };
let fake: FakeGithub;

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(5);
});
afterAll(async () => {
  await fake?.stop();
});

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseWorkerEnv(source);
  } catch (error) {
    if (error instanceof z.ZodError) return error.issues.map((issue) => issue.message);
    throw error;
  }
  throw new Error("expected parseWorkerEnv to fail");
}

describe("worker GitHub env", () => {
  it("no variables: a valid env without an App", () => {
    const env = parseWorkerEnv(base);
    expect(env.githubApp.variables).toBeNull();
    expect(new GithubAppSource(env.githubApp).current()).toBeNull();
    expect(env.GANTRY_GITHUB_RECONCILE_INTERVAL_MS).toBe(600_000);
  });

  it("half an App: every missing or malformed variable on its own line, with the other problems", () => {
    const found = problems({ REDIS_URL: base.REDIS_URL, GANTRY_GITHUB_APP_ID: "my-app", GANTRY_GITHUB_API_URL: "not a url" });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is not set/),
        expect.stringMatching(/^GANTRY_GITHUB_APP_ID must be the App's numeric id/),
        expect.stringMatching(/^GANTRY_GITHUB_API_URL is not a URL/),
        expect.stringMatching(/^GANTRY_GITHUB_APP_PRIVATE_KEY is not set/),
        expect.stringMatching(/^GANTRY_GITHUB_WEBHOOK_SECRET is not set/),
      ]),
    );
    expect(problems({ ...base, GANTRY_GITHUB_APP_FILE: "/tmp/app.json" })).toEqual([expect.stringMatching(/^GANTRY_GITHUB_APP_FILE is set: GANTRY_MASTER_KEY .* is needed/)]);
  });

  it("a configured App: one client per App, minting tokens at the configured API", async () => {
    const env = parseWorkerEnv({
      ...base,
      GANTRY_GITHUB_APP_ID: fake.appId,
      GANTRY_GITHUB_APP_PRIVATE_KEY: fake.privateKeyPem.replace(/\n/g, "\\n"),
      GANTRY_GITHUB_WEBHOOK_SECRET: "w".repeat(24),
      GANTRY_GITHUB_API_URL: fake.url,
    });
    const client = githubClientSource(new GithubAppSource(env.githubApp));
    const github = client();
    expect(github?.apiUrl).toBe(fake.url);
    expect(client()).toBe(github);
    expect((await github?.tokens.get(5))?.token).toMatch(/^ghs_/);
    expect(fake.callsTo(/access_tokens$/)).toEqual([expect.objectContaining({ status: 201, jwt: expect.objectContaining({ iss: fake.appId }) })]);
  });

  it("the App file the manifest flow writes while the worker runs is picked up", () => {
    const masterKey = randomBytes(32);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "gantry-app-")), "github-app.json");
    const env = parseWorkerEnv({ ...base, GANTRY_GITHUB_APP_FILE: file, GANTRY_MASTER_KEY: masterKey.toString("base64") });
    const client = githubClientSource(new GithubAppSource(env.githubApp));
    expect(client()).toBeNull();
    writeAppFile(file, masterKey, { appId: fake.appId, slug: "gantry-test", privateKeyPem: fake.privateKeyPem, webhookSecret: fake.webhookSecret, apiUrl: fake.url });
    expect(client()?.apiUrl).toBe(fake.url);
  });
});
