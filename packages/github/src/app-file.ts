// The App's credentials as the manifest flow stores them: a file sealed with AES-256-GCM under a key derived
// from GANTRY_MASTER_KEY, written atomically with mode 0600. Env variables, when set, take precedence.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";

export const storedApp = z.object({
  appId: z.string().regex(/^\d+$/),
  slug: z.string().optional(),
  htmlUrl: z.string().optional(),
  privateKeyPem: z.string(),
  webhookSecret: z.string().min(16),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  apiUrl: z.string().optional(),
  webUrl: z.string().optional(),
});
export type StoredApp = z.infer<typeof storedApp>;

const sealed = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });

export class AppFileError extends Error {
  override name = "AppFileError";
}

function fileKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "gantry github app credentials", 32));
}

export function sealApp(masterKey: Buffer, app: StoredApp): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", fileKey(masterKey), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(storedApp.parse(app)), "utf8"), cipher.final()]);
  return JSON.stringify({ v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") });
}

export function openApp(masterKey: Buffer, text: string): StoredApp {
  let envelope;
  try {
    envelope = sealed.parse(JSON.parse(text));
  } catch {
    throw new AppFileError("the GitHub App file is not a sealed credentials file");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", fileKey(masterKey), Buffer.from(envelope.iv, "base64"));
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    const plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]).toString("utf8");
    return storedApp.parse(JSON.parse(plain));
  } catch {
    throw new AppFileError("the GitHub App file does not open with GANTRY_MASTER_KEY (another key, or tampered)");
  }
}

export function writeAppFile(path: string, masterKey: Buffer, app: StoredApp): void {
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, sealApp(masterKey, app), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function readAppFile(path: string, masterKey: Buffer): StoredApp {
  return openApp(masterKey, readFileSync(path, "utf8"));
}
