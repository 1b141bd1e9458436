// Password hashes: node's built-in scrypt (no native dependency), at OWASP's floor for scrypt (N=2^17, r=8, p=1),
// the parameters written into each hash so they can rise later: an older hash still verifies with its own
// parameters and needsRehash says to replace it at the next successful sign-in (apps/web auth.ts).
//   current: scrypt$ln=17,r=8,p=1$<salt b64url>$<hash b64url>
//   legacy:  scrypt$<salt b64url>$<hash b64url>        (node's defaults: N=2^14, r=8, p=1)
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptParameters {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

export const PASSWORD_PARAMETERS: ScryptParameters = { ln: 17, r: 8, p: 1 };
const LEGACY_PARAMETERS: ScryptParameters = { ln: 14, r: 8, p: 1 };
/** A stored hash asking for more than this is refused rather than computed (it would take seconds and gigabytes). */
const MAX_LN = 20;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keylen: number, { ln, r, p }: ScryptParameters): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node refuses past maxmem (32 MiB by default, too little for N=2^17).
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 128 * 2 ** ln * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

interface ParsedHash {
  parameters: ScryptParameters;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts[0] !== "scrypt") return null;
  if (parts.length === 3 && parts[1] && parts[2]) return { parameters: LEGACY_PARAMETERS, salt: Buffer.from(parts[1], "base64url"), hash: Buffer.from(parts[2], "base64url") };
  const match = parts.length === 4 ? /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(parts[1] ?? "") : null;
  if (!match || !parts[2] || !parts[3]) return null;
  const parameters = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (parameters.ln < 10 || parameters.ln > MAX_LN || parameters.r < 1 || parameters.p < 1) return null;
  return { parameters, salt: Buffer.from(parts[2], "base64url"), hash: Buffer.from(parts[3], "base64url") };
}

export async function hashPassword(password: string, parameters: ScryptParameters = PASSWORD_PARAMETERS): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, parameters);
  return `scrypt$ln=${parameters.ln},r=${parameters.r},p=${parameters.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await scrypt(password, parsed.salt, parsed.hash.length, parsed.parameters);
  return timingSafeEqual(actual, parsed.hash);
}

/** true when the hash was made with weaker parameters than today's (or is not one of ours): replace it. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const { ln, r, p } = parsed.parameters;
  return ln < PASSWORD_PARAMETERS.ln || r < PASSWORD_PARAMETERS.r || p < PASSWORD_PARAMETERS.p;
}
