-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "warnings" JSONB;
