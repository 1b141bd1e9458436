-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "poolId" TEXT,
ADD COLUMN     "readyAt" TIMESTAMP(3),
ALTER COLUMN "priority" SET DEFAULT 2;

-- CreateIndex
CREATE INDEX "JobRun_poolId_status_idx" ON "JobRun"("poolId", "status");
