// The environment `npm run up` gives web and worker. What the user set wins: GANTRY_PUBLIC_URL (where browsers,
// webhooks and check-run links reach Gantry, e.g. through a reverse proxy) and NEXTAUTH_URL/AUTH_URL are theirs;
// only when they are unset does the local address stand in. Standard library only (it runs before `npm ci`).
import path from "node:path";

/**
 * @param {{ env: Record<string, string | undefined>, localUrl: string, secrets: { nextauthSecret: string, masterKey: string }, stateDir: string }} input
 * @returns {{ env: Record<string, string | undefined>, publicUrl: string }}
 */
export function composeAppEnv({ env, localUrl, secrets, stateDir }) {
  const set = (value) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const publicUrl = set(env.GANTRY_PUBLIC_URL) ?? localUrl;
  return {
    publicUrl,
    env: {
      ...env,
      // Sign-in redirects (GitHub's too) come back to where the browser is: the public URL unless said otherwise.
      NEXTAUTH_URL: set(env.NEXTAUTH_URL) ?? set(env.AUTH_URL) ?? publicUrl,
      NEXTAUTH_SECRET: secrets.nextauthSecret,
      GANTRY_PUBLIC_URL: publicUrl,
      GANTRY_MASTER_KEY: secrets.masterKey,
      // Archived job logs (the web app's object store directory).
      GANTRY_STORAGE_DIR: path.join(stateDir, "storage"),
      NODE_ENV: "production",
    },
  };
}
