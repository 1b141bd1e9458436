// POST /api/github/webhooks through the exported route function: published payloads signed with a test secret,
// real database, real Redis queue.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { signWebhook } from "@gantry/github";
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
    GANTRY_GITHUB_APP_ID: "4242",
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

interface Delivery {
  event: string;
  body: string;
  secret?: string | null;
  delivery?: string;
  contentType?: string;
}

function deliver({ event, body, secret: key = secret, delivery = randomUUID(), contentType = "application/json" }: Delivery) {
  const headers: Record<string, string> = { "content-type": contentType, "x-github-event": event, "x-github-delivery": delivery, "user-agent": "GitHub-Hookshot/abc" };
  if (key !== null) headers["x-hub-signature-256"] = signWebhook(key, body);
  return POST(new Request("http://127.0.0.1/api/github/webhooks", { method: "POST", headers, body }));
}

const sys = () => t.database.system("test");
const deliveries = () => sys().webhookDelivery.count();
const example = (event: string, action?: string) => {
  const found = publishedExamples(event).find((candidate) => action === undefined || candidate.action === action);
  if (!found) throw new Error(`no published ${event} ${action ?? ""} example`);
  return found;
};
/** A published example with its installation and ids swapped for this test's own. */
const withInstallation = (payload: Record<string, unknown>, installationId: number, login = "octo-org") => ({
  ...payload,
  installation: { ...example("installation", "created").installation as object, id: installationId, account: { login, id: installationId * 10, type: "Organization" } },
});
const json = async (response: Response) => (await response.json()) as { deliveryId: string; duplicate: boolean };

