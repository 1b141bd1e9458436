-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "approvalRequired" TEXT,
ADD COLUMN     "approvedAt" TIMESTAMP(3),
ADD COLUMN     "approvedById" TEXT;
