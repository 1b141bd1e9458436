// Every published example of the events Gantry handles parses with our schemas; GitHub's signature test vector.
import { parseWebhookEvent, pullRequestFromFork, pushChangedPaths, signWebhook, verifyWebhookSignature, webhookEventSchemas } from "@gantry/github";
import { publishedExamples } from "@gantry/github/testing";
import { describe, expect, it } from "vitest";

describe("webhook signatures", () => {
  it("matches GitHub's published test vector", async () => {
    const header = signWebhook("It's a Secret to Everybody", "Hello, World!");
    expect(header).toBe("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    expect(await verifyWebhookSignature("It's a Secret to Everybody", "Hello, World!", header)).toBe(true);
  });

  it("refuses a wrong secret, a changed body, a missing or malformed header", async () => {
    const header = signWebhook("secret", "body");
    expect(await verifyWebhookSignature("other", "body", header)).toBe(false);
    expect(await verifyWebhookSignature("secret", "body ", header)).toBe(false);
    expect(await verifyWebhookSignature("secret", "body", null)).toBe(false);
    expect(await verifyWebhookSignature("secret", "body", header.replace("sha256=", "sha1="))).toBe(false);
    expect(await verifyWebhookSignature("secret", "body", `${header}00`)).toBe(false);
    // Bytes that are not UTF-8 (GitHub always sends UTF-8 JSON) never verify, even with their own HMAC.
    const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(await verifyWebhookSignature("secret", binary, signWebhook("secret", binary))).toBe(false);
    expect(await verifyWebhookSignature("secret", Buffer.from("body"), header)).toBe(true);
  });
});

describe("event schemas against @octokit/webhooks-examples", () => {
  // Events the package publishes no example of (yet): when it does, they join the loop below.
  const unpublished = ["registry_package"];
  it.each(unpublished)("has no published %s example yet", (name) => expect(publishedExamples(name)).toEqual([]));
  for (const name of Object.keys(webhookEventSchemas).filter((event) => !unpublished.includes(event))) {
    it(`parses every published ${name} example`, () => {
      const examples = publishedExamples(name);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const parsed = parseWebhookEvent(name, example);
        expect(parsed.ok ? "ok" : parsed.reason).toBe("ok");
      }
    });
  }

  it("refuses a payload that is not the event's shape, naming the field", () => {
    const push = publishedExamples("push")[0];
    const parsed = parseWebhookEvent("push", { ...push, after: "nope" });
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringContaining("after") });
    expect(parseWebhookEvent("star", {})).toEqual({ ok: false, reason: "event star is not handled" });
  });

  it("reads changed files from a push and tells fork pull requests apart", () => {
    const withCommits = publishedExamples("push").find((example) => Array.isArray(example.commits) && example.commits.length > 0);
    const push = parseWebhookEvent("push", withCommits);
    if (!push.ok || push.event.name !== "push") throw new Error("expected a push");
    const commit = { id: "a".repeat(40), added: ["src/new.ts"], removed: [], modified: ["README.md"] };
    expect(pushChangedPaths({ ...push.event.payload, created: false, forced: false, commits: [commit] })).toEqual(["README.md", "src/new.ts"]);
    expect(pushChangedPaths({ ...push.event.payload, created: true })).toBeUndefined();

    const opened = parseWebhookEvent("pull_request", publishedExamples("pull_request").find((example) => example.action === "opened"));
    if (!opened.ok || opened.event.name !== "pull_request") throw new Error("expected a pull request");
    const pr = opened.event.payload;
    expect(pullRequestFromFork(pr)).toBe(false);
    expect(pullRequestFromFork({ ...pr, pull_request: { ...pr.pull_request, head: { ...pr.pull_request.head, repo: { id: 999, full_name: "fork/x" } } } })).toBe(true);
    expect(pullRequestFromFork({ ...pr, pull_request: { ...pr.pull_request, head: { ...pr.pull_request.head, repo: null } } })).toBe(true);
  });
});
