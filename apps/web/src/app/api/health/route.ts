import { checkHealth } from "../../../server/health";
import { getServices } from "../../../server/services";

export const dynamic = "force-dynamic";

/** 200 when Postgres and Redis both answer, else 503; the body says what is up and what is not. */
export async function GET(): Promise<Response> {
  const report = await checkHealth(getServices());
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
