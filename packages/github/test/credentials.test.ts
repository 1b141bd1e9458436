import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { githubAppFromEnv, GithubConfigError, parseGithubAppCredentials } from "../src/index";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const complete = { GANTRY_GITHUB_APP_ID: "12345", GANTRY_GITHUB_APP_PRIVATE_KEY: pem, GANTRY_GITHUB_WEBHOOK_SECRET: "a-webhook-secret-of-some-length" };

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseGithubAppCredentials(source);
  } catch (error) {
    if (error instanceof GithubConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("GitHub App credentials", () => {
  it("no variable set means no App; all set parses", () => {
    expect(githubAppFromEnv({ PATH: "/bin", GANTRY_GITHUB_APP_ID: "  " })).toBeNull();
    const app = githubAppFromEnv(complete);
    expect(app).toMatchObject({ appId: "12345", webhookSecret: complete.GANTRY_GITHUB_WEBHOOK_SECRET, client: null, apiUrl: "https://api.github.com" });
    expect(app?.privateKey.asymmetricKeyType).toBe("rsa");
  });

  it("names every missing variable on its own line", () => {
    const found = problems({ GANTRY_GITHUB_API_URL: "https://ghe.example.com/api/v3/" });
    expect(found).toHaveLength(3);
    expect(found.join("\n")).toMatch(/GANTRY_GITHUB_APP_ID is not set/);
    expect(found.join("\n")).toMatch(/GANTRY_GITHUB_APP_PRIVATE_KEY is not set/);
    expect(found.join("\n")).toMatch(/GANTRY_GITHUB_WEBHOOK_SECRET is not set/);
  });

  it("refuses a non-numeric id, a key that is not PEM, a short secret, half an OAuth client", () => {
    const found = problems({ ...complete, GANTRY_GITHUB_APP_ID: "my-app", GANTRY_GITHUB_APP_PRIVATE_KEY: "not a key", GANTRY_GITHUB_WEBHOOK_SECRET: "short", GANTRY_GITHUB_APP_CLIENT_ID: "Iv1.abc" });
    expect(found).toEqual([
      expect.stringMatching(/GANTRY_GITHUB_APP_ID must be the App's numeric id/),
      expect.stringMatching(/GANTRY_GITHUB_WEBHOOK_SECRET is too short/),
      expect.stringMatching(/GANTRY_GITHUB_APP_PRIVATE_KEY is not a PEM private key/),
      expect.stringMatching(/GANTRY_GITHUB_APP_CLIENT_ID and GANTRY_GITHUB_APP_CLIENT_SECRET go together/),
    ]);
  });

  it("accepts a key with escaped newlines, or from a file, and a GHES base URL", () => {
    const escaped = parseGithubAppCredentials({ ...complete, GANTRY_GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, "\\n"), GANTRY_GITHUB_API_URL: "https://ghe.example.com/api/v3/" });
    expect(escaped.apiUrl).toBe("https://ghe.example.com/api/v3");
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "gantry-gh-")), "app.pem");
    writeFileSync(file, pem);
    const fromFile = parseGithubAppCredentials({ ...complete, GANTRY_GITHUB_APP_PRIVATE_KEY: undefined, GANTRY_GITHUB_APP_PRIVATE_KEY_FILE: file });
    expect(fromFile.privateKeyPem).toBe(pem);
    expect(problems({ ...complete, GANTRY_GITHUB_APP_PRIVATE_KEY_FILE: file })).toEqual([expect.stringMatching(/both set/)]);
  });
});
