// POST /api/git/sources/:id/push through the exported route function: real database, real Redis queue.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { DEMO, seedDemo } from "@gantry/db";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "../src/app/api/git/sources/[sourceId]/push/route";
import { closeServices } from "../src/server/services";
import { setupWebTest, stubWebEnv, TEST_REDIS_URL, type WebTestContext } from "./support";

let t: WebTestContext;
const masterKey = randomBytes(32);
const notifySecret = randomBytes(32).toString("base64url");
const prefix = `gantry-test-${randomBytes(4).toString("hex")}`;
let intakeQueue: Queue;

beforeAll(async () => {
  t = await setupWebTest();
  await seedDemo(t.database, {
    repositoryUrl: "/tmp/gantry-web-test/demo.git",
    runnerRegistrationToken: t.registrationToken,
    gitNotify: { masterKey, secret: notifySecret },
  });
  stubWebEnv({ ...t.env, GANTRY_MASTER_KEY: masterKey.toString("base64"), GANTRY_QUEUE_PREFIX: prefix });
  intakeQueue = new Queue("gantry-intake", { connection: { url: TEST_REDIS_URL }, prefix });
});
afterAll(async () => {
  await intakeQueue.obliterate({ force: true });
  await intakeQueue.close();
  await closeServices();
  await t?.close();
});

const payload = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ repository: DEMO.repositoryName, ref: "refs/heads/main", before: "0".repeat(40), after: "a".repeat(40), ...overrides });

function push(body: string, options: { secret?: string; delivery?: string; source?: string } = {}) {
  const signature = createHmac("sha256", options.secret ?? notifySecret).update(body).digest("hex");
  const source = options.source ?? DEMO.gitSourceId;
  return POST(
    new Request(`http://127.0.0.1/api/git/sources/${source}/push`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-gantry-signature-256": `sha256=${signature}`, "x-gantry-delivery": options.delivery ?? randomUUID() },
      body,
    }),
    { params: Promise.resolve({ sourceId: source }) },
  );
}

const deliveries = () => t.database.system("test").webhookDelivery.count();

describe("POST /api/git/sources/:id/push", () => {
  it("stores a verified push and queues its intake; a redelivery is recognised", async () => {
    const delivery = randomUUID();
    const response = await push(payload(), { delivery });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { deliveryId: string; duplicate: boolean };
    expect(body.duplicate).toBe(false);
    const row = await t.database.system("test").webhookDelivery.findUniqueOrThrow({ where: { id: body.deliveryId } });
    expect(row).toMatchObject({ source: "git", event: "push", status: "RECEIVED", repositoryId: DEMO.repositoryId, tenantId: DEMO.tenantId });
    const job = await intakeQueue.getJob(`intake-${body.deliveryId}`);
    expect(job?.data).toEqual({ deliveryId: body.deliveryId });

    const again = await push(payload(), { delivery });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ deliveryId: body.deliveryId, duplicate: true });
  });

  it("refuses a bad or missing signature, a wrong secret and an unknown source, writing nothing", async () => {
    const before = await deliveries();
    expect((await push(payload(), { secret: "not-the-secret" })).status).toBe(401);
    expect((await push(payload(), { source: "gsrc_unknown" })).status).toBe(401);
    const unsigned = await POST(
      new Request("http://127.0.0.1/x", { method: "POST", headers: { "x-gantry-delivery": randomUUID() }, body: payload() }),
      { params: Promise.resolve({ sourceId: DEMO.gitSourceId }) },
    );
    expect(unsigned.status).toBe(401);
    expect(await deliveries()).toBe(before);
  });

  it("answers 400 for a malformed body and 404 for a repository the source does not have, writing nothing", async () => {
    const before = await deliveries();
    const bad = await push(payload({ after: "not-a-sha" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_body", issues: [expect.objectContaining({ path: "after" })] });
    expect((await push("{not json")).status).toBe(400);
    expect((await push(payload(), { delivery: "short" })).status).toBe(400);
    expect((await push(payload({ repository: "demo/elsewhere" }))).status).toBe(404);
    expect((await push("x".repeat(70_000))).status).toBe(413);
    expect(await deliveries()).toBe(before);
  });
});
