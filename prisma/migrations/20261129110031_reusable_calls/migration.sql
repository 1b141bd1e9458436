-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "callerId" TEXT,
ADD COLUMN     "inputs" JSONB;

-- CreateIndex
CREATE INDEX "JobRun_callerId_idx" ON "JobRun"("callerId");
