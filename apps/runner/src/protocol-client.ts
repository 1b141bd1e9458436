// The runner's side of the protocol: one typed call per route, each response parsed with the contract.
import { openAsBlob } from "node:fs";
import { open } from "node:fs/promises";
import {
  actionResolveResponse,
  artifactResponse,
  cacheResponse,
  checkoutTokenResponse,
  claimResponse,
  completeResponse,
  errorResponse,
  heartbeatResponse,
  logChunkResponse,
  PROTOCOL_BASE_PATH,
  registerResponse,
  stepReportResponse,
  objectPutResponse,
  type ActionResolveResponse,
  type ArtifactRequest,
  type ArtifactResponse,
  type CacheRequest,
  type CacheResponse,
  type CheckoutTokenRequest,
  type CheckoutTokenResponse,
  type ClaimResponse,
  type ObjectGrant,
  type ObjectPutResponse,
  type CompleteRequest,
  type HeartbeatResponse,
  type LogBatchRequest,
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
  /**
   * Network errors, 5xx and 429 may succeed if asked again; so may a name still held by a live runner (this one's
   * previous process, gone but not yet 30 s silent). Other refusals will not.
   */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.code === "runner_name_in_use";
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

  /** Up to `max` jobs (the runner's free slots) in one long poll. */
  claim(credential: string, runnerId: string, waitMs: number, max = 1): Promise<ClaimResponse> {
    return this.call("claim", credential, { runnerId, waitMs, max }, claimResponse, waitMs + 15_000);
  }

  heartbeat(jobToken: string, attemptId: string): Promise<HeartbeatResponse> {
    return this.call("heartbeat", jobToken, { attemptId }, heartbeatResponse);
  }

  appendLogs(jobToken: string, body: LogBatchRequest): Promise<LogChunkResponse> {
    return this.call("logs", jobToken, body, logChunkResponse);
  }

  reportStep(jobToken: string, body: StepReportRequest): Promise<{ applied: boolean }> {
    return this.call("step", jobToken, body, stepReportResponse);
  }

  complete(jobToken: string, body: CompleteRequest): Promise<{ applied: boolean }> {
    return this.call("complete", jobToken, body, completeResponse);
  }

  artifact(jobToken: string, body: ArtifactRequest): Promise<ArtifactResponse> {
    return this.call("artifacts", jobToken, body, artifactResponse);
  }

  cache(jobToken: string, body: CacheRequest): Promise<CacheResponse> {
    return this.call("caches", jobToken, body, cacheResponse);
  }

  /** Resolves a remote action (`owner/repo[/path]@ref`) to a commit and a signed archive URL; a refusal names the reason. */
  resolveAction(jobToken: string, attemptId: string, uses: string, stepIndex?: number): Promise<ActionResolveResponse> {
    return this.call("actions/resolve", jobToken, { attemptId, uses, ...(stepIndex !== undefined ? { stepIndex } : {}) }, actionResolveResponse, 60_000);
  }

  /** GETs a resolved action's archive (a signed URL: no token goes with it) into `file`. */
  downloadAction(url: string, file: string): Promise<void> {
    return this.getObject({ url, expiresAt: 0 }, file);
  }

  /** A contents:read installation token for one repository of the run's installation (the native checkout). */
  checkoutToken(jobToken: string, body: CheckoutTokenRequest): Promise<CheckoutTokenResponse> {
    return this.call("checkout-token", jobToken, body, checkoutTokenResponse);
  }

  /** PUTs a file to a granted object URL (signed: no token goes with it). */
  async putObject(grant: ObjectGrant, file: string, sizeBytes: number): Promise<ObjectPutResponse> {
    const response = await this.objectRequest(grant, { method: "PUT", headers: { "content-type": "application/gzip", "content-length": String(sizeBytes) }, body: await openAsBlob(file) });
    return objectPutResponse.parse(await response.json());
  }

  /** GETs a granted object URL into `file`. */
  async getObject(grant: ObjectGrant, file: string): Promise<void> {
    const response = await this.objectRequest(grant, { method: "GET" });
    const reader = response.body?.getReader();
    const out = await open(file, "w");
    try {
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) await out.write(read.value);
    } finally {
      await out.close();
    }
  }

  private async objectRequest(grant: ObjectGrant, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(grant.url, this.baseUrl), { ...init, signal: AbortSignal.timeout(30 * 60_000) });
    } catch (error) {
      throw new ProtocolError(`object store at ${this.baseUrl} did not answer: ${error instanceof Error ? error.message : String(error)}`, 0, "unreachable");
    }
    if (response.ok) return response;
    const refusal = errorResponse.safeParse(await response.json().catch(() => null));
    throw new ProtocolError(refusal.success ? refusal.data.error : `HTTP ${response.status}`, response.status, refusal.success ? refusal.data.code : "http_error");
  }
}
