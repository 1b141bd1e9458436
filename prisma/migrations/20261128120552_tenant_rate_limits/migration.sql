-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "rateLimitBurst" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "rateLimitPerSec" DOUBLE PRECISION;
