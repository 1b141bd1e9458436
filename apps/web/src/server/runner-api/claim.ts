// POST /api/runner/v1/claim: long poll for work on the runner's pool. The fair scheduler picks, Postgres
// records the attempt with its lease, and the answer carries a job token scoped to that attempt and the pool's
// resource limits as they are now.
import { hashToken, newToken, POOL_LIMIT_COLUMNS, poolLimitsOf, tokenMatches, type Database } from "@gantry/db";
import { requestCheckReports, scheduleJobTimeout } from "@gantry/jobs";
import { assignedJob, claimRequest, claimResponse, type ClaimResponse } from "@gantry/runner-protocol";
import { claimJob } from "@gantry/scheduler";
import { z } from "zod";
import type { RunnerApiDeps } from "./deps";
import { mintJobGithubToken } from "./github-token";
import { bearer, readBody, refuse } from "./respond";
import { secretsForRunner } from "./secrets-for-runner";
import { runEventPayload } from "./run-event";
import { mintRuntimeToken } from "../actions-services/runtime-token";

// A waiting claim is woken when its pool gets work (ready-signal.ts); this is only the re-check should a wake be lost.
export const FALLBACK_MS = 1_000;
const storedPlan = z.object({ jobs: z.array(z.object({ key: z.string() }).passthrough()), env: z.record(z.string(), z.string()).default({}) });
// Intake stored these typed; anything else (an older row) reads as none.
const runInputs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).catch({});

async function assignmentFor(database: Database, claimed: { tenantId: string; jobId: string; attemptId: string; attempt: number }) {
  const ctx = { tenantId: claimed.tenantId, actor: { kind: "RUNNER" as const } };
  const job = await database.forTenant(ctx).jobRun.findUniqueOrThrow({
    where: { id: claimed.jobId },
    include: { run: { include: { repository: { include: { gitSource: { select: { url: true } }, installation: { select: { githubInstallationId: true } } } } } } },
  });
  const plan = storedPlan.parse(job.run.plan);
  const raw = plan.jobs.find((candidate) => candidate.key === job.key);
  const found = assignedJob.parse(raw);
  // The workflow's `env` under the job's own, as GitHub layers them (steps add theirs on top in the runner). A
  // job of a called workflow already has its own workflow's `env` under its own: the caller's does not reach it.
  const planned = { ...found, env: job.callerId ? found.env : { ...plan.env, ...found.env } };
  const needs = await database.forTenant(ctx).jobRun.findMany({ where: { id: { in: job.needs } }, select: { jobId: true, status: true, outputs: true } });
  return {
    job,
    planned,
    permissions: raw?.permissions,
    needs: Object.fromEntries(
      needs.map((need) => [need.jobId, { result: need.status === "SUCCEEDED" ? "success" : need.status.toLowerCase(), outputs: need.outputs && typeof need.outputs === "object" && !Array.isArray(need.outputs) ? need.outputs : {} }]),
    ),
  };
}

