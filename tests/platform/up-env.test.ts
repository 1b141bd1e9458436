// The environment `npm run up` starts web and worker with (scripts/lib/app-env.mjs): a GANTRY_PUBLIC_URL the user
// set survives (check-run links behind a proxy), and sign-in comes back to it.
import { describe, expect, it } from "vitest";
import { composeAppEnv } from "../../scripts/lib/app-env.mjs";

const secrets = { nextauthSecret: "n".repeat(43), masterKey: Buffer.alloc(32, 1).toString("base64") };
const compose = (env: Record<string, string | undefined>) => composeAppEnv({ env, localUrl: "http://127.0.0.1:3000", secrets, stateDir: "/tmp/state" });

describe("npm run up's app environment", () => {
  it("keeps a GANTRY_PUBLIC_URL the user set, and sign-in follows it", () => {
    const { env, publicUrl } = compose({ GANTRY_PUBLIC_URL: "https://ci.example.com", PATH: "/usr/bin" });
    expect(env.GANTRY_PUBLIC_URL).toBe("https://ci.example.com");
    expect(publicUrl).toBe("https://ci.example.com");
    expect(env.NEXTAUTH_URL).toBe("https://ci.example.com");
    expect(env.PATH).toBe("/usr/bin");
  });

  it("uses the local address when nothing is set", () => {
    const { env, publicUrl } = compose({ GANTRY_PUBLIC_URL: "  " });
    expect(env.GANTRY_PUBLIC_URL).toBe("http://127.0.0.1:3000");
    expect(env.NEXTAUTH_URL).toBe("http://127.0.0.1:3000");
    expect(publicUrl).toBe("http://127.0.0.1:3000");
    expect(env.GANTRY_STORAGE_DIR).toBe("/tmp/state/storage");
  });

  it("keeps the user's NEXTAUTH_URL (or AUTH_URL) over the public URL", () => {
    expect(compose({ GANTRY_PUBLIC_URL: "https://hooks.example.com", NEXTAUTH_URL: "https://ci.example.com" }).env.NEXTAUTH_URL).toBe("https://ci.example.com");
    expect(compose({ AUTH_URL: "https://auth.example.com" }).env.NEXTAUTH_URL).toBe("https://auth.example.com");
  });

  it("always sets its own secrets", () => {
    const { env } = compose({ NEXTAUTH_SECRET: "user's", GANTRY_MASTER_KEY: "user's" });
    expect(env.NEXTAUTH_SECRET).toBe(secrets.nextauthSecret);
    expect(env.GANTRY_MASTER_KEY).toBe(secrets.masterKey);
  });
});
