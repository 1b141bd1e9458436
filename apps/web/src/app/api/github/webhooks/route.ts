// GitHub App webhooks: the handler is in src/server/github/webhook.ts.
import { handleGithubWebhook } from "../../../../server/github/webhook";
import { getServices } from "../../../../server/services";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const services = getServices();
  return handleGithubWebhook(request, {
    database: services.database,
    webhookSecret: services.githubApp.current()?.webhookSecret ?? null,
    deliveries: services.githubDeliveries(),
    log: (line) => console.error(`[web] ${line}`),
  });
}