export async function handleClaim(request: Request, deps: RunnerApiDeps): Promise<Response> {
  const credential = bearer(request);
  if (!credential) return refuse(401, "unauthorized", "Missing `Authorization: Bearer <runner credential>` header (from register).");
  const body = await readBody(request, claimRequest);
  if (!body.ok) return body.response;
  const sys = deps.database.system("runner claim: authenticate the runner");
  const runner = await sys.runner.findUnique({ where: { id: body.value.runnerId }, select: { id: true, poolId: true, credentialHash: true } });
  if (!runner || !tokenMatches(credential, runner.credentialHash)) return refuse(401, "unauthorized", "The runner credential does not match this runner.");
  await sys.runner.update({ where: { id: runner.id }, data: { lastSeenAt: new Date(), status: "ONLINE" } });

  // Read per claim, not at register: a change to the pool's limits applies from its next job. Before claiming, so
  // a pool whose limits fail validation (edited by hand) assigns nothing rather than a job it cannot bound.
  const limits = poolLimitsOf(await sys.runnerPool.findUniqueOrThrow({ where: { id: runner.poolId }, select: POOL_LIMIT_COLUMNS }));
  const deadline = Date.now() + body.value.waitMs;
  for (;;) {
    // Read before looking at the queue: a job made ready while this claim runs wakes the wait below at once.
    const mark = await deps.ready.mark(runner.poolId);
    const claimed = await deps.ready.inTurn(runner.poolId, () => claimJob(deps.database, deps.scheduler, { poolId: runner.poolId, runnerId: runner.id, leaseMs: deps.leaseMs }), deadline);
    if (claimed) {
      const jobToken = newToken("gjt");
      await sys.jobAttempt.update({ where: { id: claimed.attemptId }, data: { jobTokenHash: hashToken(jobToken) } });
      const { job, planned, permissions, needs } = await assignmentFor(deps.database, claimed);
      const repository = job.run.repository;
      const github = repository.installation ? (deps.github?.() ?? null) : null;
      // The job's GITHUB_TOKEN: GitHub-connected repositories only (a plain git run gets none).
      const githubToken =
        github && repository.installation
          ? await mintJobGithubToken(deps.database, github, deps.masterKey ?? null, {
              tenantId: claimed.tenantId,
              attemptId: claimed.attemptId,
              installationId: repository.installation.githubInstallationId,
              repositoryGithubId: repository.githubRepoId,
              fullName: repository.fullName,
              permissions,
              trusted: job.run.trusted,
            })
          : null;
      const timeoutMinutes = Math.min(job.timeoutMinutes, limits.maxTimeoutMinutes);
      await scheduleJobTimeout(deps.queues, { tenantId: claimed.tenantId, jobId: claimed.jobId, attempt: claimed.attempt, startedAt: new Date(), timeoutMinutes });
      // QUEUED → RUNNING happens here, not in the worker: the job's GitHub check run goes in_progress.
      if (job.run.repository.installationId) await requestCheckReports(deps.queues, claimed.tenantId, [{ id: claimed.jobId, status: "RUNNING", attempt: claimed.attempt }]);
      // The run is RUNNING from its first claim: its workflow_run `in_progress` event now, not at the next job change
      // (the job id is the worker's own for this run and status, so every later claim of the run collapses into it).
      if (job.run.status === "RUNNING") await deps.queues.add("workflow-run-events", { tenantId: claimed.tenantId, runId: job.run.id }, `workflow-run-events-${job.run.id}-RUNNING`);
      const answer: ClaimResponse = {
        assignment: {
          attemptId: claimed.attemptId,
          attempt: claimed.attempt,
          jobToken,
          leaseMs: deps.leaseMs,
          heartbeatMs: deps.heartbeatMs,
          run: {
            id: job.run.id,
            number: job.run.runNumber,
            event: job.run.event,
            ref: job.run.ref,
            sha: job.run.sha,
            repository: job.run.repository.fullName,
            repositoryUrl: job.run.repository.gitSource?.url ?? null,
            trusted: job.run.trusted,
            // A called job's `inputs` are what its call gave it (the worker evaluated them when the call started).
            inputs: runInputs.parse((job.callerId ? job.inputs : job.run.inputs) ?? {}),
            actor: job.run.triggeredBy ?? "",
            eventPayload: await runEventPayload(deps.database, job.run, job.run.repository.fullName),
            source: job.run.repository.installationId ? "github" : job.run.repository.gitSource ? "git" : "none",
            serverUrl: github ? github.webUrl : "",
            apiUrl: github ? github.client.apiUrl : "",
            githubToken,
          },
          job: planned,
          ...(deps.runtimeTokenKey ? { runtimeToken: await mintRuntimeToken(deps.runtimeTokenKey, { tenantId: claimed.tenantId, runId: job.run.id, jobRunId: claimed.jobId, attemptId: claimed.attemptId }, { issuedAt: Date.now(), timeoutMinutes }) } : {}),
          secrets: await secretsForRunner(deps.database, { id: runner.poolId, receivesSecrets: claimed.receivesSecrets }, deps.masterKey ?? null, { tenantId: claimed.tenantId, key: job.key, environmentName: job.environmentName, run: job.run }),
          needs,
          limits,
        },
      };
      return Response.json(claimResponse.parse(answer));
    }
    const left = deadline - Date.now();
    if (left <= 0) return Response.json(claimResponse.parse({ assignment: null }));
    await deps.ready.wait(runner.poolId, mark, Math.min(FALLBACK_MS, left));
  }
}
