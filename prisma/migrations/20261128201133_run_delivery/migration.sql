-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "deliveryId" TEXT;
