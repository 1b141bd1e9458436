-- Failure causes (packages/engine): PLATFORM becomes INFRASTRUCTURE (rows keep their meaning), and cancellations
-- and timeouts get causes of their own.
ALTER TYPE "FailureKind" RENAME VALUE 'PLATFORM' TO 'INFRASTRUCTURE';
ALTER TYPE "FailureKind" ADD VALUE 'CANCELLED';
ALTER TYPE "FailureKind" ADD VALUE 'TIMEOUT';

-- Re-runs: the run's attempt, and each job attempt's run attempt and outputs (earlier attempts stay viewable).
ALTER TABLE "WorkflowRun" ADD COLUMN "runAttempt" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "JobAttempt" ADD COLUMN "outputs" JSONB,
ADD COLUMN "runAttempt" INTEGER NOT NULL DEFAULT 1;

-- Infrastructure retries: backoff, and the runners the earlier attempts failed on.
ALTER TABLE "JobRun" ADD COLUMN "avoidRunnerIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "retryNotBefore" TIMESTAMP(3);
