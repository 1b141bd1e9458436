// GET /api/t/<tenant>/runs/<runId>/jobs/<jobKey>/logs/raw?attempt=N: one job attempt's archived log as plain text,
// a file to save. Read page by page through `runs.logs` (the viewer check and tenant scoping of the chain), so a
// long log streams instead of being held whole; the text is the archive's, secrets masked as the runner stored it.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { RequestCaller } from "../api-tokens/request-caller";
import { createCaller } from "../routers/_app";
import { createTRPCContext, type TRPCContext } from "../trpc";
import type { LiveLogTarget } from "./live-log-stream";

export interface RawLogDeps {
  caller: RequestCaller;
  database: TRPCContext["database"];
  redis: TRPCContext["redis"];
  queues: TRPCContext["queues"];
}

const refuse = (status: number, message: string) => Response.json({ error: message }, { status });

/** `run_ab12-test-20-attempt-2.log`: only characters every file system and header takes. */
export function rawLogFilename(runId: string, jobKey: string, attempt: number): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "job";
  return `${safe(runId)}-${safe(jobKey)}-attempt-${attempt}.log`;
}

/** `?attempt=N` (1, 2, …); absent means the job's latest. Anything else is refused. */
function attemptOf(request: Request): number | undefined | null {
  const value = new URL(request.url).searchParams.get("attempt");
  if (value === null || value === "") return undefined;
  return /^[1-9]\d{0,5}$/.test(value) ? Number(value) : null;
}

export async function handleRawLog(request: Request, target: LiveLogTarget, deps: RawLogDeps): Promise<Response> {
  if (deps.caller.bearerRefusal) return refuse(401, deps.caller.bearerRefusal);
  if (!deps.caller.session) return refuse(401, "Sign in first.");
  const wanted = attemptOf(request);
  if (wanted === null) return refuse(400, "attempt must be a positive whole number (1, 2, …).");
  const trpc = createCaller(createTRPCContext({ ...deps.caller, database: deps.database, redis: deps.redis, queues: deps.queues }));
  const read = (attempt: number | undefined, fromSeq: number) => trpc.runs.logs({ tenant: target.tenant, runId: target.runId, jobKey: target.jobKey, attempt, fromSeq });
  let first: Awaited<ReturnType<typeof read>>;
  try {
    first = await read(wanted, 0);
  } catch (error) {
    if (error instanceof TRPCError) return refuse(getHTTPStatusCodeFromError(error), error.message);
    throw error;
  }
  if (first.attempt === 0) return refuse(404, `Job ${JSON.stringify(target.jobKey)} has not started: it has no log yet.`);
  const attempt = first.attempt;
  const encoder = new TextEncoder();
  let page: typeof first | null = first;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!page || page.chunks.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(page.text));
      const next = page.nextSeq;
      page = await read(attempt, next);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${rawLogFilename(target.runId, target.jobKey, attempt)}"`,
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    },
  });
}
