// POST /api/runner/v1/checkout-token (job token): a short-lived installation token limited to one repository and
// `contents: read`, for the runner's native checkout — the run's own repository or another of the same
// installation (`with: repository:`). Anything else is a 404 that says why. Only while the attempt is live.
import { checkoutTokenRequest, checkoutTokenResponse } from "@gantry/runner-protocol";
import { GithubApiError } from "@gantry/github";
import { attemptForToken } from "./attempt-auth";
import type { RunnerApiDeps } from "./deps";
import { reportableAttempt } from "./reportable-attempt";
import { readBody, refuse } from "./respond";

export async function handleCheckoutToken(request: Request, deps: Pick<RunnerApiDeps, "database" | "github">): Promise<Response> {
  const body = await readBody(request, checkoutTokenRequest);
  if (!body.ok) return body.response;
  const auth = await attemptForToken(request, deps.database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  const live = await reportableAttempt(deps.database, auth.attempt.id);
  if (!live.ok) return live.response;
  const ctx = { tenantId: auth.attempt.tenantId, actor: { kind: "RUNNER" as const } };
  const job = await deps.database.forTenant(ctx).jobRun.findUniqueOrThrow({
    where: { id: live.jobRunId },
    select: { run: { select: { repository: { select: { fullName: true, installation: { select: { githubInstallationId: true, accountLogin: true } } } } } } },
  });
  const installation = job.run.repository.installation;
  const wanted = body.value.repository;
  if (!installation) return refuse(404, "not_github", `${job.run.repository.fullName} is not a GitHub-connected repository: there is no installation token to give for ${wanted}.`);
  const github = deps.github?.() ?? null;
  if (!github) return refuse(404, "no_github_app", "No GitHub App is configured on the control plane: it cannot mint a checkout token.");
  const [owner = "", name = ""] = wanted.split("/");
  const outside = () => refuse(404, "repository_not_in_installation", `${wanted} is not a repository of the GitHub App installation on ${installation.accountLogin} that this run belongs to: Gantry gives checkout tokens only for those.`);
  if (owner.toLowerCase() !== installation.accountLogin.toLowerCase()) return outside();
  try {
    const minted = await github.client.tokens.mintNarrowed(installation.githubInstallationId, { repositories: [name], permissions: { contents: "read", metadata: "read" } });
    return Response.json(checkoutTokenResponse.parse({ token: minted.token, cloneUrl: `${github.webUrl}/${owner}/${name}.git`, expiresAt: minted.expiresAt.toISOString() }));
  } catch (error) {
    // GitHub answers 422 for a repository the installation cannot reach.
    if (error instanceof GithubApiError && (error.status === 422 || error.status === 404)) return outside();
    throw error;
  }
}
