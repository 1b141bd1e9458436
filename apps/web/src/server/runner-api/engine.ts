// The run engine as the runner routes use it: one per deps object (the same database, scheduler and queues), so a
// claim, a complete and a heartbeat go through the same lifecycle code as the worker's processors.
import { createEngine, type Engine } from "@gantry/engine";
import type { RunnerApiDeps } from "./deps";

const engines = new WeakMap<RunnerApiDeps, Engine>();

export function engineOf(deps: RunnerApiDeps): Engine {
  let engine = engines.get(deps);
  if (!engine) {
    engine = createEngine({
      db: deps.database,
      scheduler: deps.scheduler,
      queues: deps.queues,
      masterKey: deps.masterKey ?? null,
      log: (line) => console.error(`[web] ${line}`),
      ...(deps.announceRunChange ? { announceRunChange: deps.announceRunChange } : {}),
      github: () => {
        const github = deps.github?.() ?? null;
        return github ? { webUrl: github.webUrl, apiUrl: github.client.apiUrl } : null;
      },
    });
    engines.set(deps, engine);
  }
  return engine;
}
