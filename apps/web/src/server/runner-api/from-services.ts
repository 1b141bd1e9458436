import { publishRunChange } from "@gantry/engine";
import { getServices } from "../services";
import { runtimeTokenKey } from "../actions-services/runtime-token";
import type { RunnerApiDeps } from "./deps";

export function runnerApiDeps(): RunnerApiDeps {
  const services = getServices();
  return {
    database: services.database,
    scheduler: services.scheduler,
    ready: services.readyWaiter,
    announceRunChange: publishRunChange(services.redis, services.env.GANTRY_QUEUE_PREFIX),
    queues: services.queues,
    leaseMs: services.env.GANTRY_LEASE_MS,
    heartbeatMs: services.env.GANTRY_HEARTBEAT_MS,
    masterKey: services.masterKey,
    maskers: services.attemptMaskers(),
    trustProxy: services.env.GANTRY_TRUST_PROXY,
    runtimeTokenKey: runtimeTokenKey(services.env.NEXTAUTH_SECRET),
    github: () => {
      const client = services.githubClient();
      const app = services.githubApp.current();
      return client && app ? { client, webUrl: app.webUrl } : null;
    },
  };
}
