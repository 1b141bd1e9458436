// Secrets at rest (DESIGN.md invariant 8): AES-256-GCM under a per-tenant data key; data keys are stored
// wrapped (AES-256-GCM) by the master key, which lives only in the environment (GANTRY_MASTER_KEY).
// Additional authenticated data binds each ciphertext to its row, so a ciphertext copied onto another
// tenant, scope or name does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { TenantClient, TenantContext } from "./tenant-scope";
import { randomId } from "./ids";

export class SecretError extends Error {
  override name = "SecretError";
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The AAD purpose under which a git source's push-notification secret is sealed. */
export const gitSourceSecretPurpose = (gitSourceId: string) => `git-source:${gitSourceId}:notify`;

/** Parses GANTRY_MASTER_KEY: 32 bytes, base64. */
export function parseMasterKey(base64: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new SecretError("GANTRY_MASTER_KEY must be 32 random bytes, base64-encoded (openssl rand -base64 32)");
  return key;
}

// Prisma's Bytes columns take a Uint8Array over a plain ArrayBuffer; Node's Buffers may share a pool.
const bytes = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);

interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, authTag: cipher.getAuthTag() };
}

function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.authTag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new SecretError("a secret or data key did not authenticate: wrong master key, or the row was tampered with");
  }
}

// Wrapped data key layout: iv (12) | tag (16) | ciphertext (32).
const wrap = (master: Buffer, dataKey: Buffer, aad: string) => {
  const sealed = seal(master, dataKey, aad);
  return Buffer.concat([sealed.iv, sealed.authTag, sealed.ciphertext]);
};
const unwrap = (master: Buffer, wrapped: Uint8Array, aad: string) => {
  const bytes = Buffer.from(wrapped);
  return open(master, { iv: bytes.subarray(0, 12), authTag: bytes.subarray(12, 28), ciphertext: bytes.subarray(28) }, aad);
};

export interface SecretStore {
  /** Encrypts a value that lives in another table (e.g. a git source's notification secret); `purpose` is bound as AAD. */
  sealValue(purpose: string, value: string): Promise<Uint8Array<ArrayBuffer>>;
  openValue(purpose: string, sealed: Uint8Array): Promise<string>;
  put(scope: string, name: string, value: string): Promise<void>;
  reveal(scope: string, name: string): Promise<string | null>;
  names(scope: string): Promise<string[]>;
  remove(scope: string, name: string): Promise<boolean>;
}

/** A tenant's secrets. The data key is created on first use and unwrapped once per store. */
export function secretStore(db: TenantClient, ctx: TenantContext, masterKey: Buffer): SecretStore {
  let cached: { version: number; key: Buffer } | undefined;
  const keyAad = (version: number) => `gantry:data-key:${ctx.tenantId}:${version}`;
  const secretAad = (scope: string, name: string) => `gantry:secret:${ctx.tenantId}:${scope}:${name}`;

  async function dataKey(version?: number): Promise<{ version: number; key: Buffer }> {
    if (cached && (version === undefined || cached.version === version)) return cached;
    const row = await db.tenantDataKey.findFirst({
      where: version === undefined ? {} : { version },
      orderBy: { version: "desc" },
    });
    if (row) {
      cached = { version: row.version, key: unwrap(masterKey, row.wrappedKey, keyAad(row.version)) };
      return cached;
    }
    if (version !== undefined) throw new SecretError(`data key version ${version} is missing`);
    const key = randomBytes(32);
    // Two callers creating the first key race on (tenantId, version); the loser reads the winner's key.
    try {
      await db.tenantDataKey.create({
        data: { id: randomId("dk"), tenantId: ctx.tenantId, version: 1, wrappedKey: bytes(wrap(masterKey, key, keyAad(1))) },
      });
      cached = { version: 1, key };
      return cached;
    } catch {
      return dataKey(1);
    }
  }

  const valueAad = (purpose: string) => `gantry:value:${ctx.tenantId}:${purpose}`;

  return {
    // Layout: data key version (4 bytes, big-endian) | iv (12) | tag (16) | ciphertext.
    async sealValue(purpose, value) {
      const { version, key } = await dataKey();
      const sealed = seal(key, Buffer.from(value, "utf8"), valueAad(purpose));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(version);
      return bytes(Buffer.concat([header, sealed.iv, sealed.authTag, sealed.ciphertext]));
    },
    async openValue(purpose, sealedBytes) {
      const blob = Buffer.from(sealedBytes);
      if (blob.length < 32) throw new SecretError("sealed value is too short");
      const { key } = await dataKey(blob.readUInt32BE(0));
      const sealed = { iv: blob.subarray(4, 16), authTag: blob.subarray(16, 32), ciphertext: blob.subarray(32) };
      return open(key, sealed, valueAad(purpose)).toString("utf8");
    },
    async put(scope, name, value) {
      if (!SECRET_NAME.test(name)) throw new SecretError(`secret name "${name}" must be letters, digits and _ and not start with a digit`);
      if (name.toUpperCase().startsWith("GITHUB_")) throw new SecretError(`secret names may not start with GITHUB_ (got ${name})`);
      const { version, key } = await dataKey();
      const sealed = seal(key, Buffer.from(value, "utf8"), secretAad(scope, name));
      const stored = { iv: bytes(sealed.iv), ciphertext: bytes(sealed.ciphertext), authTag: bytes(sealed.authTag) };
      await db.secret.upsert({
        where: { tenantId_scope_name: { tenantId: ctx.tenantId, scope, name } },
        create: { id: randomId("sec"), tenantId: ctx.tenantId, scope, name, dataKeyVersion: version, ...stored },
        update: { dataKeyVersion: version, ...stored },
      });
    },
    async reveal(scope, name) {
      const row = await db.secret.findUnique({ where: { tenantId_scope_name: { tenantId: ctx.tenantId, scope, name } } });
      if (!row) return null;
      const { key } = await dataKey(row.dataKeyVersion);
      const sealed = { iv: Buffer.from(row.iv), ciphertext: Buffer.from(row.ciphertext), authTag: Buffer.from(row.authTag) };
      return open(key, sealed, secretAad(scope, name)).toString("utf8");
    },
    async names(scope) {
      const rows = await db.secret.findMany({ where: { scope }, select: { name: true }, orderBy: { name: "asc" } });
      return rows.map((row) => row.name);
    },
    async remove(scope, name) {
      const { count } = await db.secret.deleteMany({ where: { scope, name } });
      return count === 1;
    },
  };
}
