// POST /api/runner/v1/actions/resolve (job token; docs/runner-protocol.md, docs/actions.md): a remote action
// `owner/repo[/path]@ref` resolved to a commit and an archive in the object store, answered with a signed GET URL.
// In order: the body and the token (a live, current attempt only), the `uses` form (400), the tenant's policy (403),
// the run's pin for (repository, ref) or the sources in order — GANTRY_ACTIONS_DIR, GitHub, the mirror — (404 when
// none has it, 429 when the only answer was a spent rate limit), then the archive, downloaded once per commit and
// verified against the sha-256 first recorded (409 when it changed). The resolved commit is recorded on the step.
import { transitions, type Database } from "@gantry/db";
import type { GithubClient } from "@gantry/github";
import { actionResolveRequest, actionResolveResponse, type ActionResolveResponse } from "@gantry/runner-protocol";
import { ArchiveChangedError, ArchiveUnavailableError, ensureArchive, type Fetched } from "../actions/archives";
import { directorySource } from "../actions/directory-source";
import { githubSource } from "../actions/github-source";
import { mirrorSource } from "../actions/mirror-source";
import { pinOf, pinOnce, type Pin } from "../actions/pins";
import { policyRefusal } from "../actions/policy-refusal";
import type { ActionSource } from "../actions/source";
import { parseUses, type RemoteUses } from "../actions/uses";
import { getServices } from "../services";
import { attemptForToken } from "./attempt-auth";
import { grantUrl, objectDeps, tenantScope, type ObjectDeps } from "./objects";
import { reportableAttempt } from "./reportable-attempt";
import { readBody, refuse } from "./respond";

export interface ActionResolveDeps {
  objects: ObjectDeps;
  /** GANTRY_ACTIONS_DIR; null: no directory source. */
  actionsDir: string | null;
  /** GANTRY_ACTIONS_MIRROR_URL; null: no mirror. */
  mirrorUrl: string | null;
  /** GitHub's REST API (the App's, or api.github.com) and the App's client when one is configured. */
  github: { apiUrl: string; client: GithubClient | null };
  fetch?: typeof fetch;
}

export function actionResolveDeps(): ActionResolveDeps {
  const services = getServices();
  const { env } = services;
  return {
    objects: objectDeps(),
    actionsDir: env.GANTRY_ACTIONS_DIR ?? null,
    mirrorUrl: env.GANTRY_ACTIONS_MIRROR_URL ?? null,
    github: { apiUrl: services.githubClient()?.apiUrl ?? env.githubApp.apiUrl, client: services.githubClient() },
  };
}