describe("POST /api/github/webhooks: verification", () => {
  it("refuses a bad, missing or wrong-secret signature with 401 and writes nothing", async () => {
    const before = await deliveries();
    const body = JSON.stringify(example("push"));
    expect((await deliver({ event: "push", body, secret: "not-the-secret-at-all" })).status).toBe(401);
    expect((await deliver({ event: "push", body, secret: null })).status).toBe(401);
    const tampered = await POST(
      new Request("http://127.0.0.1/api/github/webhooks", {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": randomUUID(), "x-hub-signature-256": signWebhook(secret, body) },
        body: body.replace("Codertocat", "Mallory"),
      }),
    );
    expect(tampered.status).toBe(401);
    expect(await deliveries()).toBe(before);
  });

  it("answers 415 for a form-encoded body, 400 for malformed JSON or headers, 413 over 25 MB — writing nothing", async () => {
    const before = await deliveries();
    expect((await deliver({ event: "push", body: "payload=%7B%7D", contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    const bad = await deliver({ event: "push", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_json" });
    expect((await deliver({ event: "push", body: "{}", delivery: "x" })).status).toBe(400);
    expect((await deliver({ event: "Push Event", body: "{}" })).status).toBe(400);
    const huge = await deliver({ event: "push", body: `{"x":"${"a".repeat(25 * 1024 * 1024)}"}` });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: "too_large" });
    expect(await deliveries()).toBe(before);
  });
});

describe("POST /api/github/webhooks: storing", () => {
  it("stores a verified push with its event, action and delivery id, queues intake; a redelivery is recognised", async () => {
    const delivery = randomUUID();
    const body = JSON.stringify(example("push"));
    const started = performance.now();
    const response = await deliver({ event: "push", body, delivery });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(202);
    expect(elapsed).toBeLessThan(1_000);
    const first = await json(response);
    expect(first.duplicate).toBe(false);
    const row = await sys().webhookDelivery.findUniqueOrThrow({ where: { id: first.deliveryId } });
    expect(row).toMatchObject({ source: "github", event: "push", status: "RECEIVED", deliveryId: `github:${delivery}`, tenantId: null, repositoryId: null });
    expect(row.payload).toEqual(JSON.parse(body));
    // Queued just after the answer: the stored row is the durable record, so the 202 does not wait for Redis.
    await expect.poll(async () => (await intakeQueue.getJob(`intake-${first.deliveryId}`))?.data, { timeout: 5_000 }).toEqual({ deliveryId: first.deliveryId });

    expect(await json(await deliver({ event: "push", body, delivery }))).toEqual({ deliveryId: first.deliveryId, duplicate: true });
  });

  it("stores one row for ten concurrent copies of the same delivery", async () => {
    const delivery = randomUUID();
    const body = JSON.stringify(example("pull_request", "opened"));
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver({ event: "pull_request", body, delivery })));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(202));
    const answers = await Promise.all(responses.map(json));
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(await sys().webhookDelivery.count({ where: { deliveryId: `github:${delivery}` } })).toBe(1);
    const row = await sys().webhookDelivery.findUniqueOrThrow({ where: { deliveryId: `github:${delivery}` } });
    expect(row).toMatchObject({ event: "pull_request", action: "opened" });
  });

  it("records an event it does not handle and settles it IGNORED, without queueing", async () => {
    const response = await deliver({ event: "star", body: JSON.stringify({ action: "created", starred_at: null }) });
    expect(response.status).toBe(202);
    const { deliveryId } = await json(response);
    expect(await sys().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).toMatchObject({ event: "star", action: "created", status: "IGNORED" });
    expect(await intakeQueue.getJob(`intake-${deliveryId}`)).toBeUndefined();
  });
});

describe("installation events", () => {
  const installationId = 700_000 + Math.floor(Math.random() * 1000);
  const repos = [
    { id: 9_100_001, node_id: "R1", name: "api", full_name: "octo-org/api", private: true },
    { id: 9_100_002, node_id: "R2", name: "web", full_name: "octo-org/web", private: false },
  ];

  it("the first install creates the tenant, the installation and its repositories", async () => {
    const payload = { ...withInstallation(example("installation", "created"), installationId), repositories: repos };
    const response = await deliver({ event: "installation", body: JSON.stringify(payload) });
    expect(response.status).toBe(202);
    const { deliveryId } = await json(response);
    expect(await sys().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).toMatchObject({ status: "PROCESSED", action: "created" });
    const installation = await sys().installation.findUniqueOrThrow({ where: { githubInstallationId: BigInt(installationId) }, include: { tenant: true, repositories: true } });
    expect(installation).toMatchObject({ accountLogin: "octo-org", accountType: "Organization", suspendedAt: null, deletedAt: null });
    expect(installation.tenant).toMatchObject({ slug: "octo-org", name: "octo-org" });
    expect(installation.repositories.map((repo) => [repo.fullName, Number(repo.githubRepoId), repo.tenantId]).sort()).toEqual([
      ["octo-org/api", repos[0]?.id, installation.tenantId],
      ["octo-org/web", repos[1]?.id, installation.tenantId],
    ]);
    expect(await sys().auditEvent.count({ where: { tenantId: installation.tenantId, action: "github.installation.created" } })).toBe(1);

    // The same install delivered again (a new delivery id) creates nothing more.
    expect((await deliver({ event: "installation", body: JSON.stringify(payload) })).status).toBe(202);
    expect(await sys().tenant.count({ where: { slug: { startsWith: "octo-org" } } })).toBe(1);
    expect(await sys().repository.count({ where: { tenantId: installation.tenantId } })).toBe(2);
  });

  it("a later delivery for that installation is stored with its tenant and repository", async () => {
    const push = { ...withInstallation(example("push"), installationId), repository: { ...(example("push").repository as object), id: repos[0]?.id, full_name: "octo-org/api" } };
    const { deliveryId } = await json(await deliver({ event: "push", body: JSON.stringify(push) }));
    const installation = await sys().installation.findUniqueOrThrow({ where: { githubInstallationId: BigInt(installationId) } });
    const row = await sys().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(row).toMatchObject({ tenantId: installation.tenantId, repositoryId: expect.stringMatching(/^repo_/) });
  });

  it("repositories added and removed follow the installation; suspend, unsuspend and delete mark it", async () => {
    const added = { id: 9_100_003, node_id: "R3", name: "docs", full_name: "octo-org/docs", private: false };
    const base = withInstallation(example("installation_repositories", "added"), installationId);
    await deliver({ event: "installation_repositories", body: JSON.stringify({ ...base, action: "added", repositories_added: [added], repositories_removed: [] }) });
    await deliver({ event: "installation_repositories", body: JSON.stringify({ ...base, action: "removed", repositories_added: [], repositories_removed: [repos[1]] }) });
    const installation = await sys().installation.findUniqueOrThrow({ where: { githubInstallationId: BigInt(installationId) }, include: { repositories: true } });
    expect(installation.repositories.map((repo) => repo.fullName).sort()).toEqual(["octo-org/api", "octo-org/docs"]);
    expect(await sys().repository.findFirst({ where: { fullName: "octo-org/web" } })).toMatchObject({ installationId: null });

    const lifecycle = async (action: string) =>
      deliver({ event: "installation", body: JSON.stringify({ ...withInstallation(example("installation", "created"), installationId), action, repositories: undefined }) });
    await lifecycle("suspend");
    expect((await sys().installation.findUniqueOrThrow({ where: { id: installation.id } })).suspendedAt).toBeInstanceOf(Date);
    await lifecycle("unsuspend");
    expect((await sys().installation.findUniqueOrThrow({ where: { id: installation.id } })).suspendedAt).toBeNull();
    await lifecycle("deleted");
    expect((await sys().installation.findUniqueOrThrow({ where: { id: installation.id } })).deletedAt).toBeInstanceOf(Date);
  });

  it("a deletion of an installation never seen changes nothing and is still recorded", async () => {
    const tenants = await sys().tenant.count();
    const payload = { ...withInstallation(example("installation", "deleted"), 123_456_789), action: "deleted" };
    const { deliveryId } = await json(await deliver({ event: "installation", body: JSON.stringify(payload) }));
    expect(await sys().tenant.count()).toBe(tenants);
    expect(await sys().webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).toMatchObject({ status: "PROCESSED" });
  });
});
