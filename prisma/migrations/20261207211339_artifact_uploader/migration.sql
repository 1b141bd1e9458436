-- AlterTable
ALTER TABLE "Artifact" ADD COLUMN     "attemptId" TEXT;
