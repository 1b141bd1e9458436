// The tRPC HTTP protocol, spoken directly (docs/api.md): a query is GET /api/trpc/<path>?input=<JSON>, a mutation is
// POST /api/trpc/<path> with the JSON input as the body; the answer is {result:{data}} or {error:{message, data:{code,
// httpStatus, zodIssues, fieldErrors}}}. Every answer is parsed with the zod schema the command expects. (The CLI
// cannot import the web app's AppRouter type: the architecture keeps apps apart, and it would pull Next's types in.)
import { z } from "zod";
import { CommandFailed } from "./errors";

const trpcError = z.object({
  error: z.object({
    message: z.string(),
    data: z
      .object({
        code: z.string(),
        httpStatus: z.number().optional(),
        zodIssues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).nullish(),
        fieldErrors: z.array(z.object({ path: z.array(z.string()), message: z.string() })).nullish(),
      })
      .optional(),
  }),
});
const trpcResult = z.object({ result: z.object({ data: z.unknown() }) });

/** A refusal from the server: its tRPC code (NOT_FOUND, FORBIDDEN, …) and its message, one line. */
export class ApiError extends CommandFailed {
  override name = "ApiError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function describeRefusal(error: z.infer<typeof trpcError>["error"]): string {
  const issues = error.data?.zodIssues ?? error.data?.fieldErrors;
  if (issues && issues.length > 0) return issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
  return error.message.replace(/\s*\n\s*/g, " ");
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class GantryApi {
  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  query<T>(path: string, input: unknown, answer: z.ZodType<T>): Promise<T> {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.call(`${this.url}/api/trpc/${path}${query}`, { method: "GET" }, answer);
  }

  mutation<T>(path: string, input: unknown, answer: z.ZodType<T>): Promise<T> {
    return this.call(`${this.url}/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input ?? null) }, answer);
  }

  private async call<T>(url: string, init: RequestInit, answer: z.ZodType<T>): Promise<T> {
    const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.token}`, accept: "application/json" };
    const response = await send(this.fetchImpl, url, { ...init, headers });
    const body = await readJson(response, url);
    const refused = trpcError.safeParse(body);
    if (refused.success) throw new ApiError(describeRefusal(refused.data.error), refused.data.error.data?.code ?? `HTTP_${response.status}`);
    const result = trpcResult.safeParse(body);
    if (!result.success) throw new CommandFailed(`${url} answered ${response.status} without a tRPC result: is ${this.url} a Gantry server?`);
    const data = answer.safeParse(result.data.result.data);
    if (!data.success) throw new CommandFailed(`${url} answered in an unexpected shape (${data.error.issues[0]?.path.join(".") ?? ""}: ${data.error.issues[0]?.message ?? ""}): is the CLI as new as the server?`);
    return data.data;
  }
}

/** fetch, with a network failure as one line naming the server. */
export async function send(fetchImpl: Fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new CommandFailed(`cannot reach ${new URL(url).origin}: ${cause}`);
  }
}

/** The answer's JSON, or one line saying what came instead. */
export async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CommandFailed(`${url} answered ${response.status} ${response.statusText} with no JSON${text ? `: ${text.slice(0, 120).replace(/\s+/g, " ")}` : ""}`);
  }
}
