-- Re-runs (docs/architecture.md#re-runs): the run attempt a job's state belongs to (its check run is reset when it
-- moves), and a deployment approval per run attempt (a re-run of a gated job asks its reviewers again).
-- DropIndex
DROP INDEX "Approval_jobRunId_environmentId_key";

-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "runAttempt" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Approval" ADD COLUMN     "runAttempt" INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE UNIQUE INDEX "Approval_jobRunId_environmentId_runAttempt_key" ON "Approval"("jobRunId", "environmentId", "runAttempt");
