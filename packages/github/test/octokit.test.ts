// The Octokit client against the fake GitHub: listings come back whole past GitHub's 100-a-page, and a 429 with
// Retry-After is waited for and tried again (the throttling plugin), within a bounded number of tries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateKey } from "node:crypto";
import { GithubApiError, githubWorkflowReader, InstallationTokens, RepositoryLister } from "../src/index";
import { FakeGithub } from "../src/testing/index";

let fake: FakeGithub;
let token: string;
let tokens: InstallationTokens;
const sha = "c".repeat(40);
const BRANCHES = 250;
// One second of Retry-After lasts 20 ms here.
const SECOND_MS = 20;

const sent: { call: string; at: number }[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  sent.push({ call: `${init?.method ?? "GET"} ${url.pathname}`, at: performance.now() });
  return fetch(input, init);
};

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(7);
  fake.addCommit("octo/many", 7, sha, { "README.md": "hi" });
  for (let index = 0; index < BRANCHES; index++) fake.setBranch("octo/many", 7, `branch-${String(index).padStart(3, "0")}`, sha);
  tokens = new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url });
  token = (await tokens.get(7)).token;
});
afterAll(() => fake?.stop());

const lister = (attempts = 3) => new RepositoryLister({ apiUrl: fake.url, repository: "octo/many", token, fetch: recordingFetch, retry: { attempts, baseMs: SECOND_MS, secondMs: SECOND_MS } });

describe("the Octokit client", () => {
  it("a listing past 100 items comes back whole, page by page", async () => {
    const before = fake.callsTo(/^GET \/repos\/octo\/many\/branches$/).length;
    const branches = await lister().branches();
    expect(branches).toHaveLength(BRANCHES);
    expect(new Set(branches.map((branch) => branch.name)).size).toBe(BRANCHES);
    // 100 a page: three pages, through the Link header.
    expect(fake.callsTo(/^GET \/repos\/octo\/many\/branches$/).length - before).toBe(3);
    expect(await lister().branchHead("branch-249")).toBe(sha);
  });

  it("a 429 with Retry-After is waited for and tried again; past its tries it is a retryable GithubApiError", async () => {
    sent.length = 0;
    fake.failNext(/^GET \/repos\/octo\/many\/branches$/, 429, { headers: { "retry-after": "3" }, message: "Too Many Requests" });
    expect(await lister().branches()).toHaveLength(BRANCHES);
    const gets = sent.filter((request) => request.call === "GET /repos/octo/many/branches").map((request) => request.at);
    expect(gets).toHaveLength(4);
    expect(gets[1]! - gets[0]!).toBeGreaterThanOrEqual(3 * SECOND_MS - 1);

    fake.failNext(/^GET \/repos\/octo\/many\/branches$/, 429, { headers: { "retry-after": "2" }, message: "You have exceeded a secondary rate limit.", times: 2 });
    const refused = await lister(2).branches().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GithubApiError);
    expect(refused).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2_000 });
    expect((refused as GithubApiError).path).toMatch(/^\/repos\/octo\/many\/branches/);
  });

  it("a spent primary rate limit (403, x-ratelimit-remaining 0) waits until the reset", async () => {
    sent.length = 0;
    const reset = String(Math.ceil(Date.now() / 1000));
    fake.failNext(/^GET \/repos\/octo\/many\/branches$/, 403, { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, message: "API rate limit exceeded" });
    expect(await lister().branches()).toHaveLength(BRANCHES);
    expect(sent.filter((request) => request.call === "GET /repos/octo/many/branches")).toHaveLength(4);
  });

  it("through the token cache, a token GitHub refuses (401) is forgotten and the next call mints a new one", async () => {
    const reader = await githubWorkflowReader({ apiUrl: fake.url, tokens }, "octo/many", 7);
    expect(await reader.resolveBranch("branch-001")).toEqual({ ref: "refs/heads/branch-001", sha });
    const minted = fake.callsTo(/^POST \/app\/installations\/7\/access_tokens$/).length;
    fake.revokeTokens();
    await expect(reader.resolveCommit("branch-001")).rejects.toMatchObject({ status: 401 });
    expect(await reader.resolveCommit("branch-001")).toBe(sha);
    expect(fake.callsTo(/^POST \/app\/installations\/7\/access_tokens$/).length).toBe(minted + 1);
  });
});
