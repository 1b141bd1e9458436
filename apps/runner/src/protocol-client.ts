// The runner's side of the protocol: one typed call per route, each response parsed with the contract.
import {
  claimResponse,
  completeResponse,
  errorResponse,
  heartbeatResponse,
  logChunkResponse,
  PROTOCOL_BASE_PATH,
  registerResponse,
  stepReportResponse,
  type ClaimResponse,
  type CompleteRequest,
  type HeartbeatResponse,
  type LogChunkRequest,
  type LogChunkResponse,
  type RegisterRequest,
  type RegisterResponse,
  type StepReportRequest,
} from "@gantry/runner-protocol";
import type { z } from "zod";

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
  /** Network errors, 5xx and 429 may succeed if asked again; other refusals will not. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

export class ProtocolClient {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private async call<T>(route: string, token: string, body: unknown, schema: z.ZodType<T>, timeoutMs = 15_000): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(`${PROTOCOL_BASE_PATH}/${route}`, this.baseUrl), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ProtocolError(`control plane at ${this.baseUrl} did not answer: ${error instanceof Error ? error.message : String(error)}`, 0, "unreachable");
    }
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const refusal = errorResponse.safeParse(json);
      throw new ProtocolError(refusal.success ? refusal.data.error : `HTTP ${response.status}`, response.status, refusal.success ? refusal.data.code : "http_error");
    }
    return schema.parse(json);
  }

  register(registrationToken: string, body: RegisterRequest): Promise<RegisterResponse> {
    return this.call("register", registrationToken, body, registerResponse);
  }

  claim(credential: string, runnerId: string, waitMs: number): Promise<ClaimResponse> {
    return this.call("claim", credential, { runnerId, waitMs }, claimResponse, waitMs + 15_000);
  }

  heartbeat(jobToken: string, attemptId: string): Promise<HeartbeatResponse> {
    return this.call("heartbeat", jobToken, { attemptId }, heartbeatResponse);
  }

  appendLog(jobToken: string, body: LogChunkRequest): Promise<LogChunkResponse> {
    return this.call("logs", jobToken, body, logChunkResponse);
  }

  reportStep(jobToken: string, body: StepReportRequest): Promise<{ applied: boolean }> {
    return this.call("step", jobToken, body, stepReportResponse);
  }

  complete(jobToken: string, body: CompleteRequest): Promise<{ applied: boolean }> {
    return this.call("complete", jobToken, body, completeResponse);
  }
}
