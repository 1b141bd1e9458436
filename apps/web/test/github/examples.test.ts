// Every published example of the events Gantry accepts, signed with a test secret, through the real route.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { signWebhook, webhookEventSchemas } from "@gantry/github";
import { publishedExamples } from "@gantry/github/testing";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "../../src/app/api/github/webhooks/route";
import { closeServices } from "../../src/server/services";
import { setupWebTest, stubWebEnv, TEST_REDIS_URL, type WebTestContext } from "../support";

let t: WebTestContext;
const secret = randomBytes(24).toString("hex");
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
let intakeQueue: Queue;

beforeAll(async () => {
  t = await setupWebTest();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  stubWebEnv({
    ...t.env,
    GANTRY_QUEUE_PREFIX: prefix,
    GANTRY_GITHUB_APP_ID: "4243",
    GANTRY_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    GANTRY_GITHUB_WEBHOOK_SECRET: secret,
  });
  intakeQueue = new Queue("gantry-intake", { connection: { url: TEST_REDIS_URL }, prefix });
});
afterAll(async () => {
  await intakeQueue?.obliterate({ force: true });
  await intakeQueue?.close();
  await closeServices();
  await t?.close();
});

describe("published webhook examples through POST /api/github/webhooks", () => {
  for (const event of Object.keys(webhookEventSchemas)) {
    it(`accepts and stores every ${event} example`, async () => {
      const examples = publishedExamples(event);
      for (const example of examples) {
        const body = JSON.stringify(example);
        const delivery = randomUUID();
        const response = await POST(
          new Request("http://127.0.0.1/api/github/webhooks", {
            method: "POST",
            headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": signWebhook(secret, body) },
            body,
          }),
        );
        expect(response.status).toBe(202);
        const row = await t.database.system("test").webhookDelivery.findUniqueOrThrow({ where: { deliveryId: `github:${delivery}` } });
        // Installation events are applied at once; the rest wait for the worker's intake.
        expect(row).toMatchObject({ event, action: typeof example.action === "string" ? example.action : null, status: event.startsWith("installation") ? "PROCESSED" : "RECEIVED" });
      }
      expect(await t.database.system("test").webhookDelivery.count({ where: { event } })).toBe(examples.length);
    });
  }
});
