// The agent loop (Woodpecker's next → run → extend → done): register once, then claim for the free slots, run each
// job with heartbeats, report. Network trouble is retried with capped, jittered backoff; a refused token stops the runner.
import { PROTOCOL_VERSION, type Assignment, type RegisterRequest } from "@gantry/runner-protocol";
import { backoffMs } from "./backoff";
import { runnerStateDir, toolCacheDir, type RunnerEnv } from "./env";
import { chooseProvider, probeProviders } from "./probe-providers";
import { ProtocolClient, ProtocolError } from "./protocol-client";
import { protocolActions } from "./protocol-actions";
import { protocolObjects } from "./protocol-objects";
import { protocolReporter } from "./protocol-reporter";
import { runAssignment, type JobExecutor } from "./run-assignment";
import { allProviders } from "./sandbox/probe";
import type { SandboxProvider } from "./sandbox/types";
import { warmQuotaVolumes } from "./sandbox/warm-volumes";
import { sandboxExecutor } from "./sandbox-executor";

export interface AgentHandle {
  stop(): void;
  done: Promise<void>;
}

export interface AgentOptions {
  log?: (line: string) => void;
  fetchImpl?: typeof fetch;
  /** The sandbox providers to probe and choose from (default: every provider this runner has). */
  providers?: SandboxProvider[];
  /** Replaces the sandbox executor (tests of the loop itself). */
  executor?: JobExecutor;
}

const CLAIM_WAIT_MS = 20_000;

export function startAgent(env: RunnerEnv, options: AgentOptions = {}): AgentHandle {
  const log = options.log ?? console.log;
  const client = new ProtocolClient(env.GANTRY_URL, options.fetchImpl ?? fetch);
  const controller = new AbortController();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        controller.signal.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      controller.signal.addEventListener("abort", wake, { once: true });
    });

  /** Calls `fn` until it succeeds, the runner stops (null), or the control plane refuses for good (throws). */
  async function persist<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    for (let failures = 0; !controller.signal.aborted; failures++) {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof ProtocolError && !error.retryable) {
          log(`runner: the control plane refused ${what}: ${error.message}`);
          throw error;
        }
        const delay = backoffMs(failures);
        log(`runner: ${what}: ${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
    return null;
  }

  const done = (async () => {
    const probe = await probeProviders(options.providers ?? allProviders({ devMode: env.GANTRY_RUNNER_DEV_MODE }));
    for (const [name, result] of Object.entries(probe.details)) log(`runner: sandbox provider ${name}: ${result.available ? "available" : "unavailable"} (${result.detail})`);
    const body: RegisterRequest = {
      protocolVersion: PROTOCOL_VERSION,
      name: env.GANTRY_RUNNER_NAME,
      version: process.env.npm_package_version ?? "dev",
      providers: probe.available,
      capacity: env.GANTRY_RUNNER_CAPACITY,
    };
    const registration = await persist("register", () => client.register(env.GANTRY_RUNNER_TOKEN, body));
    if (!registration) return;
    log(`runner ${body.name} registered in pool ${registration.pool} (providers: ${body.providers.join(", ") || "none"})`);
    const choice = chooseProvider(probe, registration.sandbox.provider, env.GANTRY_RUNNER_DEV_MODE, registration.sandbox.egress);
    if (!choice.ok) {
      log(`runner: cannot serve pool ${registration.pool}: ${choice.error}`);
      throw new Error(choice.error);
    }
    const allowlist = registration.sandbox.allowlist;
    log(`runner: jobs run in ${choice.provider.name} sandboxes: ${choice.why}; egress ${registration.sandbox.egress}${registration.sandbox.egress === "allowlist" ? ` (${allowlist.join(", ") || "nothing listed"})` : ""}`);
    const execute = options.executor ?? sandboxExecutor({
        provider: choice.provider,
        host: probe,
        egress: registration.sandbox.egress,
        egressAllowlist: allowlist,
        reporter: (assignment, kill) => protocolReporter(client, assignment, { kill, log }),
        objects: (assignment, kill) => protocolObjects(client, assignment, { kill, log }),
        actions: (assignment, kill) => protocolActions(client, assignment, { kill, log }),
        stateDir: runnerStateDir(env),
        toolCache: toolCacheDir(env),
        serviceProxy: { controlPlaneUrl: env.GANTRY_URL },
        checkoutTokens: (assignment) => (repository) => client.checkoutToken(assignment.jobToken, { attemptId: assignment.attemptId, repository }),
        log,
      });
    // One claim at a time, asking for every free slot (`max`): a runner with 64 idle slots fills them from one
    // answer rather than from 64 long polls. Each job runs on its own and frees its slot when it ends.
    let free = env.GANTRY_RUNNER_CAPACITY;
    let slotFreed: (() => void) | undefined;
    const running = new Set<Promise<void>>();
    const runOne = async (assignment: Assignment) => {
      log(`runner: running ${assignment.job.key} (run #${assignment.run.number}, attempt ${assignment.attempt})`);
      const { outcome } = await runAssignment(client, assignment, execute, log, controller.signal);
      // The operator must hear of the platform's failures: they are this host's to fix.
      if (outcome) log(`runner: ${assignment.job.key} ${outcome.conclusion.toLowerCase()}${outcome.failureCause === "infrastructure" ? ` on the runner's side: ${outcome.failureReason ?? ""}` : ""}`);
    };
    while (!controller.signal.aborted) {
      if (free === 0) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            controller.signal.removeEventListener("abort", wake);
            slotFreed = undefined;
            resolve();
          };
          slotFreed = wake;
          controller.signal.addEventListener("abort", wake, { once: true });
        });
        continue;
      }
      const answer = await persist("claim", () => client.claim(registration.credential, registration.runnerId, CLAIM_WAIT_MS, free));
      const assignments = answer?.assignments ?? (answer?.assignment ? [answer.assignment] : []);
      for (const assignment of assignments.slice(0, free)) {
        free -= 1;
        const job: Promise<void> = runOne(assignment).finally(() => {
          free += 1;
          running.delete(job);
          slotFreed?.();
        });
        running.add(job);
      }
    }
    await Promise.all(running);
    // The quota volumes made ahead for the next jobs: nobody takes them now (a killed runner leaves them to the next one's sweep).
    await warmQuotaVolumes.close();
  })();
  return { stop: () => controller.abort(), done };
}
