import { createPrivateKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_JOB_TOKEN_PERMISSIONS, exchangeOAuthCode, GithubApiError, InstallationTokens, jobTokenPermissions, listUserInstallations, RepositoryLister, revokeInstallationToken, withinInstallation, type TokenNarrowing } from "../src/index";
import { FakeGithub } from "../src/testing/index";

let fake: FakeGithub;
let tokens: InstallationTokens;
const headers = (token: string) => ({ accept: "application/vnd.github+json", authorization: `token ${token}`, "user-agent": "test", "content-type": "application/json" });

beforeAll(async () => {
  fake = new FakeGithub();
  await fake.start();
  fake.addInstallation(1, { contents: "write", metadata: "read", issues: "write", checks: "write", pull_requests: "read" });
  fake.addRepository("acme/app", 1, 101);
  fake.addRepository("acme/other", 1, 102);
  fake.addCommit("acme/app", 1, "a".repeat(40), { "README.md": "hi" });
  fake.addCommit("acme/other", 1, "b".repeat(40), { "README.md": "other" });
  tokens = new InstallationTokens({ appId: fake.appId, privateKey: createPrivateKey(fake.privateKeyPem), apiUrl: fake.url });
});
afterAll(() => fake?.stop());

describe("narrowed installation tokens", () => {
  it("asks for exactly the repositories and permissions, and GitHub enforces them", async () => {
    const token = await tokens.mintNarrowed(1, { repositoryIds: [101], permissions: { contents: "read", metadata: "read" } });
    const [call] = fake.callsTo(/^POST \/app\/installations\/1\/access_tokens$/).slice(-1);
    expect(call?.body).toEqual({ repository_ids: [101], permissions: { contents: "read", metadata: "read" } });
    expect(call?.jwt?.iss).toBe(fake.appId);
    expect(token.permissions).toEqual({ contents: "read", metadata: "read" });

    const read = await fetch(`${fake.url}/repos/acme/app/contents/README.md?ref=${"a".repeat(40)}`, { headers: headers(token.token) });
    expect(read.status).toBe(200);
    const otherRepo = await fetch(`${fake.url}/repos/acme/other/contents/README.md?ref=${"b".repeat(40)}`, { headers: headers(token.token) });
    expect(otherRepo.status).toBe(404);
    const write = await fetch(`${fake.url}/repos/acme/app/git/refs`, { method: "POST", headers: headers(token.token), body: JSON.stringify({ ref: "refs/heads/x", sha: "a".repeat(40) }) });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { message: string }).message).toBe("Resource not accessible by integration");
    const issue = await fetch(`${fake.url}/repos/acme/app/issues`, { method: "POST", headers: headers(token.token), body: JSON.stringify({ title: "t" }) });
    expect(issue.status).toBe(403);

    await revokeInstallationToken(fake.url, token.token);
    expect(fake.tokenGrant(token.token)).toBeUndefined();
    expect((await fetch(`${fake.url}/repos/acme/app`, { headers: headers(token.token) })).status).toBe(401);
    // Revoking again is not an error: the token is gone either way.
    await revokeInstallationToken(fake.url, token.token);
  });

  it("gives each caller its own token, also when two ask for the same narrowing at once (two jobs of one repository)", async () => {
    const narrowing: TokenNarrowing = { repositoryIds: [101], permissions: { contents: "read", metadata: "read" } };
    const [first, second] = await Promise.all([tokens.mintNarrowed(1, narrowing), tokens.mintNarrowed(1, narrowing)]);
    expect(first.token).not.toBe(second.token);
    // The first holder's revocation leaves the second's token working.
    await revokeInstallationToken(fake.url, first.token);
    expect((await fetch(`${fake.url}/repos/acme/app`, { headers: headers(second.token) })).status).toBe(200);
  });

  it("a write token writes; a permission the installation lacks is refused with 422", async () => {
    const token = await tokens.mintNarrowed(1, { repositories: ["app"], permissions: { contents: "write", issues: "write" } });
    const created = await fetch(`${fake.url}/repos/acme/app/git/refs`, { method: "POST", headers: headers(token.token), body: JSON.stringify({ ref: "refs/heads/made", sha: "a".repeat(40) }) });
    expect(created.status).toBe(201);
    expect(fake.createdRefsOf("acme/app").get("refs/heads/made")).toBe("a".repeat(40));
    const issue = await fetch(`${fake.url}/repos/acme/app/issues`, { method: "POST", headers: headers(token.token), body: JSON.stringify({ title: "from a job" }) });
    expect(issue.status).toBe(201);
    expect(fake.issuesOf("acme/app").map((each) => each.title)).toEqual(["from a job"]);

    const refused = await tokens.mintNarrowed(1, { repositoryIds: [101], permissions: { packages: "read" } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GithubApiError);
    expect((refused as GithubApiError).status).toBe(422);
    expect(await tokens.installationPermissions(1)).toEqual({ contents: "write", metadata: "read", issues: "write", checks: "write", pull_requests: "read" });
  });

  it("lists past 100 branches and pull requests by following Link headers", async () => {
    for (let i = 0; i < 230; i++) fake.setBranch("acme/app", 1, `b${i}`, "a".repeat(40));
    for (let i = 1; i <= 130; i++) fake.setPullRequest("acme/app", 1, { number: i, headSha: "a".repeat(40), headRef: `b${i}`, baseRef: "main", headRepo: null, updatedAt: new Date(Date.now() - i * 1000) });
    const { token } = await tokens.get(1);
    const lister = new RepositoryLister({ apiUrl: fake.url, repository: "acme/app", token });
    const before = fake.callsTo(/^GET \/repos\/acme\/app\/branches$/).length;
    expect(await lister.branches()).toHaveLength(230);
    expect(fake.callsTo(/^GET \/repos\/acme\/app\/branches$/).length - before).toBe(3);
    expect(await lister.branchHead("b229")).toBe("a".repeat(40));
    expect(await lister.openPullRequests(new Date(0))).toHaveLength(130);
  });

  it("lists a user's installations past 100", async () => {
    const ids = Array.from({ length: 150 }, (_, i) => 1000 + i);
    for (const id of ids) fake.addInstallation(id);
    const code = fake.issueOAuthCode("octo", ids);
    const userToken = await exchangeOAuthCode({ webUrl: fake.url, clientId: fake.oauthClient.id, clientSecret: fake.oauthClient.secret }, code);
    expect((await listUserInstallations(fake.url, userToken)).map((each) => each.id)).toEqual(ids);
    expect(fake.callsTo(/^GET \/user\/installations$/)).toHaveLength(2);
  });
});

