-- Remote actions (docs/actions.md): the resolved commit on a step, each tenant's downloaded action archives
-- (verified by sha-256), and what each run's `uses:` refs resolved to.

-- AlterTable
ALTER TABLE "StepRun" ADD COLUMN     "actionSha" TEXT;

-- CreateTable
CREATE TABLE "ActionArchive" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActionArchive_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ActionPin" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ActionPin_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ActionArchive_tenantId_repository_sha_key" ON "ActionArchive"("tenantId", "repository", "sha");

-- CreateIndex
CREATE INDEX "ActionArchive_objectKey_idx" ON "ActionArchive"("objectKey");

-- CreateIndex
CREATE UNIQUE INDEX "ActionPin_runId_repository_ref_key" ON "ActionPin"("runId", "repository", "ref");

-- CreateIndex
CREATE INDEX "ActionPin_tenantId_idx" ON "ActionPin"("tenantId");

-- AddForeignKey
ALTER TABLE "ActionPin" ADD CONSTRAINT "ActionPin_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
