-- AlterTable
ALTER TABLE "JobAttempt" ADD COLUMN     "jobTokenHash" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "JobAttempt_jobTokenHash_key" ON "JobAttempt"("jobTokenHash");