describe("job token permissions", () => {
  it("follows GitHub's rules for permissions:", () => {
    expect(jobTokenPermissions({ trusted: true })).toEqual(DEFAULT_JOB_TOKEN_PERMISSIONS);
    expect(jobTokenPermissions({ trusted: true, workflow: {} })).toEqual({ metadata: "read" });
    expect(jobTokenPermissions({ trusted: true, workflow: "write-all" })).toMatchObject({ contents: "write", issues: "write", pull_requests: "write", metadata: "read" });
    expect(Object.values(jobTokenPermissions({ trusted: true, workflow: "read-all" })).every((level) => level === "read")).toBe(true);
    // The job's block replaces the workflow's whole, and `none` and id-token ask for nothing.
    expect(jobTokenPermissions({ trusted: true, workflow: "write-all", job: { contents: "write", issues: "none", "id-token": "write" } })).toEqual({ contents: "write", metadata: "read" });
    expect(jobTokenPermissions({ trusted: false, job: { contents: "write", "pull-requests": "write" } })).toEqual({ contents: "read", pull_requests: "read", metadata: "read" });
    expect(withinInstallation({ contents: "write", packages: "read", metadata: "read" }, { contents: "read", metadata: "read" })).toEqual({ contents: "read", metadata: "read" });
  });
});
