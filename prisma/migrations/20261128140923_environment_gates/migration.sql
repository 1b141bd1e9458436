-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "environmentName" TEXT,
ADD COLUMN     "gatedAt" TIMESTAMP(3);
