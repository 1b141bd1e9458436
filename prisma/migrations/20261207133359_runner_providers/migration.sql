-- AlterTable
ALTER TABLE "Runner" ADD COLUMN     "providers" "SandboxProvider"[] DEFAULT ARRAY[]::"SandboxProvider"[];
