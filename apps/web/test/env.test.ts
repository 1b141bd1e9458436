import { describe, expect, it } from "vitest";
import { parseWebEnv, WebEnvError } from "../src/env";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/gantry",
  REDIS_URL: "redis://127.0.0.1:6379",
  NEXTAUTH_SECRET: "a-secret-of-at-least-16-chars",
  NEXTAUTH_URL: "http://localhost:3000/",
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseWebEnv(source);
  } catch (error) {
    if (error instanceof WebEnvError) return error.problems;
    throw error;
  }
  throw new Error("expected parseWebEnv to fail");
}

describe("parseWebEnv", () => {
  it("accepts a complete environment and derives the app and public URLs", () => {
    const env = parseWebEnv(valid);
    expect(env.DATABASE_URL).toBe(valid.DATABASE_URL);
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.publicUrl).toBe("http://localhost:3000");
    expect(env.github).toBeNull();
  });

  it("takes AUTH_URL instead of NEXTAUTH_URL, and GANTRY_PUBLIC_URL for the public URL", () => {
    const env = parseWebEnv({
      ...valid,
      NEXTAUTH_URL: undefined,
      AUTH_URL: "http://web:3000",
      GANTRY_PUBLIC_URL: "https://ci.example.com/x",
    });
    expect(env.appUrl).toBe("http://web:3000");
    expect(env.publicUrl).toBe("https://ci.example.com");
  });

  it("enables GitHub only with both the client id and secret", () => {
    expect(parseWebEnv({ ...valid, GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" }).github).toEqual({
      clientId: "id",
      clientSecret: "secret",
    });
    expect(parseWebEnv({ ...valid, GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "" }).github).toBeNull();
    expect(problems({ ...valid, GITHUB_CLIENT_ID: "id" })).toEqual([
      "GITHUB_CLIENT_SECRET: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both to enable GitHub sign-in, or neither",
    ]);
  });

  it("names every missing variable on its own line", () => {
    const lines = problems({});
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^DATABASE_URL is not set/);
    expect(lines[1]).toMatch(/^REDIS_URL is not set/);
    expect(lines[2]).toMatch(/^NEXTAUTH_SECRET is not set: generate one with `openssl rand -base64 32`/);
    expect(lines[3]).toMatch(/^NEXTAUTH_URL is not set/);
  });

  it("says which variable is invalid and what it should look like", () => {
    expect(problems({ ...valid, DATABASE_URL: "not a url" })).toEqual([
      "DATABASE_URL is not a URL: expected postgresql://user@host:port/database",
    ]);
    expect(problems({ ...valid, REDIS_URL: "http://127.0.0.1:6379" })).toEqual([
      "REDIS_URL must start with redis:// or rediss://",
    ]);
    expect(problems({ ...valid, NEXTAUTH_SECRET: "short" })[0]).toMatch(/^NEXTAUTH_SECRET is too short/);
    expect(problems({ ...valid, NEXTAUTH_URL: "localhost" })[0]).toMatch(
      /^NEXTAUTH_URL \(or AUTH_URL\) is not a URL/,
    );
  });

  it("puts the problems in the error message, one per line", () => {
    expect(() => parseWebEnv({ ...valid, REDIS_URL: undefined })).toThrowError(
      "Invalid environment for apps/web:\n  - REDIS_URL is not set: expected a URL such as redis://127.0.0.1:6379",
    );
  });
});

describe("parseWebEnv with several problems", () => {
  it("reports a half-configured GitHub provider next to the other problems", () => {
    const lines = problems({ ...valid, REDIS_URL: undefined, GITHUB_CLIENT_ID: "id" });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^GITHUB_CLIENT_SECRET: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together/);
  });
});

describe("parseWebEnv and the GitHub App", () => {
  it("takes the remote actions' directory and mirror, and names a mirror that is not a URL", () => {
    const env = parseWebEnv({ ...valid, GANTRY_ACTIONS_DIR: "/srv/actions", GANTRY_ACTIONS_MIRROR_URL: "https://git.example.com" });
    expect([env.GANTRY_ACTIONS_DIR, env.GANTRY_ACTIONS_MIRROR_URL]).toEqual(["/srv/actions", "https://git.example.com"]);
    const none = parseWebEnv({ ...valid, GANTRY_ACTIONS_DIR: "", GANTRY_ACTIONS_MIRROR_URL: " " });
    expect([none.GANTRY_ACTIONS_DIR, none.GANTRY_ACTIONS_MIRROR_URL]).toEqual([undefined, undefined]);
    expect(problems({ ...valid, GANTRY_ACTIONS_MIRROR_URL: "git.example.com" })).toEqual(["GANTRY_ACTIONS_MIRROR_URL is not a URL: expected something like https://git.example.com"]);
  });

  it("no GANTRY_GITHUB_* variable is a valid environment without an App", () => {
    const env = parseWebEnv(valid);
    expect(env.githubApp).toMatchObject({ variables: null, appFile: null, apiUrl: "https://api.github.com", webUrl: "https://github.com" });
  });

  it("half an App names every missing or malformed variable, next to the other problems", () => {
    const lines = problems({ ...valid, NEXTAUTH_SECRET: undefined, GANTRY_GITHUB_APP_ID: "12", GANTRY_GITHUB_WEBHOOK_SECRET: "short", GANTRY_GITHUB_WEB_URL: "nope" });
    expect(lines).toEqual([
      expect.stringMatching(/^GANTRY_GITHUB_WEBHOOK_SECRET is too short/),
      expect.stringMatching(/^GANTRY_GITHUB_WEB_URL is not a URL/),
      expect.stringMatching(/^NEXTAUTH_SECRET is not set/),
      expect.stringMatching(/^GANTRY_GITHUB_APP_PRIVATE_KEY is not set/),
    ]);
  });
});
