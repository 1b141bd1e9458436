-- CreateEnum
CREATE TYPE "ConcurrencyPolicy" AS ENUM ('REPLACE_PENDING', 'QUEUE');

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "concurrencyPolicy" "ConcurrencyPolicy" NOT NULL DEFAULT 'REPLACE_PENDING';

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "concurrencyCancelInProgress" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "concurrencyGroup" TEXT;

-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "concurrencyCancelInProgress" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "concurrencyGroup" TEXT,
ADD COLUMN     "heldByConcurrency" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "WorkflowRun_tenantId_concurrencyGroup_status_idx" ON "WorkflowRun"("tenantId", "concurrencyGroup", "status");

-- CreateIndex
CREATE INDEX "JobRun_tenantId_concurrencyGroup_status_idx" ON "JobRun"("tenantId", "concurrencyGroup", "status");
