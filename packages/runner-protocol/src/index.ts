// The runner ⇄ control-plane contract (STYLE.md practice 7): every message the two exchange, as zod
// schemas both sides parse with. docs/runner-protocol.md states timeouts, ordering and idempotency.
import { z } from "zod";

export const PROTOCOL_VERSION = 1;
/** Base path of every protocol route on the control plane. */
export const PROTOCOL_BASE_PATH = "/api/runner/v1";

const providers = z.enum(["microvm", "gvisor", "bwrap", "process"]);

/** POST /api/runner/v1/ping — `Authorization: Bearer <pool registration token>`. */
export const pingRequest = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, "runner names use letters, digits, dot, dash, underscore"),
  version: z.string().min(1).max(50),
  /** Sandbox providers this host can start (probed at start-up). */
  providers: z.array(providers),
  capacity: z.number().int().min(1).max(256),
});
export type PingRequest = z.infer<typeof pingRequest>;

export const pingResponse = z.object({
  runnerId: z.string(),
  pool: z.string(),
  /** When to ping next, in milliseconds. */
  nextPingMs: z.number().int().positive(),
});
export type PingResponse = z.infer<typeof pingResponse>;

export const errorResponse = z.object({ error: z.string(), code: z.string() });
export type ErrorResponse = z.infer<typeof errorResponse>;