/** The sources a run's actions come from, in order (docs/actions.md). */
function sourcesFor(deps: ActionResolveDeps, installationId: bigint | null): ActionSource[] {
  return [
    ...(deps.actionsDir ? [directorySource(deps.actionsDir)] : []),
    githubSource({ apiUrl: deps.github.apiUrl, client: deps.github.client, installationId, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
    ...(deps.mirrorUrl ? [mirrorSource(deps.mirrorUrl, deps.fetch)] : []),
  ];
}

/** The first source that has the ref, or every source's reason (and the earliest time a rate-limited one frees up). */
async function resolveRef(sources: ActionSource[], uses: RemoteUses): Promise<Pin | { reasons: string[]; until?: Date }> {
  const reasons: string[] = [];
  let until: Date | undefined;
  for (const source of sources) {
    const lookup = await source.resolve(uses).catch((error: unknown) => ({ found: false as const, why: `${source.label}: ${error instanceof Error ? error.message : String(error)}` }));
    if (lookup.found) return { sha: lookup.sha, source: source.name };
    reasons.push(lookup.why);
    if ("until" in lookup && lookup.until && (!until || lookup.until < until)) until = lookup.until;
  }
  return { reasons, ...(until ? { until } : {}) };
}

/** The archive's bytes from the source that resolved the commit, else from the others in order. */
function fetcherFor(sources: ActionSource[], uses: RemoteUses, pin: Pin): () => Promise<Fetched> {
  return async () => {
    const ordered = [...sources.filter((source) => source.name === pin.source), ...sources.filter((source) => source.name !== pin.source)];
    const reasons: string[] = [];
    let until: Date | undefined;
    for (const source of ordered) {
      const got = await source.download(uses, pin.sha).catch((error: unknown) => ({ missing: `${source.label}: ${error instanceof Error ? error.message : String(error)}` }));
      if (Buffer.isBuffer(got)) return { bytes: got, source: source.name };
      reasons.push(got.missing);
      if ("until" in got && got.until && (!until || got.until < until)) until = got.until;
    }
    return { missing: reasons.join("; "), ...(until ? { until } : {}) };
  };
}

async function runOf(database: Database, tenantId: string, jobRunId: string) {
  const job = await database.forTenant({ tenantId, actor: { kind: "RUNNER" } }).jobRun.findUniqueOrThrow({
    where: { id: jobRunId },
    select: { runId: true, run: { select: { repository: { select: { installation: { select: { githubInstallationId: true, deletedAt: true } } } } } } },
  });
  const installation = job.run.repository.installation;
  return { runId: job.runId, installationId: installation && !installation.deletedAt ? installation.githubInstallationId : null };
}

export async function handleActionResolve(request: Request, deps: ActionResolveDeps): Promise<Response> {
  const body = await readBody(request, actionResolveRequest);
  if (!body.ok) return body.response;
  const { database, store } = deps.objects;
  const auth = await attemptForToken(request, database, body.value.attemptId);
  if (!auth.ok) return auth.response;
  const live = await reportableAttempt(database, auth.attempt.id);
  if (!live.ok) return live.response;
  const { tenantId } = auth.attempt;

  const parsed = parseUses(body.value.uses);
  if (!parsed.ok) return refuse(400, "invalid_uses", parsed.error);
  const uses = parsed.uses;
  const named = `${uses.repository}@${uses.ref}`;
  const refusal = await policyRefusal(database, tenantId, body.value.uses);
  if (refusal !== null) return refuse(403, "action_not_allowed", `action "${named}" is not allowed: ${refusal}`);

  const scope = tenantScope(database, tenantId);
  const run = await runOf(database, tenantId, live.jobRunId);
  const repository = uses.repository.toLowerCase();
  const sources = sourcesFor(deps, run.installationId);
  let pin = await pinOf(scope, run.runId, repository, uses.ref);
  if (!pin) {
    const resolved = await resolveRef(sources, uses);
    if ("reasons" in resolved) {
      const tried = resolved.reasons.join("; ");
      if (resolved.until) return refuse(429, "rate_limited", `action "${named}" could not be resolved: ${tried}`, { retryAt: resolved.until.toISOString() });
      return refuse(404, "action_not_found", `action "${named}" could not be resolved: ${tried}`);
    }
    pin = await pinOnce(scope, tenantId, run.runId, repository, uses.ref, resolved);
  }

  let archive;
  try {
    archive = await ensureArchive(database, store, { tenantId, repository, sha: pin.sha }, fetcherFor(sources, uses, pin));
  } catch (error) {
    if (error instanceof ArchiveChangedError) return refuse(409, "archive_changed", error.message);
    if (error instanceof ArchiveUnavailableError) {
      const message = `action "${named}" could not be downloaded at ${pin.sha}: ${error.message}`;
      return error.until ? refuse(429, "rate_limited", message, { retryAt: error.until.toISOString() }) : refuse(404, "archive_unavailable", message);
    }
    throw error;
  }
  if (body.value.stepIndex !== undefined) {
    await transitions.recordStepAction(database.system("runner action resolve: the step's resolved commit"), { tenantId, actor: { kind: "RUNNER" } }, { attemptId: auth.attempt.id, index: body.value.stepIndex, uses: body.value.uses, sha: pin.sha });
  }
  const answer: ActionResolveResponse = {
    repository: uses.repository,
    path: uses.path,
    ref: uses.ref,
    sha: pin.sha,
    sha256: archive.sha256,
    sizeBytes: archive.sizeBytes,
    downloadUrl: grantUrl(deps.objects, { op: "get", tenantId, sha256: archive.sha256, sizeBytes: archive.sizeBytes }).url,
    source: archive.source,
  };
  return Response.json(actionResolveResponse.parse(answer));
}
