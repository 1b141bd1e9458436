// The agent loop. Today it keeps the runner registered and visible (ping); claiming and running jobs
// (docs/runner-protocol.md) build on the same loop.
import { errorResponse, pingResponse, PROTOCOL_BASE_PATH, PROTOCOL_VERSION, type PingRequest, type PingResponse } from "@gantry/runner-protocol";
import { backoffMs } from "./backoff";
import type { RunnerEnv } from "./env";
import { probeProviders } from "./probe-providers";

export class ProtocolError extends Error {
  constructor(message: string, readonly status: number, readonly retryable: boolean) {
    super(message);
  }
}

export async function ping(env: RunnerEnv, body: PingRequest, fetchImpl: typeof fetch = fetch): Promise<PingResponse> {
  let response: Response;
  try {
    response = await fetchImpl(new URL(`${PROTOCOL_BASE_PATH}/ping`, env.GANTRY_URL), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env.GANTRY_RUNNER_TOKEN}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new ProtocolError(`control plane at ${env.GANTRY_URL} did not answer: ${error instanceof Error ? error.message : String(error)}`, 0, true);
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = errorResponse.safeParse(json);
    const message = parsed.success ? parsed.data.error : `HTTP ${response.status}`;
    // 4xx other than 429 will not get better by asking again (a wrong token stays wrong).
    throw new ProtocolError(message, response.status, response.status >= 500 || response.status === 429);
  }
  return pingResponse.parse(json);
}

export interface AgentHandle {
  stop(): void;
  done: Promise<void>;
}

export function startAgent(env: RunnerEnv, log: (line: string) => void = console.log): AgentHandle {
  const body: PingRequest = {
    protocolVersion: PROTOCOL_VERSION,
    name: env.GANTRY_RUNNER_NAME,
    version: process.env.npm_package_version ?? "dev",
    providers: probeProviders(),
    capacity: env.GANTRY_RUNNER_CAPACITY,
  };
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
  const done = (async () => {
    let failures = 0;
    let announced = false;
    while (!controller.signal.aborted) {
      try {
        const answer = await ping(env, body);
        if (!announced) log(`runner ${body.name} registered in pool ${answer.pool} (providers: ${body.providers.join(", ")})`);
        announced = true;
        failures = 0;
        await sleep(answer.nextPingMs);
      } catch (error) {
        if (error instanceof ProtocolError && !error.retryable) {
          log(`runner: the control plane refused this runner: ${error.message}`);
          throw error;
        }
        const delay = backoffMs(failures++);
        log(`runner: ${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  })();
  return { stop: () => controller.abort(), done };
}
