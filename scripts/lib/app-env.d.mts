// Types for app-env.mjs (plain JavaScript: it runs before `npm ci`).
export function composeAppEnv(input: {
  env: Record<string, string | undefined>;
  localUrl: string;
  secrets: { nextauthSecret: string; masterKey: string };
  stateDir: string;
}): { env: Record<string, string | undefined>; publicUrl: string };
