// The engine's announceRunChange over Redis pub/sub: one PUBLISH on the tenant's run-events channel (no payload:
// the listeners read what changed from Postgres). The web app's RunEventHub holds the subscriber.
import { runEventsChannel } from "@gantry/db";
import type { Redis } from "ioredis";

export function publishRunChange(redis: Pick<Redis, "publish">, prefix: string): (tenantId: string) => Promise<number> {
  return (tenantId) => redis.publish(runEventsChannel(prefix, tenantId), "");
}
