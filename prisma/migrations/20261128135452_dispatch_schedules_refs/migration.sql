-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "inputs" JSONB;

-- AlterTable
ALTER TABLE "StepRun" ADD COLUMN     "annotations" JSONB,
ADD COLUMN     "summary" TEXT;

-- CreateTable
CREATE TABLE "WorkflowSchedule" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "workflowPath" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "schedulerKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkflowSchedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GitRefState" (
    "tenantId" TEXT NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "sha" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GitRefState_pkey" PRIMARY KEY ("repositoryId","ref")
);

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowSchedule_schedulerKey_key" ON "WorkflowSchedule"("schedulerKey");

-- CreateIndex
CREATE INDEX "WorkflowSchedule_tenantId_idx" ON "WorkflowSchedule"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowSchedule_repositoryId_workflowPath_cron_key" ON "WorkflowSchedule"("repositoryId", "workflowPath", "cron");

-- CreateIndex
CREATE INDEX "GitRefState_tenantId_idx" ON "GitRefState"("tenantId");

-- AddForeignKey
ALTER TABLE "WorkflowSchedule" ADD CONSTRAINT "WorkflowSchedule_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GitRefState" ADD CONSTRAINT "GitRefState_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;
