// What the toolkit services need from the process: the database, the object store and its staging area, the keys
// that sign runtime tokens and blob URLs, the tenant quota, and where the control plane is reached by default.
import { createHmac } from "node:crypto";
import type { Database } from "@gantry/db";
import { DirectoryObjectStore, UploadStaging } from "@gantry/storage";
import { getServices } from "../services";
import { runtimeTokenKey } from "./runtime-token";

export interface ActionsServiceDeps {
  database: Database;
  store: DirectoryObjectStore;
  staging: UploadStaging;
  /** Verifies ACTIONS_RUNTIME_TOKEN (runtime-token.ts). */
  tokenKey: Uint8Array;
  /** Signs blob URLs (blob-url.ts). */
  urlSecret: string;
  /** Per tenant: bytes of live artifacts plus caches (the same quota as the native actions'). */
  quotaBytes: number;
  /** The base of signed URLs when the request did not come through a runner's service proxy. */
  publicUrl: string;
  /** How long a signed blob URL stays valid (ms). */
  urlTtlMs: number;
  now: () => number;
}

export const BLOB_URL_TTL_MS = 60 * 60_000;

export function actionsServiceDeps(): ActionsServiceDeps {
  const { database, env } = getServices();
  const store = new DirectoryObjectStore(env.storageDir);
  return {
    database,
    store,
    staging: new UploadStaging(store),
    tokenKey: runtimeTokenKey(env.NEXTAUTH_SECRET),
    urlSecret: createHmac("sha256", env.GANTRY_OBJECT_URL_SECRET ?? env.NEXTAUTH_SECRET).update("gantry actions blob urls").digest("hex"),
    quotaBytes: env.GANTRY_STORAGE_QUOTA_BYTES,
    publicUrl: env.publicUrl,
    urlTtlMs: BLOB_URL_TTL_MS,
    now: Date.now,
  };
}
